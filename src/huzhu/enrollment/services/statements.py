"""Contributions from the bank statement: layouts, the upload and its matching, bulk confirmation, the queue
of credits left over, and the union subsidy receivable. The association's work; every write audited."""
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.core.money import format_yuan, parse_money, quantize_money
from huzhu.ledger import services as ledger
from huzhu.plans.models import PlanYear
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import association_writes

from .. import bank_statements, rules
from ..models import BankStatement, BankStatementLayout, StatementLine, SubsidyReceipt
from ..queries import statements as queries
from .payments import PaymentFact, record_payments

OUT = StatementLine.Outcome
LS = StatementLine.Status
MAX_ERRORS = 200  # a file's bad rows named on the page; the count says how many more


class StatementRowsInvalid(ValidationFailed):
    """The statement has bad rows: each named (row, column, reason); nothing was stored."""

    def __init__(self, errors: list[bank_statements.RowError], total: int):
        self.errors, self.total = errors, total
        first = "；".join(_("第%(row)s行“%(column)s”：%(reason)s") % {
            "row": e.row_no, "column": e.column, "reason": _(e.reason)} for e in errors[:3])
        super().__init__("statement_rows_invalid", _("对账单有%(count)s行错误，未导入任何数据：%(first)s") % {
            "count": total, "first": first}, field="file", row=errors[0].row_no if errors else None)


def _ensure_association(actor: Actor) -> None:
    if not association_writes(scope_of(actor)):
        raise PermissionDenied(_("只有协会可以处理银行对账单"))


@transaction.atomic
def save_statement_layout(*, actor: Actor, bank_code: str, bank_name: str, columns: dict[str, str]
                          ) -> BankStatementLayout:
    """Save one bank's column mapping (header texts, alternatives separated by |); required columns must be named."""
    _ensure_association(actor)
    bank_code = bank_code.strip().lower()[:20]
    if not bank_code.isascii() or not bank_code.replace("_", "").isalnum():
        raise ValidationFailed("invalid_layout", _("银行代码只能用字母和数字"), field="bank_code")
    cleaned = {f: "|".join(bank_statements.alternatives(columns.get(f, ""))) for f in bank_statements.FIELDS}
    for required in bank_statements.REQUIRED:
        if not cleaned[required]:
            raise ValidationFailed("invalid_layout", _("请填写“%(column)s”对应的列名") % {
                "column": _(bank_statements.FIELD_LABELS[required])}, field=required)
    layout, created = BankStatementLayout.objects.update_or_create(
        bank_code=bank_code, defaults={"bank_name": bank_name.strip()[:50] or bank_code, "saved_by": user_of(actor),
                                       **cleaned})
    record_event(actor=actor, action="save_statement_layout", object_type="BankStatementLayout", object_id=layout.pk,
                 after={"bank_code": bank_code, "created": created, **cleaned})
    return layout


@dataclass
class StatementImport:
    """What an upload did: the statement (None when every credit was imported before) and its counts."""

    statement: BankStatement | None
    credits: int = 0
    debits: int = 0
    duplicates: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def _serial_key(credit: bank_statements.StatementCredit, seen: dict[str, int]) -> str:
    if credit.serial:
        return credit.serial
    # No serial from the bank: the row's facts, numbered by occurrence so two equal transfers stay two.
    facts = f"{credit.booked_on}|{credit.amount}|{credit.payer_account}|{credit.payer_name}|{credit.remark}"
    digest = "H:" + hashlib.sha256(facts.encode()).hexdigest()[:60]
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}:{seen[digest]}"


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def import_bank_statement(*, actor: Actor, bank_code: str, file_name: str, stream: IO[bytes]) -> StatementImport:
    """Read a statement (streamed), match its new credits to enrollments awaiting payment and store them at once.

    Debits are counted, not stored. A credit whose bank serial is already stored is skipped (a
    re-upload adds nothing). Any bad row refuses the whole file with every bad row named.
    """
    _ensure_association(actor)
    layout = queries.layout_for(bank_code)
    if not layout:
        raise ValidationFailed("unknown_bank", _("未知的银行格式：%(bank)s") % {"bank": bank_code}, field="bank")
    if stream is None:
        raise ValidationFailed("no_file", _("请选择对账单文件"), field="file")
    sha256 = _sha256(stream)
    credits: list[bank_statements.StatementCredit] = []
    errors: list[bank_statements.RowError] = []
    error_total = debits = 0
    keys: dict[str, int] = {}
    fingerprints: dict[str, int] = {}
    try:
        for row in bank_statements.read_statement(bank_statements.table_rows(stream, file_name), layout):
            if isinstance(row, bank_statements.StatementDebit):
                debits += 1
                continue
            if isinstance(row, bank_statements.StatementCredit):
                key = _serial_key(row, fingerprints)
                if key in keys:
                    row = bank_statements.RowError(row.row_no, _("交易流水号"), _("流水号与第%(row)s行重复") % {
                        "row": keys[key]})
                else:
                    keys[key] = row.row_no
                    credits.append(row)
                    continue
            error_total += 1
            if len(errors) < MAX_ERRORS:
                errors.append(row)
    except bank_statements.UnreadableStatement as exc:
        raise ValidationFailed("bad_statement", _(exc.msgid) % exc.params if exc.params else _(exc.msgid),
                               field="file") from exc
    if errors:
        raise StatementRowsInvalid(errors, error_total)
    return _store(actor=actor, layout=layout, file_name=file_name, sha256=sha256, debits=debits,
                  credits=[(key, credit) for key, credit in zip(keys, credits, strict=True)])


