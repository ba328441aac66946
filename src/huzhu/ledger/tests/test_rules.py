"""Pure ledger rules: balance checks, appropriations and allocation caps (no database)."""
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.core.errors import ValidationFailed
from huzhu.ledger import rules
from huzhu.ledger.rules import Allocation, Line


@pytest.mark.parametrize("lines, code", [
    pytest.param([Line("1002", D("10.00"))], "too_few_lines", id="one-line"),
    pytest.param([Line("1002", D("10.00")), Line("4101", D("-9.99"))], "unbalanced", id="off-by-a-fen"),
    pytest.param([Line("1002", D("0.00")), Line("4101", D("0.00"))], "zero_line", id="zero-lines"),
    pytest.param([Line("1002", D("0.005")), Line("4101", D("-0.005"))], "sub_fen_line", id="sub-fen"),
])
def test_an_entry_that_does_not_balance_is_refused(lines, code):
    with pytest.raises(ValidationFailed) as error:
        rules.check_balanced(lines)
    assert error.value.code == code


def test_a_balanced_entry_with_several_lines_passes():
    rules.check_balanced([Line("1002", D("90.00")), Line("1221", D("10.00")),
                          Line("4101", D("-90.00")), Line("4102", D("-10.00"))])


def test_a_float_amount_is_a_programming_error():
    with pytest.raises(TypeError):
        rules.check_balanced([Line("1002", 1.5), Line("4101", -1.5)])


@pytest.mark.parametrize("contributions, rate, expected", [
    pytest.param(D("1000.00"), D("0.05"), D("50.00"), id="five-percent"),
    pytest.param(D("333.33"), D("0.05"), D("16.67"), id="rounded-half-up-to-the-fen"),
    pytest.param(D("0.00"), D("0.05"), D("0.00"), id="nothing-collected"),
    pytest.param(D("-10.00"), D("0.05"), D("0.00"), id="never-negative"),
])
def test_reserve_appropriation_is_the_rate_of_contributions(contributions, rate, expected):
    assert rules.reserve_appropriation(contributions, rate) == expected


def test_allocations_up_to_the_working_funds_cap_pass_and_return_their_total():
    cap = rules.working_funds_cap(D("1000.00"), D("0.08"))
    assert cap == D("80.00")
    allocations = [Allocation("2301-150200", D("50.00")), Allocation("2301-150203", D("30.00"))]
    assert rules.check_allocations(allocations, cap) == D("80.00")


@pytest.mark.parametrize("allocations, code", [
    pytest.param([Allocation("2301-150200", D("80.01"))], "working_funds_over_cap", id="over-cap"),
    pytest.param([Allocation("2301-150200", D("-1.00"))], "bad_allocation", id="negative"),
    pytest.param([Allocation("2301-150200", D("1.00")), Allocation("2301-150200", D("1.00"))],
                 "duplicate_allocation", id="duplicate"),
    pytest.param([Allocation("3101", D("1.00"))], "not_working_funds", id="not-a-working-funds-account"),
])
def test_bad_allocations_are_refused(allocations, code):
    with pytest.raises(ValidationFailed) as error:
        rules.check_allocations(allocations, D("80.00"))
    assert error.value.code == code


def test_loss_ratio_is_benefits_over_contributions_and_none_before_any_contribution():
    assert rules.loss_ratio(D("39.00"), D("100.00")) == D("0.3900")
    assert rules.loss_ratio(D("39.00"), D("0.00")) is None


def test_a_reversal_mirrors_every_line():
    lines = rules.transfer("5101", "2201", D("12.34"))
    assert rules.reversed_lines(lines) == (Line("5101", D("-12.34")), Line("2201", D("12.34")))
    assert rules.same_lines(lines, tuple(reversed(lines)))


@pytest.mark.parametrize("on, expected", [
    (date(2025, 12, 31), D("365.00")),  # not yet started: wholly unearned
    (date(2026, 1, 1), D("364.00")),    # the first day has run: 364 of 365 days left
    (date(2026, 6, 30), D("184.00")),
    (date(2026, 12, 31), D("0.00")),    # the period has run out
    (date(2027, 3, 1), D("0.00")),
], ids=["before_the_period", "after_the_first_day", "mid_year", "last_day", "after_the_period"])
def test_unearned_contributions_are_the_days_not_yet_run_over_365(on, expected):
    assert rules.unearned_amount([(D("365.00"), date(2026, 1, 1), date(2026, 12, 31))], on=on) == expected


def test_a_mid_year_joiner_earns_over_their_own_days_and_groups_add_up_to_the_fen():
    groups = [(D("100.00"), date(2026, 7, 1), date(2026, 12, 31)), (D("100.00"), date(2026, 1, 1), date(2026, 12, 31))]
    # the joiner has 92 of 184 days left on 30 September; the full year 92 of 365
    expected = (D("100") * 92 / 184 + D("100") * 92 / 365).quantize(D("0.01"))
    assert rules.unearned_amount(groups, on=date(2026, 9, 30)) == expected == D("75.21")
