"""Every write to payouts: build, approve, cancel, export, send, reconcile a batch; fix a failed payout.

Money and the books: sending a batch to the bank posts each payout as paid in the ledger (the bank
debits the fund's account when it runs the file); a line the bank returns as failed posts the
reversal, so the benefit is payable again. A paid line moves the claim to paid. A return file
is all or nothing: one bad line and nothing of the file is applied.
"""
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.claims import services as claim_services
from huzhu.claims.services import history as claim_history
from huzhu.claims.workflow import Status as ClaimStatus
from huzhu.core.actors import StaffActor
from huzhu.core.errors import Conflict, DomainError, ValidationFailed
from huzhu.core.money import ZERO, format_yuan
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger import services as ledger
from huzhu.members import services as member_services
from huzhu.plans.models import Plan, PlanYear
from huzhu.regions.models import Division
from huzhu.regions.queries import scope_of

from .. import bank_files, bank_layouts, iso20022, queries, rules
from ..models import BankFileTemplate, Payout, PayoutBatch, PayoutBatchStatusChange, ReturnImport
from ..workflow import BATCH, PAYOUT, BatchAction, PayoutAction

# The association's bank-file layouts (every change audited).
from .bank_templates import copy_bank_file_template as copy_bank_file_template
from .bank_templates import save_bank_file_template as save_bank_file_template

B = PayoutBatch.Status
P = Payout.Status


def _locked(batch: PayoutBatch) -> PayoutBatch:
    """The batch row under FOR UPDATE: moves of one batch (approve, send, import) queue here."""
    return PayoutBatch.objects.select_for_update().get(pk=batch.pk)


def _refresh(batch: PayoutBatch, into: PayoutBatch) -> PayoutBatch:
    for name in ("status", "approved_by_id", "approved_at", "exported_at", "sent_by_id", "sent_on", "sent_at",
                 "reconciled_at", "cancelled_by_id", "cancelled_at", "paid_count", "paid_amount", "failed_count",
                 "failed_amount", "payout_count", "total_amount"):
        setattr(into, name, getattr(batch, name))
    return into


# ---------------------------------------------------------------- build, approve, cancel


@transaction.atomic
def build_batch(*, actor: StaffActor, filters: rules.BatchFilters) -> PayoutBatch:
    """Put every approved unpaid claim matching the filters into a new draft batch, one payout each."""
    scope = scope_of(actor)
    problem = filters.problem()
    if problem:
        raise ValidationFailed("invalid_filters", problem, field="approved_to")
    claims = list(queries.claims_ready_for_payout(scope, filters).select_related("worker"))
    if not claims:
        raise ValidationFailed("nothing_to_pay", _("没有符合条件的待支付申领"), field="plan")
    earlier = dict(Payout.objects.filter(claim_id__in=[c.pk for c in claims]).order_by().values("claim_id")
                   .annotate(n=Count("pk")).values_list("claim_id", "n"))
    names = dict(Plan.objects.values_list("code", "name"))
    names.update(Division.objects.filter(code__in=[filters.league, filters.county]).values_list("code", "name"))
    batch = PayoutBatch.objects.create(
        created_by=actor, filters=filters.as_json(), filters_label=rules.filters_label(filters, names)[:300],
        payout_count=len(claims), total_amount=sum((c.benefit_amount for c in claims), ZERO))
    payouts = []
    for claim in claims:
        attempt = earlier.get(claim.pk, 0) + 1
        payouts.append(Payout(
            batch=batch, claim=claim, plan_year_id=claim.plan_year_id, league_id=claim.league_id,
            county_id=claim.county_id, unit_id=claim.unit_id, attempt=attempt,
            reference=rules.payout_reference(claim.pk, attempt), amount=claim.benefit_amount,
            payee_name=claim.worker.name, bank_name=claim.worker.bank_name,
            bank_account_encrypted=claim.worker.bank_account_encrypted,
            bank_account_masked=claim.worker.bank_account_masked))
    try:
        with transaction.atomic():
            Payout.objects.bulk_create(payouts, batch_size=1000)
    except IntegrityError as exc:  # another batch took some of these claims meanwhile
        raise Conflict("claims_taken", _("部分申领刚被其他批次选中，请重新生成批次")) from exc
    record_event(actor=actor, action="build_payout_batch", object_type="PayoutBatch", object_id=batch.pk,
                 after={"filters": filters.as_json(), "payouts": batch.payout_count,
                        "total": format_yuan(batch.total_amount)})
    return batch


