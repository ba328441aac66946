"""Approval makes the benefit payable in the fund's books, in the approval's own transaction."""
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from huzhu.core.errors import Conflict
from huzhu.core.scopes import PROVINCE
from huzhu.ledger import queries as ledger_queries
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger import services as ledger
from huzhu.ledger.models import LedgerEntry

from .. import services
from ..models import Claim
from .conftest import scans

S = Claim.Status


def lines_of(entry: LedgerEntry) -> dict[str, D]:
    return {p.account.code: p.amount for p in entry.postings.select_related("account")}


def test_an_approved_claim_books_its_benefit_as_payable(file_stay, league_reviewer, association_approver,
                                                       no_straight_through):
    claim = file_stay("8000.00")
    services.pass_review(actor=league_reviewer, claim=claim)
    services.pass_review(actor=association_approver, claim=claim)
    entry = LedgerEntry.objects.get(cause_type="claim", cause_id=str(claim.pk), kind="claim_approved")
    assert entry.plan_year_id == claim.plan_year_id
    assert entry.created_by == association_approver
    assert lines_of(entry) == {ledger_rules.BENEFITS_EXPENSE: D("4100.00"), ledger_rules.BENEFITS_PAYABLE: D("-4100.00")}


def test_a_straight_through_approval_books_the_benefit_too(file_stay):
    claim = file_stay("1000.00")
    assert claim.status == S.APPROVED and claim.straight_through
    entry = LedgerEntry.objects.get(cause_type="claim", cause_id=str(claim.pk), kind="claim_approved")
    assert entry.created_by is None
    assert lines_of(entry)[ledger_rules.BENEFITS_PAYABLE] == -claim.benefit_amount


def test_a_claim_approved_with_no_benefit_posts_nothing(worker, county_clerk, league_reviewer, association_approver,
                                                        no_straight_through):
    amounts = {"total_amount": D("800.00"), "policy_self_pay_amount": D("800.00")}  # below the 1,000 deductible
    claim = services.file_claim(actor=county_clerk, worker=worker, today=date(2026, 12, 31),
                                claim_type="outpatient_chronic", period_start_on=date(2026, 1, 1),
                                period_end_on=date(2026, 6, 30), amounts=amounts,
                                documents=scans(("chronic_approval", "cost_statement", "invoice", "id_card", "bank_card")))
    services.pass_review(actor=league_reviewer, claim=claim)
    services.pass_review(actor=association_approver, claim=claim)
    claim.refresh_from_db()
    assert claim.status == S.APPROVED and claim.benefit_amount == D("0.00")
    assert not LedgerEntry.objects.filter(cause_type="claim", cause_id=str(claim.pk)).exists()


def test_when_the_books_refuse_the_posting_the_approval_does_not_happen(file_stay, league_reviewer,
                                                                        association_approver, no_straight_through):
    claim = file_stay("8000.00")
    services.pass_review(actor=league_reviewer, claim=claim)
    # the claim's cause is already booked with another amount: the books refuse the approval's entry
    ledger.post_claim_approved(actor=None, plan_year=claim.plan_year, claim_id=claim.pk, benefit_amount=D("1.00"),
                               posted_on=date(2026, 12, 1))
    with pytest.raises(Conflict) as refused:
        services.pass_review(actor=association_approver, claim=Claim.objects.get(pk=claim.pk))
    assert refused.value.code == "posted_differently"
    assert Claim.objects.get(pk=claim.pk).status == S.APPROVAL
    assert not claim.status_changes.filter(to_status=S.APPROVED).exists()


def test_a_claim_of_a_closed_year_is_still_approved_and_posts_a_prior_year_adjustment(
        file_stay, league_reviewer, association_approver, no_straight_through):
    claim = file_stay("8000.00")
    services.pass_review(actor=league_reviewer, claim=claim)
    with time_machine.travel("2027-02-01 10:00 +0800", tick=False):  # within the 365-day claim deadline
        ledger.close_plan_year(actor=association_approver, plan_year=claim.plan_year)
        services.pass_review(actor=association_approver, claim=Claim.objects.get(pk=claim.pk))
    assert Claim.objects.get(pk=claim.pk).status == S.APPROVED
    entry = LedgerEntry.objects.get(cause_type="claim", cause_id=str(claim.pk), kind="claim_approved")
    assert entry.plan_year_id == claim.plan_year_id and entry.posted_on == date(2027, 2, 1)
    assert entry.is_prior_year_adjustment and entry.reason.startswith("往年调整")
    assert lines_of(entry) == {ledger_rules.BENEFITS_EXPENSE: D("4100.00"), ledger_rules.BENEFITS_PAYABLE: D("-4100.00")}
    position = ledger_queries.fund_position(claim.plan_year)
    assert position.prior_year_benefits_amount == D("4100.00") and position.payable_amount == D("4100.00")
    assert ledger_queries.trial_balance(PROVINCE, claim.plan_year).is_balanced
