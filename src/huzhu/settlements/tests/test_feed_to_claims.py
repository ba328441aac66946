"""A feed that makes claims (the claims app's claims_from_settlements), and reversals before and after payment."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from huzhu.claims import services as claim_services
from huzhu.claims.models import Claim, ClaimRecovery
from huzhu.conftest import PASSWORD, make_staff, make_worker
from huzhu.ledger.models import LedgerEntry
from huzhu.members import services as member_services
from huzhu.payouts import bank_files
from huzhu.payouts import rules as payout_rules
from huzhu.payouts import services as payouts
from huzhu.payouts.models import Payout
from huzhu.regions.models import Role
from huzhu.settlements.models import SettlementRow

from .conftest import SYSTEM_ACTOR, feed_row, write_csv

pytestmark = pytest.mark.django_db
Outcome = SettlementRow.Outcome


def test_a_matched_settlement_becomes_a_data_claim_linked_from_its_row(run_feed, tmp_path, covered):
    job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(covered, serial="E1", self_pay="2000.00",
                                                               total="16000.00", fund="12000.00")]))
    row = job.rows.get()
    assert (job.matched_count, job.claims_created, row.outcome) == (1, 1, Outcome.MATCHED)
    claim = Claim.objects.get(pk=row.claim_id)
    assert claim.channel == Claim.Channel.DATA and claim.settlement_serial == "E1" and claim.worker_id == covered.pk
    assert claim.coverage_id == row.coverage_id and claim.admitted_on == date(2027, 2, 1)
    assert claim.status == Claim.Status.APPROVED and claim.benefit_amount > 0
    # The same file again: nothing new.
    again = run_feed(write_csv(tmp_path / "again.csv", [feed_row(covered, serial="E1", self_pay="2000.00",
                                                                  total="16000.00", fund="12000.00")]))
    assert (again.duplicate_count, again.claims_created, Claim.objects.count()) == (1, 0, 1)


def test_a_row_the_claims_app_refuses_is_set_aside_and_the_others_still_make_claims(run_feed, tmp_path, covered):
    second = make_worker(covered.unit)
    from huzhu.claims.tests.conftest import cover

    from .conftest import consent

    cover(second, year=2027)
    consent(second)
    rows = [feed_row(covered, serial="G1", total="99999.00"),  # amounts that do not add up
            feed_row(second, serial="G2", self_pay="2000.00", total="16000.00")]
    job = run_feed(write_csv(tmp_path / "feed.csv", rows))
    refused = job.rows.get(serial="G1")
    assert refused.outcome == Outcome.REFUSED and refused.error_reason and refused.claim_id is None
    assert (job.refused_count, job.claims_created) == (1, 1)
    assert Claim.objects.get().worker_id == second.pk


def test_a_reversal_before_payment_cancels_the_claim(run_feed, tmp_path, covered):
    run_feed(write_csv(tmp_path / "feed.csv", [feed_row(covered, serial="F1", self_pay="2000.00", total="16000.00")]))
    claim = Claim.objects.get()
    job = run_feed(write_csv(tmp_path / "reversal.csv", [feed_row(covered, serial="F1R", reversal_of="F1",
                                                                   self_pay="2000.00", total="16000.00")]))
    row = job.rows.get()
    assert (row.outcome, row.reversal_result, row.worker_id) == (Outcome.REVERSAL, "cancelled", covered.pk)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.WITHDRAWN and job.reversal_count == 1
    assert not ClaimRecovery.objects.exists()


def test_a_reversal_after_payment_opens_a_recovery(run_feed, tmp_path, covered):
    run_feed(write_csv(tmp_path / "feed.csv", [feed_row(covered, serial="H1", self_pay="2000.00", total="16000.00")]))
    claim = Claim.objects.get()
    claim_services.mark_claim_paid(actor=None, claim=claim)
    job = run_feed(write_csv(tmp_path / "reversal.csv", [feed_row(covered, serial="H1R", reversal_of="H1",
                                                                   self_pay="2000.00", total="16000.00")]))
    assert job.rows.get().reversal_result == "recovery"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert ClaimRecovery.objects.get(claim=claim).amount == claim.benefit_amount > Decimal("0")


def test_a_reversal_of_a_serial_never_made_into_a_claim_says_none(run_feed, tmp_path, covered):
    job = run_feed(write_csv(tmp_path / "reversal.csv", [feed_row(covered, serial="K1R", reversal_of="K0")]))
    assert job.rows.get().reversal_result == "none" and job.reversal_count == 1


@pytest.fixture
def claim_in_a_batch(run_feed, tmp_path, covered, association_approver, settings):
    """A data claim paid to the card on file, its payout line in a batch just made: (claim, batch)."""
    settings.HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE = True
    member_services.change_bank_account(actor=SYSTEM_ACTOR, worker=covered, bank_name="中国工商银行",
                                        bank_account="6222021234567890123", reason="职工本人提供")
    run_feed(write_csv(tmp_path / "feed.csv", [feed_row(covered, serial="P1", self_pay="2000.00", total="16000.00")]))
    claim = Claim.objects.get()
    batch = payouts.build_batch(actor=association_approver, filters=payout_rules.BatchFilters())
    assert batch.payouts.get().claim_id == claim.pk
    return claim, batch


def reverse_p1(run_feed, tmp_path, covered):
    return run_feed(write_csv(tmp_path / "reversal.csv", [feed_row(covered, serial="P1R", reversal_of="P1",
                                                                   self_pay="2000.00", total="16000.00")]))


def test_a_reversal_while_the_benefit_is_in_a_payout_batch_changes_nothing_and_says_so(
        claim_in_a_batch, run_feed, tmp_path, covered):
    claim, batch = claim_in_a_batch
    row = reverse_p1(run_feed, tmp_path, covered).rows.get()
    assert row.reversal_result == "in_payment" and "支付中" in row.get_reversal_result_display()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and not ClaimRecovery.objects.exists()
    assert batch.payouts.get().status == Payout.Status.PENDING


@pytest.mark.parametrize("ending", ["batch_cancelled", "bank_paid", "bank_failed"])
def test_a_reversal_held_in_payment_is_applied_when_the_payment_ends(
        claim_in_a_batch, run_feed, tmp_path, covered, association_approver, ending, client):
    """The held reversal waits on the claim; the batch's end applies it: a cancel before money left, a recovery after."""
    claim, batch = claim_in_a_batch
    if ending != "batch_cancelled":
        payouts.approve_batch(actor=make_staff("checker", Role.ASSOCIATION), batch=batch)
        payouts.record_bank_file_export(actor=association_approver, batch=batch, file_format="csv")
        payouts.mark_batch_sent(actor=association_approver, batch=batch, sent_on=timezone.localdate())
    reverse_p1(run_feed, tmp_path, covered)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.APPROVED and claim.held_reversal_serial == "P1"
    assert client.login(username=association_approver.username, password=PASSWORD)
    assert "医保结算已冲销，待支付结束后处理" in client.get(f"/claims/{claim.pk}/").content.decode()

    if ending == "batch_cancelled":
        payouts.cancel_batch(actor=association_approver, batch=batch, reason="医保冲销，重新组批")
    else:
        payout = batch.payouts.get()
        result = "成功" if ending == "bank_paid" else "失败"
        payouts.import_return_file(actor=association_approver, batch=batch, file_name="回盘.csv", content=b"".join(
            bank_files.csv_chunks(payout_rules.RETURN_FILE_HEADERS,
                                  [(payout.reference, f"{payout.amount:.2f}", result, "" if ending == "bank_paid" else "账户已销户")])))
    claim.refresh_from_db()
    assert claim.held_reversal_serial == ""
    if ending == "bank_paid":
        assert claim.status == Claim.Status.PAID
        assert ClaimRecovery.objects.get(claim=claim).amount == claim.benefit_amount > Decimal("0")
    else:
        assert claim.status == Claim.Status.WITHDRAWN and not ClaimRecovery.objects.exists()
        # The approval's entry is reversed: the claim owes nothing to anyone.
        approval = LedgerEntry.objects.get(cause_type="claim", cause_id=str(claim.pk), kind="claim_approved")
        assert approval.reversed_by.kind == "reversal:claim_approved"
    if ending == "bank_failed":
        failed = Payout.objects.get(claim=claim)
        assert failed.status == Payout.Status.FAILED and failed.resolved_at is not None
    # Applied once: running the end again (or the reversal file again) changes nothing.
    assert claim_services.apply_held_reversals(actor=SYSTEM_ACTOR, claim_ids=[claim.pk]) == {}