@transaction.atomic
def approve_batch(*, actor: StaffActor, batch: PayoutBatch) -> PayoutBatch:
    """The checker approves a draft batch; the maker may not check their own batch."""
    locked = _locked(batch)
    BATCH.move(actor=actor, record=locked, action=BatchAction.APPROVE,
               updates={"approved_by": actor, "approved_at": timezone.now()},
               audit_after={"payouts": locked.payout_count, "total": format_yuan(locked.total_amount)})
    return _refresh(locked, batch)


@transaction.atomic
def cancel_batch(*, actor: StaffActor, batch: PayoutBatch, reason: str) -> PayoutBatch:
    """Void a batch not yet sent: its payouts are cancelled and the claims can go into a new batch."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("reason_required", _("请填写作废原因"), field="reason")
    locked = _locked(batch)
    BATCH.move(actor=actor, record=locked, action=BatchAction.CANCEL, note=reason,
               updates={"cancelled_by": actor, "cancelled_at": timezone.now()}, audit_after={"reason": reason[:200]})
    PAYOUT.move_all(Payout.objects.filter(batch=locked), action=PayoutAction.CANCEL)
    # A settlement reversal that waited for this batch cancels its claim now that the benefit is not being paid.
    claim_services.apply_held_reversals(actor=actor,
                                        claim_ids=list(Payout.objects.filter(batch=locked).values_list("claim_id", flat=True)))
    return _refresh(locked, batch)


# ---------------------------------------------------------------- the bank file and sending


@transaction.atomic
def record_bank_file_export(*, actor: StaffActor, batch: PayoutBatch, file_format: str, layout: str = "") -> PayoutBatch:
    """Note that the bank file (clear account numbers) was exported, in which layout; only an approved batch has one."""
    locked = _locked(batch)
    BATCH.check(actor=actor, record=locked, action=BatchAction.EXPORT)
    if locked.exported_at is None:
        locked.exported_at = timezone.now()
        locked.save(update_fields=["exported_at"])
    record_event(actor=actor, action="export_bank_file", object_type="PayoutBatch", object_id=locked.pk,
                 after={"format": file_format, **({"layout": layout[:60]} if layout else {}),
                        "payouts": locked.payout_count, "total": format_yuan(locked.total_amount)})
    return _refresh(locked, batch)


@transaction.atomic
def mark_batch_sent(*, actor: StaffActor, batch: PayoutBatch, sent_on: date) -> PayoutBatch:
    """The bank file went to the bank on `sent_on`: payouts are sent and booked as paid from the bank account."""
    locked = _locked(batch)
    checked = BATCH.check(actor=actor, record=locked, action=BatchAction.SEND)
    if sent_on > timezone.localdate():
        raise ValidationFailed("invalid_sent_on", _("送银行日期不能晚于今天"), field="sent_on")
    payouts = Payout.objects.filter(batch=locked, status=P.PENDING).select_related("plan_year").order_by("pk")
    for payout in payouts.iterator(chunk_size=500):
        try:
            ledger.post_payout_paid(actor=actor, plan_year=payout.plan_year, payout_id=payout.pk,
                                    amount=payout.amount, posted_on=sent_on)
        except DomainError as exc:
            raise Conflict(exc.code, _("支付参考号 %(reference)s：%(message)s") % {
                "reference": payout.reference, "message": exc.message}) from exc
    PAYOUT.move_all(Payout.objects.filter(batch=locked), action=PayoutAction.SEND)
    BATCH.move(actor=actor, record=locked, action=BatchAction.SEND, checked=checked,
               updates={"sent_by": actor, "sent_on": sent_on, "sent_at": timezone.now()},
               audit_after={"sent_on": sent_on.isoformat(), "total": format_yuan(locked.total_amount)})
    return _refresh(locked, batch)


# ---------------------------------------------------------------- the bank's return file


@dataclass
class ImportReport:
    """What a return file did: lines newly paid or failed, lines already applied, or why it was refused."""

    file_name: str
    lines: int = 0
    paid: int = 0
    failed: int = 0
    unchanged: int = 0
    problems: list[rules.LineProblem] = field(default_factory=list)
    reconciled: bool = False
    pending: int = 0  # lines a pain.002 says the bank is still processing

    @property
    def applied(self) -> bool:
        return not self.problems


class _Rejected(Exception):
    def __init__(self, report: ImportReport):
        self.report = report


def import_return_file(*, actor: StaffActor, batch: PayoutBatch, file_name: str, content: bytes,
                       template: BankFileTemplate | None = None, today: date | None = None) -> ImportReport:
    """Apply the bank's answer to a sent batch, all or nothing; a line applied before changes nothing.

    The answer is a pain.002 status report (XML), a return file in the template's layout, or one
    with the generic layout's column names. Problems come back per line in the report (and nothing
    is written); a file that cannot be read at all, or a status report of another batch, raises.
    Imports of one batch queue on the batch row, so the same file imported twice, even at once,
    pays each claim once.
    """
    lines, problems, pending, layout = _read_answer(batch=batch, file_name=file_name, content=content,
                                                    template=template)
    try:
        with transaction.atomic():
            report = _apply_return_lines(actor=actor, batch=batch, file_name=file_name, content=content,
                                         lines=lines, today=today or timezone.localdate(), problems=problems,
                                         layout=layout)
            report.pending = pending
            if report.problems:
                raise _Rejected(report)
    except _Rejected as rejected:
        return rejected.report
    return report


def _read_answer(*, batch: PayoutBatch, file_name: str, content: bytes, template: BankFileTemplate | None):
    """(lines, problems found tying them to payouts, lines still pending at the bank, the layout's name)."""
    if iso20022.looks_like_xml(content, file_name):
        references = (Payout.objects.filter(batch=batch).exclude(status=P.CANCELLED).order_by("pk")
                      .values_list("reference", "amount").iterator(chunk_size=2000))
        try:
            status = iso20022.read_pain002(content, all_references=references)
        except iso20022.StatusReportProblem as exc:
            raise ValidationFailed("invalid_return_file", str(exc), field="file") from exc
        if status.original_message_id != batch.number:
            raise Conflict("report_of_another_batch", _("该状态报告对应的原报文是“%(other)s”，不是本批次 %(batch)s 的银行文件") % {
                "other": status.original_message_id, "batch": batch.number})
        if not status.lines:
            raise ValidationFailed("nothing_to_reconcile", _("状态报告中的 %(count)s 笔仍在银行处理中，暂无可对账的结果") % {
                "count": status.pending}, field="file")
        return status.lines, [], status.pending, "pain.002"
    try:
        if template is None or not template.return_layout().is_mapped:
            return bank_files.read_return_file(content, file_name), [], 0, template.name if template else ""
        layout = template.return_layout()
        keyed = bank_files.read_layout_return_file(content, file_name, layout, delimiter=template.delimiter or ",")
    except bank_files.ReturnFileProblem as exc:
        raise ValidationFailed("invalid_return_file", str(exc), field="file") from exc
    serials, accounts = bank_files.return_indexes(batch, by_account=layout.key_name() == "account")
    lines, problems = bank_layouts.tie_to_payouts(keyed, by_serial=serials, by_account=accounts)
    return lines, problems, 0, template.name


def _apply_return_lines(*, actor: StaffActor, batch: PayoutBatch, file_name: str, content: bytes,
                        lines: list[rules.ReturnLine], today: date, problems: list[rules.LineProblem],
                        layout: str) -> ImportReport:
    locked = _locked(batch)
    BATCH.check(actor=actor, record=locked, action=BatchAction.IMPORT_RETURN)
    report = ImportReport(file_name=file_name, lines=len(lines) + len(problems))
    check = rules.check_return_lines(lines, queries.payout_facts(locked), open_status=P.SENT)
    report.problems = sorted([*problems, *check.problems], key=lambda problem: problem.row)
    report.unchanged = len(check.unchanged)
    if report.problems:
        return report
    record = ReturnImport.objects.create(batch=locked, file_name=file_name[:200], imported_by=actor, layout=layout[:60],
                                         sha256=hashlib.sha256(content).hexdigest(), line_count=len(lines),
                                         unchanged_count=len(check.unchanged))
    payouts = Payout.objects.select_related("claim", "plan_year").in_bulk([d.payout_id for d in check.decisions])
    for decision in check.decisions:
        try:
            _settle(actor=actor, payout=payouts[decision.payout_id], decision=decision, record=record,
                    sent_on=locked.sent_on or today, today=today)
        except DomainError as exc:
            report.problems.append(rules.LineProblem(decision.row, decision.reference, exc.message))
            continue
        if decision.result == rules.PAID:
            report.paid += 1
        else:
            report.failed += 1
    if report.problems:
        return report
    ReturnImport.objects.filter(pk=record.pk).update(paid_count=report.paid, failed_count=report.failed)
    report.reconciled = _update_batch_totals(actor, locked, batch)
    record_event(actor=actor, action="import_bank_return", object_type="PayoutBatch", object_id=locked.pk,
                 after={"file": file_name[:100], "layout": layout[:60], "lines": len(lines), "paid": report.paid,
                        "failed": report.failed, "unchanged": report.unchanged, "status": locked.status})
    return report


def _settle(*, actor: StaffActor, payout: Payout, decision: rules.LineDecision, record: ReturnImport, sent_on: date,
            today: date) -> None:
    """One line of the return file: the payout paid (claim paid) or failed (ledger reversal)."""
    if decision.result == rules.PAID:
        action, changes = PayoutAction.PAY, {"paid_on": today}
    else:
        action, changes = PayoutAction.FAIL, {"failed_on": today}
    PAYOUT.move(actor=actor, record=payout, action=action,
                updates={**changes, "bank_reason": decision.reason, "return_import": record})
    if decision.result == rules.PAID:
        # Posted when the batch was sent; asking again checks the books agree (idempotent per payout).
        ledger.post_payout_paid(actor=actor, plan_year=payout.plan_year, payout_id=payout.pk, amount=payout.amount,
                                posted_on=sent_on)
        claim_services.mark_claim_paid(actor=actor, claim=payout.claim,
                                       comment=f"银行已付款（支付参考号 {payout.reference}）")
    else:
        ledger.post_payout_failed(actor=actor, plan_year=payout.plan_year, payout_id=payout.pk, posted_on=today,
                                  reason=decision.reason)
        # A settlement reversal held while the line was at the bank cancels the claim: nothing is left to resolve.
        if claim_services.apply_held_reversals(actor=actor, claim_ids=[payout.claim_id], today=today):
            Payout.objects.filter(pk=payout.pk).update(resolved_at=timezone.now(), resolution_note=_("医保结算已冲销，申领已撤销"))


def _update_batch_totals(actor, locked: PayoutBatch, batch: PayoutBatch) -> bool:
    """Refresh the batch's paid and failed totals; reconciled once no line waits for the bank."""
    counts = queries.batch_counts(locked)
    empty = queries.Totals(0, ZERO)
    paid, failed = counts.get(P.PAID, empty), counts.get(P.FAILED, empty)
    locked.paid_count, locked.paid_amount = paid.count, paid.amount
    locked.failed_count, locked.failed_amount = failed.count, failed.amount
    locked.save(update_fields=["paid_count", "paid_amount", "failed_count", "failed_amount"])
    reconciled = P.SENT not in counts and BATCH.transition_for(locked.status, BatchAction.RECONCILE) is not None
    if reconciled:
        BATCH.move(actor=actor, record=locked, action=BatchAction.RECONCILE, updates={"reconciled_at": timezone.now()},
                   audit_after={"paid": paid.count, "failed": failed.count})
    _refresh(locked, batch)
    return reconciled


# ---------------------------------------------------------------- batches that ran before (history)


@transaction.atomic
def record_past_settlement(*, actor: StaffActor, batch: PayoutBatch, made: datetime, sent: datetime,
                           paid: datetime, file_name: str) -> PayoutBatch:
    """An approved batch whose bank file was exported, recorded as sent at `sent` and all paid at `paid`.

    What `mark_batch_sent` and an all-paid return file do, one statement per table rather than one
    per payout (a load of past batches: the demo's history), dated as then: each payout posted as
    paid from the bank on the day sent (the entry of `ledger.services.post_payout_paid`), the
    batch's moves (send, reconcile) and its lines' through the workflow tables, its history dated
    from `made` (built and approved) on, each claim moved to paid by
    claims.services.history.record_past_payments. Raises RuntimeError if a claim is no longer approved.
    """
    locked = _locked(batch)
    checked = BATCH.check(actor=actor, record=locked, action=BatchAction.SEND)  # approved, bank file exported
    rows = list(Payout.objects.filter(batch=locked, status=P.PENDING).order_by("pk")
                .values_list("pk", "claim_id", "plan_year_id", "amount", "reference"))
    sent_on, paid_on = timezone.localtime(sent).date(), timezone.localtime(paid).date()
    drafts: dict[int, list] = defaultdict(list)
    for pk, _claim, plan_year_id, amount, _reference in rows:
        drafts[plan_year_id].append(ledger_rules.payout_paid_draft(pk, amount, sent_on))
    for plan_year_id, year_drafts in sorted(drafts.items()):
        ledger.post_entries(actor=actor, plan_year=PlanYear.objects.get(pk=plan_year_id), drafts=year_drafts)
    content = b"".join(bank_files.csv_chunks(rules.RETURN_FILE_HEADERS, bank_files.return_template_rows(locked)))
    record = ReturnImport.objects.create(batch=locked, file_name=file_name[:200], imported_by=actor,
                                         sha256=hashlib.sha256(content).hexdigest(), line_count=len(rows),
                                         paid_count=len(rows))
    ReturnImport.objects.filter(pk=record.pk).update(imported_at=paid)
    lines = Payout.objects.filter(batch=locked)
    PAYOUT.move_all(lines, action=PayoutAction.SEND)
    PAYOUT.move_all(lines, action=PayoutAction.PAY, updates={"paid_on": paid_on, "return_import": record,
                                                             "created_at": made})
    try:
        claim_history.record_past_payments(actor=actor, at=paid, payments=[
            (claim_id, f"银行已付款（支付参考号 {reference}）") for _pk, claim_id, _year, _amount, reference in rows])
    except RuntimeError as exc:
        raise RuntimeError(f"{locked}: {exc}") from exc
    total = sum((row[3] for row in rows), ZERO)
    BATCH.move(actor=actor, record=locked, action=BatchAction.SEND, checked=checked, audited=False,
               updates={"sent_by": actor, "sent_on": sent_on, "sent_at": sent})
    BATCH.move(actor=actor, record=locked, action=BatchAction.RECONCILE, audited=False,
               updates={"reconciled_at": paid, "paid_count": len(rows), "paid_amount": total})
    approved = made + timedelta(hours=2)
    PayoutBatch.objects.filter(pk=locked.pk).update(created_at=made, approved_at=approved,
                                                    exported_at=made + timedelta(hours=3))
    for action, at in ((BatchAction.APPROVE, approved), (BatchAction.SEND, sent), (BatchAction.RECONCILE, paid)):
        PayoutBatchStatusChange.objects.filter(batch=locked, action=action).update(at=at)
    record_bulk_event(actor=actor, action="record_past_payout_batch", object_type="Payout",
                      object_ids=[row[0] for row in rows],
                      summary={"batch": locked.number, "sent_on": sent_on.isoformat(), "paid_on": paid_on.isoformat(),
                               "payouts": len(rows), "total": format_yuan(total)})
    locked.refresh_from_db()
    return _refresh(locked, batch)


# ---------------------------------------------------------------- failed payouts


@transaction.atomic
def resolve_failed_payout(*, actor: StaffActor, payout: Payout, bank_name: str = "", bank_account: str = "",
                          note: str = "") -> Payout:
    """After a failed payout: record the worker's corrected bank account (members service, audited),
    or say why the same account is right; the claim can then go into a new batch with a new payout."""
    locked = Payout.objects.select_for_update().select_related("claim__worker").get(pk=payout.pk)
    if locked.status != P.FAILED or locked.resolved_at is not None:
        raise Conflict("not_waiting", _("支付 %(reference)s 不在待处理的失败队列中") % {"reference": locked.reference})
    if locked.claim.status != ClaimStatus.APPROVED:
        raise Conflict("claim_not_approved", _("申领 #%(number)s 已不是“已审批待支付”状态") % {"number": locked.claim_id})
    note = (note or "").strip()
    if bank_account.strip():
        member_services.change_bank_account(
            actor=actor, worker=locked.claim.worker, bank_name=bank_name or locked.bank_name,
            bank_account=bank_account,
            reason=f"支付 {locked.reference} 失败（{locked.bank_reason}）后更正" + (f"：{note}" if note else ""))
        note = note or "已更正银行账户"
    elif not note:
        raise ValidationFailed("account_or_note", _("请填写更正后的银行卡号，或说明为何按原账户重新支付"), field="bank_account")
    locked.resolved_at, locked.resolved_by, locked.resolution_note = timezone.now(), actor, note[:200]
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    record_event(actor=actor, action="resolve_failed_payout", object_type="Payout", object_id=locked.pk,
                 before={"status": P.FAILED, "bank_reason": locked.bank_reason},
                 after={"resolution": note[:200], "claim": locked.claim_id})
    payout.resolved_at, payout.resolved_by, payout.resolution_note = locked.resolved_at, actor, locked.resolution_note
    return payout
