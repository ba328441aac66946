"""Documents read while a claim was filled in: kept with the claim, with what the clerk corrected.

The desk form's 识别 (views.read_document_fields) hands the page a signed copy of what a document proposed; the form
sends it back with the claim, and `record_readings` stores it once the claim exists, comparing each proposed field
with the value the claim was filed with. A field the clerk changed is a correction: the corrections measure the
reading's accuracy (`reading_accuracy`), and a typed amount that disagrees with its document is a risk finding (the
risk app's check `typed_differs_from_document`, both values as evidence). The signature means a page cannot plant
a reading it did not get from the server.
"""
from decimal import Decimal, InvalidOperation

from django.core import signing

from huzhu.core.money import format_yuan

from .. import rules
from ..models import Claim, ClaimReading

SALT = "huzhu.claims.reading"
MAX_AGE = 24 * 3600  # a reading is sent back with its claim the same day



def signed_reading(*, kind: str, source: str, fields: dict, confidence: dict) -> str:
    return signing.dumps({"kind": kind, "source": source, "fields": fields, "confidence": confidence}, salt=SALT,
                         compress=True)


def unsigned_readings(tokens: list[str]) -> list[dict]:
    """The readings a form sent back whose signature holds (others are dropped: a stale or forged one proposes
    nothing)."""
    readings = []
    for token in tokens[:10]:
        try:
            readings.append(signing.loads(token, salt=SALT, max_age=MAX_AGE))
        except signing.BadSignature:
            continue
    return readings


def _money(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def corrections_of(claim: Claim, fields: dict) -> dict[str, dict]:
    """What the claim was filed with where it differs from the document (field -> {"document", "typed"})."""
    corrections: dict[str, dict] = {}
    for name in rules.AMOUNT_FIELDS:
        typed = getattr(claim, name)
        if name in fields and _money(fields[name]) != typed:
            corrections[name] = {"document": fields[name], "typed": format_yuan(typed) if typed is not None else ""}
    for name in rules.READING_DATES:
        typed = getattr(claim, name)
        if name in fields and (typed.isoformat() if typed else "") != fields[name]:
            corrections[name] = {"document": fields[name], "typed": typed.isoformat() if typed else ""}
    if "hospital_name" in fields and "".join(claim.hospital.split()) != fields["hospital_name"]:
        corrections["hospital_name"] = {"document": fields["hospital_name"], "typed": claim.hospital}
    if "diagnosis" in fields and fields["diagnosis"].split(" ")[0] != claim.diagnosis_code:
        corrections["diagnosis"] = {"document": fields["diagnosis"], "typed": claim.diagnosis_code}
    invoices = list(claim.invoices.values_list("code", "number", "check_code"))
    for name, place in rules.READING_INVOICE_FIELDS:
        typed = [invoice[place] for invoice in invoices]
        if name in fields and fields[name] not in typed and fields[name].upper() not in typed:
            corrections[name] = {"document": fields[name], "typed": "、".join(typed)}
    return corrections


def record_readings(*, claim: Claim, readings: list[dict]) -> list[ClaimReading]:
    """Store the readings a claim was filled from, with their corrections (inside the filing's transaction)."""
    rows = []
    for reading in readings:
        fields = {str(k): str(v) for k, v in (reading.get("fields") or {}).items()}
        corrections = corrections_of(claim, fields)
        rows.append(ClaimReading(claim=claim, kind=str(reading.get("kind", ""))[:30],
                                 source=str(reading.get("source", ""))[:20], fields=fields,
                                 confidence=reading.get("confidence") or {}, corrections=corrections))
    return ClaimReading.objects.bulk_create(rows)
