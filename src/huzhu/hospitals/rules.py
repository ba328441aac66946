"""The hospital contract's pure parts: tokens, the request fingerprint, the same-day rule, the statement and its
reconciliation. No Django here (STYLE.md)."""
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from huzhu.core.identifiers import ascii_form, serial_form
from huzhu.core.money import quantize_money
from huzhu.core.translation import TranslatableError, gettext_noop

TOKEN_PREFIX = "hzh_"
# The header the TLS proxy sets to the verified client certificate's SHA-256 fingerprint (docs/hospital-api.md).
CERTIFICATE_HEADER = "HTTP_X_CLIENT_CERT_SHA256"
# The hospital's statement (对账单): one row per stay it settled in the batch's period.
STATEMENT_HEADER = ("结算流水号", "互助补助金")


def request_fingerprint(fields: Mapping[str, object]) -> str:
    """SHA-256 of a discharge call's facts in one canonical form: a retry with the same facts matches it, the
    same serial with other facts does not (the hospital is told, instead of getting the first answer)."""
    canonical = json.dumps({k: str(v) for k, v in sorted(fields.items())}, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def normalise_fingerprint(text: str) -> str:
    """A certificate fingerprint as typed or as a proxy sends it ("AB:CD:…", spaces, full-width), or openssl's whole
    line ("sha256 Fingerprint=AB:CD:…"): 64 hex, lower."""
    text = ascii_form(text).rsplit("=", 1)[-1]
    return "".join(ch for ch in text.lower() if ch in "0123456789abcdef")


def cancellable(settled_on_day: date, today: date) -> bool:
    """A settlement is cancelled by the hospital only the day it was made (the bill is reopened that day)."""
    return settled_on_day == today


class StatementProblem(TranslatableError):
    """The statement cannot be read: its header, or a row (named)."""


@dataclass(frozen=True)
class StatementLine:
    row_no: int
    serial: str
    amount: Decimal


def read_statement(rows: Iterable[list]) -> list[StatementLine]:
    """The statement's rows after its header; StatementProblem names the first bad row and field."""
    iterator = iter(rows)
    try:
        header = ["".join(str(c or "").split()).lstrip("\ufeff") for c in next(iterator)]
    except StopIteration:
        raise StatementProblem(gettext_noop("对账单为空")) from None
    positions = {name: header.index(name) for name in STATEMENT_HEADER if name in header}
    if len(positions) < len(STATEMENT_HEADER):
        raise StatementProblem(gettext_noop("对账单表头缺少列：%(missing)s。表头须包含：%(header)s"), {
            "missing": "、".join(n for n in STATEMENT_HEADER if n not in positions), "header": "，".join(STATEMENT_HEADER)})
    lines: list[StatementLine] = []
    seen: dict[str, int] = {}
    for row_no, row in enumerate(iterator, start=2):
        if not any(str(c).strip() for c in row if c is not None):
            continue
        padded = list(row) + [""] * len(STATEMENT_HEADER)
        serial = serial_form(padded[positions["结算流水号"]])
        text = serial_form(padded[positions["互助补助金"]]).replace(",", "")
        if not serial:
            raise StatementProblem(gettext_noop("第 %(row)s 行：结算流水号为空"), {"row": row_no})
        if serial in seen:
            raise StatementProblem(gettext_noop("第 %(row)s 行：结算流水号 %(serial)s 与第 %(first)s 行重复"),
                                   {"row": row_no, "serial": serial, "first": seen[serial]})
        try:
            amount = quantize_money(Decimal(text))
        except (InvalidOperation, ValueError):
            raise StatementProblem(gettext_noop("第 %(row)s 行：互助补助金“%(text)s”不是金额"), {"row": row_no, "text": text}) from None
        if amount < 0:
            raise StatementProblem(gettext_noop("第 %(row)s 行：互助补助金不能为负数"), {"row": row_no})
        seen[serial] = row_no
        lines.append(StatementLine(row_no, serial, amount))
    return lines


@dataclass(frozen=True)
class Reconciled:
    agreed: dict[str, Decimal]           # serial -> amount, on both sides and equal
    disputed: dict[str, tuple[Decimal | None, str]]  # serial -> (the hospital's amount or None, reason)
    extra: list[dict]                    # on the statement and not in the batch


def reconcile(ours: Mapping[str, Decimal], theirs: Iterable[StatementLine]) -> Reconciled:
    """Our lines of the batch against the hospital's statement: equal amounts agree; a different amount, or a line
    missing from the statement, is disputed; a statement line the batch does not hold is listed as extra."""
    statement = {line.serial: line for line in theirs}
    agreed: dict[str, Decimal] = {}
    disputed: dict[str, tuple[Decimal | None, str]] = {}
    for serial, amount in ours.items():
        line = statement.get(serial)
        if line is None:
            disputed[serial] = (None, "医院对账单中没有此笔")
        elif line.amount != amount:
            disputed[serial] = (line.amount, f"金额不符：医院 {line.amount}，本系统 {amount}")
        else:
            agreed[serial] = amount
    extra = [{"row": line.row_no, "serial": line.serial, "amount": str(line.amount)}
             for serial, line in statement.items() if serial not in ours]
    return Reconciled(agreed, disputed, extra)
