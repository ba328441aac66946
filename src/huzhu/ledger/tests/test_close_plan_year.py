"""Year close: the reserve appropriation, working funds by budget, and the lock that follows."""
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.core.scopes import PROVINCE
from huzhu.ledger import queries, services
from huzhu.ledger.models import LedgerEntry, YearClose
from huzhu.ledger.rules import Allocation, Line
from huzhu.regions.models import AgencyPoint, Office

from .conftest import DAY, assert_books_balance

BAOTOU, KUNDULUN = "150200", "150203"
pytestmark = pytest.mark.usefixtures("after_the_period")


@pytest.fixture
def booked_year(plan_year):
    """10,000 yuan of contributions (9,000 paid, 1,000 subsidy) and a 3,900 yuan claim."""
    services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=1, paid_amount=D("9000.00"),
                                    subsidy_amount=D("1000.00"), posted_on=DAY)
    services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=1, benefit_amount=D("3900.00"),
                                 posted_on=DAY)
    return plan_year


def entry_of(plan_year, kind):
    return LedgerEntry.objects.get(cause_type="plan_year", cause_id=str(plan_year.pk), kind=kind)


def test_close_appropriates_five_percent_of_contributions_to_the_total_reserve(booked_year, association_approver):
    close = services.close_plan_year(actor=association_approver, plan_year=booked_year, posted_on=date(2027, 1, 31))
    assert close.contributions_amount == D("10000.00")
    assert close.reserve_amount == D("500.00")
    appropriation = entry_of(booked_year, "reserve_appropriation")
    assert sorted((p.account.code, p.amount) for p in appropriation.postings.select_related("account")) == [
        ("3101", D("-500.00")), ("3201", D("500.00"))]
    position = queries.fund_position(booked_year)
    assert position.reserve_amount == D("500.00")
    assert position.fund_balance_amount == D("10000.00") - D("3900.00") - D("500.00")
    assert_books_balance()


def test_close_allocates_working_funds_by_budget_to_offices_and_agency_points(booked_year, association_approver):
    office, point = Office.objects.get(league_id=BAOTOU), AgencyPoint.objects.get(county_id=KUNDULUN)
    services.set_budget(actor=association_approver, plan_year=booked_year, office=office, amount=D("500.00"))
    services.set_budget(actor=association_approver, plan_year=booked_year, agency_point=point, amount=D("300.00"))
    close = services.close_plan_year(actor=association_approver, plan_year=booked_year)
    assert close.working_funds_amount == D("800.00")
    allocation = entry_of(booked_year, "working_funds_allocation")
    assert sorted((p.account.code, p.amount) for p in allocation.postings.select_related("account")) == [
        ("2301-150200", D("-500.00")), ("2301-150203", D("-300.00")), ("3201", D("800.00"))]
    assert queries.fund_position(booked_year).working_funds_amount == D("800.00")


def test_budgets_above_eight_percent_of_contributions_cannot_be_allocated(booked_year, association_approver):
    office = Office.objects.get(league_id=BAOTOU)
    services.set_budget(actor=association_approver, plan_year=booked_year, office=office, amount=D("800.01"))
    with pytest.raises(ValidationFailed) as error:
        services.close_plan_year(actor=association_approver, plan_year=booked_year)
    assert error.value.code == "working_funds_over_cap"
    assert queries.year_close_of(booked_year) is None


def test_explicit_allocations_replace_the_budgets(booked_year):
    services.close_plan_year(actor=None, plan_year=booked_year,
                             allocations=[Allocation("2301-150400", D("100.00"))])
    assert queries.fund_position(booked_year).working_funds_amount == D("100.00")


def test_a_year_cannot_close_before_its_protection_period_ends(booked_year, association_approver):
    with time_machine.travel("2026-12-31 23:30 +0800", tick=False), pytest.raises(Conflict) as error:
        services.close_plan_year(actor=association_approver, plan_year=booked_year)
    assert error.value.code == "period_not_over"
    assert "2026-12-31" in error.value.message and "保障期结束后才能结账" in error.value.message
    assert not YearClose.objects.exists()
    assert not LedgerEntry.objects.filter(cause_type="plan_year").exists()
    with time_machine.travel("2027-01-01 00:10 +0800", tick=False):
        assert services.close_plan_year(actor=association_approver, plan_year=booked_year).reserve_amount == D("500.00")


