"""The discharge call (出院即赔): a partner hospital asks for the benefit of a stay, and may cancel it that day.

Idempotent by the serial (结算流水号): the first answer is stored and a retry with the same facts gets it again;
the same serial with other facts is refused. The worker's decisions are taken one at a time by the claims app, so
concurrent discharges of one worker cannot pass the annual cap; everything of a call is one transaction, so a
call cut off half-way leaves nothing written.
"""
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.claims import services as claims
from huzhu.claims.rules import AMOUNT_FIELDS
from huzhu.core.actors import HospitalActor
from huzhu.core.crypto import blind_index
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.core.identifiers import ascii_form, serial_form
from huzhu.core.idnumbers import mask_id_number, parse_resident_id
from huzhu.core.money import display_yuan, format_yuan
from huzhu.core.names import clean_person_name
from huzhu.core.scopes import PROVINCE
from huzhu.ledger import services as ledger
from huzhu.members.queries import worker_by_id_number
from huzhu.plans.models import PlanYear

from .. import rules
from ..models import DischargeSettlement, PartnerHospital

SERIAL_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_")
Status = DischargeSettlement.Status


def reference_of(discharge: DischargeSettlement) -> str:
    """The settlement reference the hospital prints on the bill (HZD + the settlement's number)."""
    return f"HZD{discharge.pk:010d}"


def _serial(text) -> str:
    serial = serial_form(text)
    if not serial or len(serial) > 40 or set(serial) - SERIAL_CHARS:
        raise ValidationFailed("invalid_serial", _("结算流水号应为 1 至 40 位字母、数字、“-”或“_”"), field="serial")
    return serial


def _checked(fields: dict, hospital: PartnerHospital, today: date) -> dict:
    """The call's facts normalised and checked; ValidationFailed names the field."""
    if fields.get("hospital_code") and ascii_form(fields["hospital_code"]).strip().upper() != hospital.code:
        raise ValidationFailed("hospital_mismatch", _("定点机构编码与访问令牌所属医院（%(code)s）不符") % {"code": hospital.code},
                               field="hospital_code")
    if fields.get("patient_authorized") is not True:
        raise ValidationFailed("patient_authorization_required",
                               _("须由患者签署出院直接结算授权书（patient_authorized 为 true）"), field="patient_authorized")
    try:
        resident = parse_resident_id(ascii_form(fields.get("id_number") or "").strip().upper(), today=today)
    except ValueError as exc:
        raise ValidationFailed("invalid_id_number", str(exc), field="id_number") from exc
    try:
        name = clean_person_name(fields.get("name"))
    except ValueError as exc:
        raise ValidationFailed("invalid_name", str(exc), field="name") from exc
    admitted, discharged, settled = fields["admitted_on"], fields["discharged_on"], fields["settled_on"]
    if discharged < admitted:
        raise ValidationFailed("discharge_before_admission", _("出院日期不能早于入院日期"), field="discharged_on")
    if settled > today or discharged > today:
        raise ValidationFailed("date_in_future", _("出院或结算日期不能晚于今天"), field="settled_on")
    amounts = {}
    for name_of_amount in AMOUNT_FIELDS:
        value = fields.get(name_of_amount)
        amounts[name_of_amount] = Decimal("0.00") if value is None else Decimal(value).quantize(Decimal("0.01"))
        if amounts[name_of_amount] < 0:
            raise ValidationFailed("negative_amount", _("金额不能为负数"), field=name_of_amount)
    return {"serial": _serial(fields.get("serial")), "id_number": resident.number, "name": name,
            "admitted_on": admitted, "discharged_on": discharged, "settled_on": settled,
            "diagnosis_code": ascii_form(fields.get("diagnosis_code") or "").strip().upper()[:20], "amounts": amounts}


