"""A batch that ran before, recorded in bulk (the demo's history): sent and reconciled through the
payout workflows, dated as then, its claims paid and its payouts booked as paid from the bank."""
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from huzhu.claims.models import Claim, ClaimStatusChange
from huzhu.core.errors import Conflict
from huzhu.ledger.models import LedgerEntry
from huzhu.payouts import services
from huzhu.payouts.models import Payout, PayoutBatch, PayoutBatchStatusChange

from .conftest import everything


def _moments(days_ago: int):
    made = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days_ago), datetime.min.time())
                               + timedelta(hours=9))
    return made, made + timedelta(days=2, hours=1), made + timedelta(days=4, hours=6)


def _approved_batch(approve_claim, maker, checker, *, export: bool = True) -> PayoutBatch:
    approve_claim(), approve_claim("5000.00")
    batch = services.build_batch(actor=maker, filters=everything())
    services.approve_batch(actor=checker, batch=batch)
    if export:
        services.record_bank_file_export(actor=maker, batch=batch, file_format="xlsx")
    return batch


def test_a_past_batch_is_sent_and_reconciled_with_its_history_dated_as_then(approve_claim, maker, checker):
    batch = _approved_batch(approve_claim, maker, checker)
    made, sent, paid = _moments(30)
    services.record_past_settlement(actor=maker, batch=batch, made=made, sent=sent, paid=paid, file_name="回盘.csv")
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.RECONCILED
    assert (batch.created_at, batch.sent_at, batch.reconciled_at) == (made, sent, paid)
    assert batch.sent_on == timezone.localtime(sent).date() and batch.sent_by == maker
    assert (batch.paid_count, batch.paid_amount) == (2, batch.total_amount)
    moves = list(PayoutBatchStatusChange.objects.filter(batch=batch).order_by("at")
                 .values_list("action", "from_status", "to_status", "at"))
    assert moves == [("approve", "draft", "approved", made + timedelta(hours=2)), ("send", "approved", "sent", sent),
                     ("reconcile", "sent", "reconciled", paid)]
    payouts = Payout.objects.filter(batch=batch)
    assert {p.status for p in payouts} == {Payout.Status.PAID}
    assert {p.paid_on for p in payouts} == {timezone.localtime(paid).date()}
    assert set(Claim.objects.filter(payouts__batch=batch).values_list("status", flat=True)) == {Claim.Status.PAID}
    assert ClaimStatusChange.objects.filter(action="pay", at=paid).count() == 2
    booked = LedgerEntry.objects.filter(kind="payout_paid", cause_id__in=[str(p.pk) for p in payouts])
    assert {e.posted_on for e in booked} == {batch.sent_on} and booked.count() == 2
    record = batch.return_imports.get()
    assert (record.line_count, record.paid_count, record.imported_at) == (2, 2, paid)


def test_a_batch_whose_bank_file_was_never_exported_cannot_be_recorded_as_sent(approve_claim, maker, checker):
    batch = _approved_batch(approve_claim, maker, checker, export=False)
    made, sent, paid = _moments(30)
    with pytest.raises(Conflict) as refused:
        services.record_past_settlement(actor=maker, batch=batch, made=made, sent=sent, paid=paid, file_name="回盘.csv")
    assert refused.value.code == "not_exported"
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.APPROVED
    assert not Payout.objects.filter(batch=batch).exclude(status=Payout.Status.PENDING).exists()
    assert not LedgerEntry.objects.filter(kind="payout_paid").exists()
