"""Reads: trial balance, statements, fund position, loss ratio and budget vs actual, by scope."""
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.core.scopes import PROVINCE
from huzhu.ledger import queries, services
from huzhu.ledger.models import Account
from huzhu.regions.models import AgencyPoint, Office
from huzhu.regions.queries import scope_of

from .conftest import DAY

BAOTOU, KUNDULUN, CHIFENG = "150200", "150203", "150400"


@pytest.fixture
def busy_year(plan_year):
    services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=1, paid_amount=D("9000.00"),
                                    subsidy_amount=D("1000.00"), posted_on=DAY)
    services.post_subsidy_received(actor=None, plan_year=plan_year, receipt_id=1, amount=D("600.00"),
                                   posted_on=date(2026, 4, 1))
    services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=1, benefit_amount=D("3900.00"),
                                 posted_on=date(2026, 5, 1))
    services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=1, amount=D("3900.00"),
                              posted_on=date(2026, 5, 10))
    services.post_payout_failed(actor=None, plan_year=plan_year, payout_id=1, posted_on=date(2026, 5, 12))
    return plan_year


def test_the_trial_balance_sums_to_zero(busy_year):
    balance = queries.trial_balance(PROVINCE, busy_year)
    assert balance.is_balanced
    assert balance.debit_amount == D("9000.00") + D("1000.00") + D("600.00") + D("3900.00") * 3
    assert sum(row.balance_amount for row in balance.rows) == 0
    bank = next(row for row in balance.rows if row.account.code == "1002")
    assert bank.balance_amount == D("9600.00") and bank.direction == "借"


def test_an_account_statement_carries_a_running_balance(busy_year):
    bank = Account.objects.get(plan_year=busy_year, code="1002")
    running = [(p.amount, p.running_amount) for p in queries.account_statement(bank)]
    assert running == [(D("9000.00"), D("9000.00")), (D("600.00"), D("9600.00")),
                       (D("-3900.00"), D("5700.00")), (D("3900.00"), D("9600.00"))]


def test_fund_position_and_loss_ratio_to_date(busy_year):
    position = queries.fund_position(busy_year)
    assert position.total_contributions_amount == D("10000.00")
    assert position.subsidy_receivable_amount == D("400.00")
    assert position.payable_amount == D("3900.00")  # the failed payout is payable again
    assert position.fund_balance_amount == D("6100.00")
    assert queries.loss_ratio(busy_year) == D("0.3900")


def test_an_office_sees_only_its_own_working_funds(busy_year, league_reviewer, county_clerk, auditor,
                                                 after_the_period):
    services.set_budget(actor=None, plan_year=busy_year, office=Office.objects.get(league_id=BAOTOU),
                        amount=D("300.00"))
    services.set_budget(actor=None, plan_year=busy_year, office=Office.objects.get(league_id=CHIFENG),
                        amount=D("200.00"))
    services.set_budget(actor=None, plan_year=busy_year, agency_point=AgencyPoint.objects.get(county_id=KUNDULUN),
                        amount=D("100.00"))
    services.close_plan_year(actor=None, plan_year=busy_year)

    def names(user):
        return {row.name for row in queries.budget_vs_actual(scope_of(user), busy_year)}

    baotou, chifeng = Office.objects.get(league_id=BAOTOU).name, Office.objects.get(league_id=CHIFENG).name
    kundulun = AgencyPoint.objects.get(county_id=KUNDULUN).name
    assert names(league_reviewer) == {baotou, kundulun}
    assert names(county_clerk) == {kundulun}
    assert names(auditor) == {baotou, chifeng, kundulun}
    codes = {row.account.code for row in queries.trial_balance(scope_of(league_reviewer), busy_year).rows}
    assert codes == {"2301-150200", "2301-150203"}
    row = next(r for r in queries.budget_vs_actual(PROVINCE, busy_year) if r.name == baotou)
    assert (row.budget_amount, row.allocated_amount, row.used_amount, row.execution_rate) == (
        D("300.00"), D("300.00"), D("0.00"), D("1.0000"))


def test_the_close_preview_shows_the_appropriation_before_closing(busy_year):
    preview = queries.close_preview(busy_year)
    assert preview.contributions_amount == D("10000.00")
    assert preview.reserve_amount == D("500.00")
    assert preview.working_funds_cap_amount == D("800.00")


def test_unearned_contributions_count_each_paid_coverage_by_its_days_left(plan_year, home_unit):
    from huzhu.conftest import make_worker
    from huzhu.enrollment.models import Enrollment
    from huzhu.enrollment.services import enroll_and_pay

    early = [make_worker(home_unit).pk for _ in range(3)]
    joiner = [make_worker(home_unit).pk]
    enroll_and_pay(actor=None, check_participation=False, plan_year=plan_year, batches=[(home_unit, early)], paid_on=date(2025, 11, 15))
    # paid on 30 June: covered from 1 July, 184 days, the full fee
    enroll_and_pay(actor=None, check_participation=False, plan_year=plan_year, batches=[(home_unit, joiner)], paid_on=date(2026, 6, 30),
                   kind=Enrollment.Kind.MID_YEAR)
    fee = plan_year.terms.contribution_amount
    assert queries.unearned_contributions(plan_year, on=date(2025, 12, 31)) == 4 * fee
    expected = (3 * fee * D(92) / 365 + fee * D(92) / 184).quantize(D("0.01"))
    assert queries.unearned_contributions(plan_year, on=date(2026, 9, 30)) == expected
    assert queries.unearned_contributions(plan_year, on=date(2026, 12, 31)) == D("0.00")
