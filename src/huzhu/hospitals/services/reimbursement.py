"""Repaying partner hospitals: a batch of the benefits one hospital advanced, its statement, the transfer.

A batch holds the hospital's settled stays up to a day that no batch holds yet. The hospital's statement
(对账单, CSV or XLSX: 结算流水号, 互助补助金) is reconciled against it: equal lines agree; a line with another
amount, or missing from the statement, is disputed and leaves the batch for the disputes queue; statement lines
the batch does not hold are listed. The agreed lines are paid in one transfer (the ledger moves the hospital's
payable to the bank, per plan year); a transfer the bank returns puts them back as not reimbursed. A dispute is
resolved by a note, and the line is again ready for the next batch.
"""
import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core import spreadsheets
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.ledger import services as ledger
from huzhu.plans.models import PlanYear

from .. import rules
from ..models import DischargeSettlement, PartnerHospital, ReimbursementBatch
from .registry import require_association

B = ReimbursementBatch.Status
D = DischargeSettlement
MAX_STATEMENT_BYTES = 20 * 1024 * 1024


def ready_to_reimburse(hospital: PartnerHospital, through: date):
    """The hospital's settled stays up to `through` in no batch, not reimbursed and not in dispute."""
    return D.objects.filter(hospital=hospital, status=D.Status.SETTLED, batch__isnull=True, reimbursed_on__isnull=True,
                            settled_on__lte=through).exclude(reconciliation=D.Reconciliation.DISPUTED)


def _locked(batch: ReimbursementBatch, *statuses: str) -> ReimbursementBatch:
    locked = ReimbursementBatch.objects.select_for_update().select_related("hospital").get(pk=batch.pk)
    if statuses and locked.status not in statuses:
        raise Conflict("batch_status", _("批次 #%(number)s 状态为“%(status)s”，不能进行此操作") % {
            "number": locked.pk, "status": locked.get_status_display()})
    return locked


def _totals(batch: ReimbursementBatch) -> None:
    lines = D.objects.filter(batch=batch)
    totals = lines.aggregate(n=Count("pk"), amount=Sum("benefit_amount"))
    agreed = lines.filter(reconciliation=D.Reconciliation.AGREED).aggregate(n=Count("pk"), amount=Sum("benefit_amount"))
    batch.count, batch.amount = totals["n"], totals["amount"] or Decimal("0.00")
    batch.agreed_count, batch.agreed_amount = agreed["n"], agreed["amount"] or Decimal("0.00")
    batch.save(update_fields=["count", "amount", "agreed_count", "agreed_amount"])


@transaction.atomic
def build_batch(*, actor: Actor, hospital: PartnerHospital, through: date) -> ReimbursementBatch:
    """A batch of every stay the hospital settled up to `through` that is ready to be reimbursed."""
    require_association(actor)
    if through >= timezone.localdate():
        raise ValidationFailed("through_not_past", _("截止日期须早于今天（当日结算可能还会撤销）"), field="through")
    PartnerHospital.objects.select_for_update().filter(pk=hospital.pk).first()  # one batch of a hospital at a time
    ready = ready_to_reimburse(hospital, through)
    if not ready.exists():
        raise Conflict("nothing_to_reimburse", _("%(name)s 截至 %(day)s 没有待结算的垫付补助金") % {
            "name": hospital.name, "day": through.isoformat()})
    batch = ReimbursementBatch.objects.create(hospital=hospital, through=through, created_by=user_of(actor))
    ready.update(batch=batch, reconciliation="", dispute_reason="", statement_amount=None)
    _totals(batch)
    record_event(actor=actor, action="hospital_batch_built", object_type="ReimbursementBatch", object_id=batch.pk,
                 after={"hospital": hospital.code, "through": through.isoformat(), "count": batch.count,
                        "amount": str(batch.amount)})
    return batch


@transaction.atomic
def import_statement(*, actor: Actor, batch: ReimbursementBatch, file_name: str, content: bytes) -> ReimbursementBatch:
    """Reconcile the batch against the hospital's statement; importing again replaces the earlier reconciliation
    (disputed lines that left the batch stay in the queue)."""
    require_association(actor)
    locked = _locked(batch, B.OPEN, B.RECONCILED)
    if not content:
        raise ValidationFailed("no_file", _("请选择医院对账单文件"), field="file")
    if len(content) > MAX_STATEMENT_BYTES:
        raise ValidationFailed("file_too_large", _("对账单超过 20MB"), field="file")
    try:
        lines = rules.read_statement(cells for _row, cells in spreadsheets.table_rows(content, file_name))
    except (spreadsheets.UnreadableTable, rules.StatementProblem) as exc:
        raise ValidationFailed("bad_file", _(exc.msgid) % exc.params, field="file") from exc
    ours = dict(D.objects.filter(batch=locked).values_list("serial", "benefit_amount"))
    result = rules.reconcile(ours, lines)
    D.objects.filter(batch=locked, serial__in=list(result.agreed)).update(
        reconciliation=D.Reconciliation.AGREED, dispute_reason="")
    for serial, (theirs, reason) in result.disputed.items():  # a handful per statement, if any
        D.objects.filter(batch=locked, serial=serial).update(
            reconciliation=D.Reconciliation.DISPUTED, dispute_reason=reason[:200], statement_amount=theirs, batch=None)
    locked.statement_name, locked.statement_sha256 = file_name[:200], hashlib.sha256(content).hexdigest()
    locked.statement_extra, locked.reconciled_at = result.extra[:500], timezone.now()
    locked.status = B.RECONCILED
    locked.save(update_fields=["statement_name", "statement_sha256", "statement_extra", "reconciled_at", "status"])
    _totals(locked)
    record_event(actor=actor, action="hospital_batch_reconciled", object_type="ReimbursementBatch", object_id=locked.pk,
                 after={"file": locked.statement_name, "agreed": len(result.agreed), "disputed": len(result.disputed),
                        "extra": len(result.extra)})
    return locked