@transaction.atomic
def _store(*, actor: Actor, layout: dict, file_name: str, sha256: str, debits: int,
           credits: list[tuple[str, bank_statements.StatementCredit]]) -> StatementImport:
    bank_code = layout["bank_code"]
    stored: set[str] = set()
    all_keys = [key for key, _credit in credits]
    for start in range(0, len(all_keys), 500):
        stored |= set(StatementLine.objects.filter(bank_code=bank_code, serial_key__in=all_keys[start:start + 500])
                      .values_list("serial_key", flat=True))
    fresh = [(key, credit) for key, credit in credits if key not in stored]
    result = StatementImport(None, credits=len(fresh), debits=debits, duplicates=len(credits) - len(fresh))
    if not fresh:
        return result
    pool = rules.AwaitingPool(queries.awaiting_payments())
    statement = BankStatement.objects.create(
        bank_code=bank_code, bank_name=layout["bank_name"], file_name=file_name[:200], file_sha256=sha256,
        first_on=min(c.booked_on for _k, c in fresh), last_on=max(c.booked_on for _k, c in fresh),
        credit_count=len(fresh), credit_amount=sum((c.amount for _k, c in fresh), Decimal("0.00")),
        debit_count=debits, duplicate_count=result.duplicates, uploaded_by=user_of(actor))
    lines = []
    for key, credit in fresh:
        match = rules.match_credit(rules.Credit(credit.amount, credit.payer_name, credit.remark), pool)
        pool.take(match.enrollment_id)
        result.outcomes[match.outcome] = result.outcomes.get(match.outcome, 0) + 1
        lines.append(StatementLine(
            statement=statement, row_no=credit.row_no, bank_code=bank_code, serial_key=key, booked_on=credit.booked_on,
            amount=credit.amount, payer_name=credit.payer_name, payer_account=credit.payer_account,
            remark=credit.remark, outcome=match.outcome, enrollment_id=match.enrollment_id,
            difference_amount=match.difference_amount,
            candidates=[{"enrollment": c.enrollment_id, "score": c.score, "reason": c.reason}
                        for c in match.candidates]))
    StatementLine.objects.bulk_create(lines, batch_size=1000)
    result.statement = statement
    record_event(actor=actor, action="import_bank_statement", object_type="BankStatement", object_id=statement.pk,
                 after={"bank": bank_code, "file": file_name[:200], "sha256": sha256, "credits": len(fresh),
                        "amount": format_yuan(statement.credit_amount), "debits": debits,
                        "duplicates": result.duplicates, "outcomes": result.outcomes})
    return result


@transaction.atomic
def confirm_statement_lines(*, actor: Actor, line_ids: Sequence[int], today: date | None = None) -> int:
    """Confirm matched credits in one go: each pays its enrollment (record_payments: coverages start the day after
    the credit's date, the same ledger entries as a typed payment). A line already confirmed, or no longer a clean
    match, refuses the batch; returns how many were confirmed."""
    _ensure_association(actor)
    ids = sorted(set(line_ids))
    if not ids:
        raise ValidationFailed("no_lines", _("请勾选要确认的收入"), field="lines")
    rows = list(StatementLine.objects.filter(pk__in=ids, status=LS.OPEN, outcome=OUT.MATCHED, enrollment__isnull=False)
                .values_list("pk", "enrollment_id", "amount", "booked_on", "serial_key"))
    # The conditional update is the guard: a line confirmed (or changed) meanwhile is not moved twice.
    moved = StatementLine.objects.filter(pk__in=[r[0] for r in rows], status=LS.OPEN, outcome=OUT.MATCHED).update(
        status=LS.CONFIRMED, resolved_by=user_of(actor), resolved_at=timezone.now())
    if moved != len(ids):
        raise Conflict("line_not_confirmable", _("所选%(asked)s笔中有%(refused)s笔已确认、已处理或不是唯一匹配，未作任何确认，请刷新后重试") % {
            "asked": len(ids), "refused": len(ids) - moved})
    record_payments(actor=actor, payments=[PaymentFact(enrollment, amount, booked_on, serial[:60])
                                           for _pk, enrollment, amount, booked_on, serial in rows], today=today)
    record_event(actor=actor, action="confirm_statement_lines", object_type="StatementLine",
                 object_id=f"{len(ids)} rows",
                 after={"lines": ids[:500], "enrollments": [r[1] for r in rows][:500],
                        "amount": format_yuan(sum((r[2] for r in rows), Decimal("0.00")))})
    return moved