def _fingerprint(facts: dict) -> str:
    # The blind index, not the ID number: a hash of an ID number alone could be reversed by trying them all.
    return rules.request_fingerprint({"id": blind_index(facts["id_number"]), "name": facts["name"],
                                      "admitted_on": facts["admitted_on"], "discharged_on": facts["discharged_on"],
                                      "settled_on": facts["settled_on"], "diagnosis": facts["diagnosis_code"],
                                      **facts["amounts"]})


def _replayed(existing: DischargeSettlement, hospital: PartnerHospital, fingerprint: str) -> DischargeSettlement:
    if existing.hospital_id != hospital.pk:
        raise Conflict("serial_of_another_hospital", _("结算流水号 %(serial)s 已由另一家医院结算") % {"serial": existing.serial})
    if existing.request_sha256 != fingerprint:
        raise Conflict("serial_reused", _("结算流水号 %(serial)s 已结算过，但本次提交的信息与之前不同") % {"serial": existing.serial})
    return existing


def _answer(discharge: DischargeSettlement, outcome: "claims.DischargeAnswer | None" = None) -> dict:
    """The JSON the hospital gets (and gets again on a retry); docs/hospital-api.md is its contract."""
    answer = dict(discharge.answer or {})
    answer.update({"serial": discharge.serial, "reference": reference_of(discharge), "status": discharge.status,
                   "status_label": discharge.get_status_display(), "benefit": format_yuan(discharge.benefit_amount),
                   "claim_id": discharge.claim_id, "settled_at": timezone.localtime(discharge.settled_at).isoformat()})
    if outcome is not None:
        answer.update({"covered": outcome.settled, "plan_year": outcome.plan_year, "steps": outcome.steps,
                       "reason_code": outcome.reason_code,
                       "message": (_("互助补助金 %(amount)s 元，请从患者住院费用中抵扣") % {"amount": display_yuan(outcome.benefit)}
                                   if outcome.settled else _("请按常规申领：%(reason)s") % {"reason": outcome.reason})})
    if discharge.status == Status.CANCELLED:  # nothing is taken off the bill any more
        answer.update({"benefit": "0.00", "cancelled_at": timezone.localtime(discharge.cancelled_at).isoformat(),
                       "message": _("已撤销：%(reason)s") % {"reason": discharge.cancel_reason}})
    return answer


def settle_discharge(*, actor: HospitalActor, hospital: PartnerHospital, fields: dict,
                     today: date | None = None) -> tuple[DischargeSettlement, bool]:
    """Settle a stay at discharge, or say why not; (the settlement, whether this call made it)."""
    today = today or timezone.localdate()
    facts = _checked(fields, hospital, today)
    fingerprint = _fingerprint(facts)
    existing = DischargeSettlement.objects.filter(serial=facts["serial"]).first()
    if existing is not None:
        return _replayed(existing, hospital, fingerprint), False
    try:
        with transaction.atomic():
            return _settle(actor, hospital, facts, fingerprint, today), True
    except IntegrityError:  # a concurrent call with the serial committed first: its answer is the answer
        existing = DischargeSettlement.objects.filter(serial=facts["serial"]).first()
        if existing is None:
            raise
        return _replayed(existing, hospital, fingerprint), False