@transaction.atomic
def mark_batch_paid(*, actor: Actor, batch: ReimbursementBatch, paid_on: date) -> ReimbursementBatch:
    """The transfer to the hospital was made: the agreed lines are reimbursed, the payable moves to the bank."""
    require_association(actor)
    locked = _locked(batch, B.RECONCILED)
    if paid_on > timezone.localdate():
        raise ValidationFailed("date_in_future", _("日期不能晚于今天"), field="paid_on")
    if locked.agreed_count == 0:
        raise Conflict("nothing_agreed", _("本批没有对账一致的记录，不能付款"))
    lines = D.objects.filter(batch=locked, reconciliation=D.Reconciliation.AGREED)
    by_year: dict[int | None, Decimal] = defaultdict(Decimal)
    for plan_year_id, amount in lines.values_list("plan_year_id", "benefit_amount"):
        by_year[plan_year_id] += amount
    for plan_year in PlanYear.objects.filter(pk__in=[pk for pk in by_year if pk is not None]).order_by("pk"):
        if by_year[plan_year.pk] > 0:
            ledger.post_hospital_reimbursed(actor=actor, plan_year=plan_year, batch_id=locked.pk,
                                            hospital_code=locked.hospital.code, hospital_name=locked.hospital.name,
                                            amount=by_year[plan_year.pk], posted_on=paid_on)
    lines.update(reimbursed_on=paid_on)
    locked.status, locked.paid_on = B.PAID, paid_on
    locked.save(update_fields=["status", "paid_on"])
    record_event(actor=actor, action="hospital_batch_paid", object_type="ReimbursementBatch", object_id=locked.pk,
                 after={"paid_on": paid_on.isoformat(), "count": locked.agreed_count, "amount": str(locked.agreed_amount)})
    return locked


@transaction.atomic
def mark_batch_failed(*, actor: Actor, batch: ReimbursementBatch, reason: str, on: date | None = None) -> ReimbursementBatch:
    """The bank returned the transfer (a closed account, a wrong name): the ledger entries are reversed and the lines
    are ready for a new batch once the hospital's account is corrected."""
    require_association(actor)
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed("reason_required", _("请填写退回原因"), field="reason")
    locked = _locked(batch, B.PAID)
    on = on or timezone.localdate()
    plan_years = {pk for pk in D.objects.filter(batch=locked, reimbursed_on__isnull=False)
                  .values_list("plan_year_id", flat=True) if pk is not None}
    for plan_year_id in sorted(plan_years):
        ledger.reverse_cause(actor=actor, cause_type="hospital_batch", cause_id=f"{locked.pk}-{plan_year_id}",
                             kind="hospital_reimbursed", reason=_("银行退回：%(reason)s") % {"reason": reason}, posted_on=on)
    _release(locked)
    locked.status, locked.failure_reason = B.FAILED, reason
    locked.save(update_fields=["status", "failure_reason"])
    record_event(actor=actor, action="hospital_batch_failed", object_type="ReimbursementBatch", object_id=locked.pk,
                 after={"reason": reason})
    return locked


@transaction.atomic
def cancel_batch(*, actor: Actor, batch: ReimbursementBatch, reason: str) -> ReimbursementBatch:
    """Set aside a batch not paid yet: its lines are ready for a new batch."""
    require_association(actor)
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise ValidationFailed("reason_required", _("请填写作废原因"), field="reason")
    locked = _locked(batch, B.OPEN, B.RECONCILED)
    _release(locked)
    locked.status, locked.note = B.CANCELLED, reason
    locked.save(update_fields=["status", "note"])
    record_event(actor=actor, action="hospital_batch_cancelled", object_type="ReimbursementBatch", object_id=locked.pk,
                 after={"reason": reason})
    return locked


def _release(batch: ReimbursementBatch) -> None:
    D.objects.filter(batch=batch).update(batch=None, reconciliation="", dispute_reason="", statement_amount=None,
                                         reimbursed_on=None)


@transaction.atomic
def resolve_dispute(*, actor: Actor, discharge: DischargeSettlement, note: str) -> DischargeSettlement:
    """A disputed line was settled with the hospital (our amount stands: it is the engine's): ready for the next batch."""
    require_association(actor)
    note = " ".join((note or "").split())[:200]
    if not note:
        raise ValidationFailed("note_required", _("请填写处理说明"), field="note")
    locked = D.objects.select_for_update().get(pk=discharge.pk)
    if locked.reconciliation != D.Reconciliation.DISPUTED:
        raise Conflict("not_disputed", _("该笔没有争议"))
    before = locked.dispute_reason
    locked.reconciliation, locked.dispute_reason, locked.statement_amount = "", "", None
    locked.save(update_fields=["reconciliation", "dispute_reason", "statement_amount"])
    record_event(actor=actor, action="hospital_dispute_resolved", object_type="DischargeSettlement", object_id=locked.pk,
                 before={"dispute": before}, after={"note": note})
    return locked