@transaction.atomic
def assign_statement_line(*, actor: Actor, line: StatementLine, reference: str, today: date | None = None
                          ) -> StatementLine:
    """Assign an open credit to the enrollment a person names (its payment reference or number).

    The amount equal to the due: the credit is confirmed at once. Otherwise it stays open as over- or
    underpaid with the difference stated; nothing is applied.
    """
    _ensure_association(actor)
    enrollment = queries.awaiting_enrollment(reference)
    if enrollment is None:
        raise ValidationFailed("not_awaiting_payment", _("“%(ref)s”不是待缴费的参互（请填缴费编号HZ…或参互编号）") % {
            "ref": reference.strip()[:30]}, field="reference")
    difference = quantize_money(line.amount - enrollment.due_amount)
    outcome = OUT.MATCHED if difference == 0 else OUT.OVERPAID if difference > 0 else OUT.UNDERPAID
    before = {"outcome": line.outcome, "enrollment": line.enrollment_id}
    if not StatementLine.objects.filter(pk=line.pk, status=LS.OPEN).update(
            enrollment=enrollment, outcome=outcome, difference_amount=difference,
            candidates=[{"enrollment": enrollment.pk, "score": 100, "reason": "人工指定"}]):
        raise Conflict("line_not_open", _("该笔收入已被处理，请刷新"))
    record_event(actor=actor, action="assign_statement_line", object_type="StatementLine", object_id=line.pk,
                 before=before, after={"outcome": outcome, "enrollment": enrollment.pk,
                                       "difference": format_yuan(difference)})
    if outcome == OUT.MATCHED:
        confirm_statement_lines(actor=actor, line_ids=[line.pk], today=today)
    line.refresh_from_db()
    return line


@transaction.atomic
def dismiss_statement_line(*, actor: Actor, line: StatementLine, reason: str) -> StatementLine:
    """Mark an open credit as no contribution (a refund, another fee…), with the reason; it leaves the queue."""
    _ensure_association(actor)
    reason = reason.strip()[:200]
    if not reason:
        raise ValidationFailed("reason_required", _("请填写原因"), field="reason")
    if not StatementLine.objects.filter(pk=line.pk, status=LS.OPEN).update(
            status=LS.DISMISSED, dismissed_reason=reason, resolved_by=user_of(actor), resolved_at=timezone.now()):
        raise Conflict("line_not_open", _("该笔收入已被处理，请刷新"))
    record_event(actor=actor, action="dismiss_statement_line", object_type="StatementLine", object_id=line.pk,
                 before={"status": LS.OPEN}, after={"status": LS.DISMISSED, "reason": reason})
    line.refresh_from_db()
    return line


@transaction.atomic
def record_subsidy_receipt(*, actor: Actor, plan_year: PlanYear, league_code: str, amount: Decimal | str,
                           received_on: date, bank_reference: str, note: str = "",
                           today: date | None = None) -> SubsidyReceipt:
    """Record union subsidy a league's union paid: at most what it still owes; the ledger clears 1221 by as much."""
    _ensure_association(actor)
    today = today or timezone.localdate()
    try:
        amount = parse_money(amount)
    except ValueError as exc:
        raise ValidationFailed("invalid_amount", str(exc), field="amount") from exc
    if amount <= 0:
        raise ValidationFailed("invalid_amount", _("到账金额必须大于零"), field="amount")
    if received_on > today:
        raise ValidationFailed("invalid_date", _("到账日期不能晚于今天"), field="received_on")
    bank_reference = bank_reference.strip()[:60]
    if not bank_reference:
        raise ValidationFailed("invalid_bank_reference", _("请填写银行流水号"), field="bank_reference")
    PlanYear.objects.select_for_update().filter(pk=plan_year.pk).first()  # one receipt of a year at a time
    owed, received = queries.subsidy_owed(plan_year, league_code)
    if amount > owed - received:
        raise ValidationFailed("subsidy_over_owed", _("到账%(amount)s元超过该盟市工会尚欠的补贴%(outstanding)s元") % {
            "amount": format_yuan(amount), "outstanding": format_yuan(owed - received)}, field="amount")
    if SubsidyReceipt.objects.filter(plan_year=plan_year, league_id=league_code, bank_reference=bank_reference).exists():
        raise Conflict("subsidy_receipt_exists", _("流水号%(ref)s的补贴到账已登记") % {"ref": bank_reference})
    receipt = SubsidyReceipt.objects.create(plan_year=plan_year, league_id=league_code, amount=amount,
                                            received_on=received_on, bank_reference=bank_reference,
                                            note=note.strip()[:200], recorded_by=user_of(actor))
    ledger.post_subsidy_received(actor=actor, plan_year=plan_year, receipt_id=receipt.pk, amount=amount,
                                 posted_on=received_on)
    total = SubsidyReceipt.objects.filter(plan_year=plan_year, league_id=league_code).aggregate(t=Sum("amount"))["t"]
    record_event(actor=actor, action="record_subsidy_receipt", object_type="SubsidyReceipt", object_id=receipt.pk,
                 after={"plan_year": plan_year.pk, "league": league_code, "amount": format_yuan(amount),
                        "received_on": received_on.isoformat(), "bank_reference": bank_reference,
                        "outstanding": format_yuan(owed - total)})
    return receipt

