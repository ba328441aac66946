"""The posting functions other apps call: each balances, posts its cause once, and is audited."""
from decimal import Decimal as D

import pytest

from huzhu.audit.models import AuditEvent
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.ledger import services
from huzhu.ledger.models import LedgerEntry
from huzhu.ledger.rules import Line

from .conftest import DAY, assert_books_balance


def lines_of(entry):
    return sorted((p.account.code, p.amount) for p in entry.postings.select_related("account"))


def test_a_paid_contribution_books_bank_and_subsidy_receivable_against_income(plan_year, association_approver):
    entry = services.post_contribution_paid(actor=association_approver, plan_year=plan_year, enrollment_id=7,
                                            paid_amount=D("900.00"), subsidy_amount=D("100.00"), posted_on=DAY)
    assert lines_of(entry) == [("1002", D("900.00")), ("1221", D("100.00")),
                               ("4101", D("-900.00")), ("4102", D("-100.00"))]
    assert (entry.cause_type, entry.cause_id, entry.kind) == ("enrollment", "7", "contribution_paid")
    assert AuditEvent.objects.filter(action="ledger_contribution_paid", object_id=str(entry.pk)).exists()
    assert_books_balance()


def test_a_contribution_without_subsidy_has_two_lines(plan_year):
    entry = services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=8,
                                            paid_amount=D("40.00"), subsidy_amount=D("0"), posted_on=DAY)
    assert lines_of(entry) == [("1002", D("40.00")), ("4101", D("-40.00"))]


@pytest.mark.parametrize("post, kwargs", [
    pytest.param(services.post_contribution_paid,
                 {"enrollment_id": 1, "paid_amount": D("90.00"), "subsidy_amount": D("10.00")}, id="contribution"),
    pytest.param(services.post_subsidy_received, {"receipt_id": 1, "amount": D("10.00")}, id="subsidy-received"),
    pytest.param(services.post_claim_approved, {"claim_id": 1, "benefit_amount": D("8300.00")}, id="claim"),
])
def test_posting_the_same_cause_twice_returns_the_first_entry(plan_year, post, kwargs):
    first = post(actor=None, plan_year=plan_year, posted_on=DAY, **kwargs)
    again = post(actor=None, plan_year=plan_year, posted_on=DAY, **kwargs)
    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == 1
    assert_books_balance()


def test_posting_a_cause_again_with_another_amount_is_a_conflict(plan_year):
    services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=5, benefit_amount=D("100.00"), posted_on=DAY)
    with pytest.raises(Conflict) as error:
        services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=5, benefit_amount=D("100.01"),
                                     posted_on=DAY)
    assert error.value.code == "posted_differently"


def test_an_approved_claim_is_expense_against_payable_and_a_paid_payout_clears_the_payable(plan_year):
    approval = services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=11,
                                            benefit_amount=D("8300.00"), posted_on=DAY)
    payout = services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=21, amount=D("8300.00"),
                                       posted_on=DAY)
    again = services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=21, amount=D("8300.00"),
                                      posted_on=DAY)
    assert lines_of(approval) == [("2201", D("-8300.00")), ("5101", D("8300.00"))]
    assert lines_of(payout) == [("1002", D("-8300.00")), ("2201", D("8300.00"))]
    assert again.pk == payout.pk
    assert_books_balance()


def test_a_failed_payout_reverses_the_paid_entry_back_to_payable_once(plan_year):
    paid = services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=31, amount=D("500.00"), posted_on=DAY)
    failed = services.post_payout_failed(actor=None, plan_year=plan_year, payout_id=31, posted_on=DAY,
                                         reason="账户已销户")
    again = services.post_payout_failed(actor=None, plan_year=plan_year, payout_id=31, posted_on=DAY)
    assert failed.reverses_id == paid.pk and again.pk == failed.pk
    assert lines_of(failed) == [("1002", D("500.00")), ("2201", D("-500.00"))]
    assert_books_balance()


def test_a_payout_that_was_never_paid_cannot_fail(plan_year):
    with pytest.raises(Conflict) as error:
        services.post_payout_failed(actor=None, plan_year=plan_year, payout_id=404, posted_on=DAY)
    assert error.value.code == "payout_not_paid"


def test_reversing_an_entry_posts_its_mirror_and_keeps_the_original(plan_year, association_approver):
    original = services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=41,
                                            benefit_amount=D("300.00"), posted_on=DAY)
    reversal = services.reverse_entry(actor=association_approver, entry=original, reason="重复审批")
    assert reversal.reverses_id == original.pk
    assert reversal.kind == "reversal:claim_approved" and reversal.cause_id == "41"
    assert lines_of(reversal) == [("2201", D("300.00")), ("5101", D("-300.00"))]
    assert LedgerEntry.objects.filter(pk=original.pk).exists()
    assert services.reverse_entry(actor=association_approver, entry=original, reason="重复审批").pk == reversal.pk
    assert_books_balance()


def test_a_reversal_needs_a_reason(plan_year):
    original = services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=42,
                                            benefit_amount=D("300.00"), posted_on=DAY)
    with pytest.raises(ValidationFailed):
        services.reverse_entry(actor=None, entry=original, reason="  ")


def test_a_paid_entry_reversed_by_a_failure_cannot_be_reversed_again(plan_year):
    paid = services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=51, amount=D("500.00"), posted_on=DAY)
    services.post_payout_failed(actor=None, plan_year=plan_year, payout_id=51, posted_on=DAY)
    with pytest.raises(Conflict) as error:
        services.reverse_entry(actor=None, entry=paid, reason="再次冲销")
    assert error.value.code == "already_reversed"


@pytest.mark.parametrize("amount", [D("0"), D("-1.00")])
def test_a_benefit_must_be_positive(plan_year, amount):
    with pytest.raises(ValidationFailed):
        services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=61, benefit_amount=amount, posted_on=DAY)


def test_an_adjustment_with_a_reason_posts_arbitrary_balanced_lines(plan_year, association_approver):
    entry = services.post_adjustment(actor=association_approver, plan_year=plan_year, reason="银行手续费",
                                     lines=[Line("5201", D("3.50")), ("1002", D("-3.50"))])
    assert entry.is_adjustment and entry.reason == "银行手续费"
    assert lines_of(entry) == [("1002", D("-3.50")), ("5201", D("3.50"))]


def test_an_adjustment_on_an_unknown_account_is_refused(plan_year):
    with pytest.raises(ValidationFailed) as error:
        services.post_adjustment(actor=None, plan_year=plan_year, reason="测试",
                                 lines=[Line("9999", D("1.00")), Line("1002", D("-1.00"))])
    assert error.value.code == "unknown_account"


def test_the_bulk_path_posts_each_cause_once(plan_year):
    from huzhu.ledger.rules import EntryDraft, transfer

    drafts = [EntryDraft("claim", str(n), "claim_approved", DAY, f"申领 {n}", transfer("5101", "2201", D("10.00")))
              for n in range(1, 11)]
    assert services.post_entries(actor=None, plan_year=plan_year, drafts=drafts, chunk_size=4) == 10
    assert services.post_entries(actor=None, plan_year=plan_year, drafts=drafts) == 0
    assert LedgerEntry.objects.count() == 10
    entry = LedgerEntry.objects.get(cause_id="3")
    assert entry.posted_on == DAY and entry.created_at is not None
    assert lines_of(entry) == [("2201", D("-10.00")), ("5101", D("10.00"))]
    single = services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=11, benefit_amount=D("1.00"),
                                          posted_on=DAY)
    assert single.pk > entry.pk  # the sequence moved past the bulk ids
    assert_books_balance()