def _settle(actor, hospital, facts, fingerprint, today) -> DischargeSettlement:
    worker = worker_by_id_number(PROVINCE, facts["id_number"])
    if worker is None:
        outcome = claims.DischargeAnswer(settled=False, reason_code="not_enrolled",
                                         reason=_("未查到该身份证号的职工互助参保登记"))
    elif clean_person_name(worker.name) != facts["name"]:
        outcome = claims.DischargeAnswer(settled=False, reason_code="name_mismatch", reason=_("姓名与身份证号不符"))
    else:
        outcome = claims.settle_at_discharge(actor=actor, today=today, stay=claims.DischargeStay(
            serial=facts["serial"], worker_id=worker.pk, hospital=hospital.name, admitted_on=facts["admitted_on"],
            discharged_on=facts["discharged_on"], settled_on=facts["settled_on"],
            diagnosis_code=facts["diagnosis_code"], amounts=facts["amounts"]))
    discharge = DischargeSettlement.objects.create(
        hospital=hospital, serial=facts["serial"], request_sha256=fingerprint,
        status=Status.SETTLED if outcome.settled else Status.REFERRED, worker=worker,
        id_masked=mask_id_number(facts["id_number"]), patient_name=facts["name"], claim_id=outcome.claim_id,
        plan_year_id=outcome.plan_year_id, admitted_on=facts["admitted_on"], discharged_on=facts["discharged_on"],
        settled_on=facts["settled_on"], total_amount=facts["amounts"]["total_amount"], benefit_amount=outcome.benefit,
        reason_code=outcome.reason_code, reason=outcome.reason[:300])
    if outcome.settled and outcome.benefit > 0 and outcome.plan_year_id is not None:
        discharge.advance_entry_id = ledger.post_hospital_advance(
            actor=actor, plan_year=PlanYear.objects.get(pk=outcome.plan_year_id), discharge_id=discharge.pk,
            hospital_code=hospital.code, hospital_name=hospital.name, amount=outcome.benefit, posted_on=today).pk
    discharge.answer = _answer(discharge, outcome)
    discharge.save(update_fields=["answer", "advance_entry_id"])
    record_event(actor=actor, action=f"discharge_{discharge.status}", object_type="DischargeSettlement",
                 object_id=discharge.pk, after={"serial": discharge.serial, "hospital": hospital.code,
                                                "id_number": discharge.id_masked, "claim": discharge.claim_id,
                                                "benefit": str(discharge.benefit_amount), "reason": outcome.reason_code})
    return discharge


@transaction.atomic
def cancel_discharge(*, actor: HospitalActor, hospital: PartnerHospital, serial: str, reason: str,
                     today: date | None = None) -> DischargeSettlement:
    """The hospital cancels, the same day, a stay it settled (the bill is reopened): the claim is withdrawn and the
    ledger entries reversed. Cancelling again answers the cancellation already made."""
    today = today or timezone.localdate()
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed("reason_required", _("请填写撤销原因"), field="reason")
    discharge = (DischargeSettlement.objects.select_for_update()
                 .filter(serial=serial_form(serial), hospital=hospital).first())
    if discharge is None:
        raise NotFound(_("没有该结算流水号的出院直接结算"))
    if discharge.status == Status.CANCELLED:
        return discharge
    if discharge.status != Status.SETTLED:
        raise Conflict("not_settled", _("该笔未直接结算（%(status)s），无需撤销") % {"status": discharge.get_status_display()})
    if not rules.cancellable(timezone.localtime(discharge.settled_at).date(), today):
        raise Conflict("cancel_window_passed", _("只能在结算当日撤销；之后请由医保部门冲销原结算"))
    if discharge.batch_id is not None:
        raise Conflict("in_batch", _("该笔已列入垫付结算批次 #%(batch)s，不能撤销") % {"batch": discharge.batch_id})
    assert discharge.claim_id is not None  # a settled discharge has its claim (a check constraint)
    claims.cancel_settled_at_discharge(actor=actor, claim_id=discharge.claim_id, reason=reason, today=today)
    ledger.reverse_cause(actor=actor, cause_type="discharge", cause_id=str(discharge.pk), kind="hospital_advance",
                         reason=_("医院撤销出院结算：%(reason)s") % {"reason": reason}, posted_on=today)
    discharge.status, discharge.cancelled_at, discharge.cancel_reason = Status.CANCELLED, timezone.now(), reason
    discharge.answer = _answer(discharge)
    discharge.save(update_fields=["status", "cancelled_at", "cancel_reason", "answer"])
    record_event(actor=actor, action="discharge_cancelled", object_type="DischargeSettlement", object_id=discharge.pk,
                 after={"serial": discharge.serial, "claim": discharge.claim_id, "reason": reason})
    return discharge


def answer_of(discharge: DischargeSettlement) -> dict:
    return _answer(discharge)