def test_a_claim_approved_and_paid_after_close_posts_as_a_prior_year_adjustment(booked_year):
    services.close_plan_year(actor=None, plan_year=booked_year)
    approved = services.post_claim_approved(actor=None, plan_year=booked_year, claim_id=2,
                                            benefit_amount=D("600.00"), posted_on=date(2027, 1, 15))
    paid = services.post_payout_paid(actor=None, plan_year=booked_year, payout_id=7, amount=D("600.00"),
                                     posted_on=date(2027, 1, 20))
    for entry in (approved, paid):
        assert entry.plan_year_id == booked_year.pk
        assert entry.is_prior_year_adjustment and entry.is_adjustment and entry.reason.startswith("往年调整")
    before_close = LedgerEntry.objects.get(cause_type="claim", cause_id="1")
    assert not before_close.is_prior_year_adjustment
    position = queries.fund_position(booked_year)
    assert position.benefits_amount == D("4500.00") and position.prior_year_benefits_amount == D("600.00")
    assert position.in_year_benefits_amount == D("3900.00") and position.prior_year_paid_amount == D("600.00")
    assert position.prior_year_fund_amount == D("-600.00") and position.prior_year_entries == 2
    assert position.reserve_amount == D("500.00")  # the close's appropriation is not redone
    late = queries.trial_balance(PROVINCE, booked_year, prior_year_only=True)
    assert {row.account.code: row.balance_amount for row in late.rows} == {
        "5101": D("600.00"), "2201": D("0.00"), "1002": D("-600.00")}
    assert late.is_balanced and queries.trial_balance(PROVINCE, booked_year).is_balanced
    assert_books_balance()


def test_a_closed_year_refuses_new_postings_and_budgets(booked_year, association_approver):
    services.close_plan_year(actor=association_approver, plan_year=booked_year)
    with pytest.raises(Conflict) as error:
        services.post_contribution_paid(actor=None, plan_year=booked_year, enrollment_id=2,
                                        paid_amount=D("90.00"), subsidy_amount=D("10.00"), posted_on=DAY)
    assert error.value.code == "year_closed"
    with pytest.raises(Conflict):
        services.set_budget(actor=None, plan_year=booked_year, office=Office.objects.first(), amount=D("1.00"))
    with pytest.raises(Conflict):
        services.reverse_entry(actor=None, entry=LedgerEntry.objects.first(), reason="结账后冲销")


def test_a_closed_year_still_returns_an_already_posted_cause(booked_year):
    services.close_plan_year(actor=None, plan_year=booked_year)
    entry = services.post_claim_approved(actor=None, plan_year=booked_year, claim_id=1,
                                         benefit_amount=D("3900.00"), posted_on=DAY)
    assert entry.kind == "claim_approved"


def test_closing_twice_returns_the_first_close_and_posts_nothing_more(booked_year):
    first = services.close_plan_year(actor=None, plan_year=booked_year)
    count = LedgerEntry.objects.count()
    assert services.close_plan_year(actor=None, plan_year=booked_year).pk == first.pk
    assert LedgerEntry.objects.count() == count


def test_an_adjustment_after_close_needs_a_reason(booked_year, association_approver):
    services.close_plan_year(actor=association_approver, plan_year=booked_year)
    lines = [Line("5201", D("20.00")), Line("1002", D("-20.00"))]
    with pytest.raises(ValidationFailed) as error:
        services.post_adjustment(actor=association_approver, plan_year=booked_year, lines=lines, reason="")
    assert error.value.code == "reason_required"
    entry = services.post_adjustment(actor=association_approver, plan_year=booked_year, lines=lines,
                                     reason="补记 12 月银行手续费")
    assert entry.is_adjustment and entry.reason == "补记 12 月银行手续费" and entry.is_prior_year_adjustment
    assert_books_balance()


def test_a_year_without_contributions_closes_without_entries(plan_year):
    close = services.close_plan_year(actor=None, plan_year=plan_year)
    assert close.reserve_amount == D("0.00")
    assert not LedgerEntry.objects.exists()
