"""Pure campaign rules: no database."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from huzhu.campaign import rules

D = Decimal
TODAY = date(2026, 11, 20)


def figures(**changes) -> rules.Figures:
    base = dict(code="150200", name="包头市", level="league", months=D("5.0"), people_enrolled=1050,
                people_last_year=1000, units_enrolled=90, units_target=100, people_target=1000,
                review_days=D("5"), reviewed=100, overdue=0, supplements=0, rejections=0, decided=100,
                payouts=100, payout_errors=0, outreach_events=10, outreach_audience=900)
    return rules.Figures(**{**base, **changes})


@pytest.mark.parametrize(("changes", "key", "points"), [
    pytest.param({}, "growth", D("100.0"), id="growth-5pct-full-marks"),
    pytest.param({"people_enrolled": 1000}, "growth", D("66.7"), id="steady-two-thirds"),
    pytest.param({"people_enrolled": 900}, "growth", D("0.0"), id="minus-10pct-nothing"),
    pytest.param({}, "attainment", D("95.0"), id="units-90pct-people-100pct"),
    pytest.param({"people_enrolled": 2000}, "attainment", D("95.0"), id="attainment-capped-at-100pct"),
    pytest.param({"review_days": D("10")}, "review_speed", D("50.0"), id="ten-working-days-half"),
    pytest.param({"overdue": 10}, "overdue", D("50.0"), id="ten-pct-overdue-half"),
    pytest.param({"supplements": 15}, "supplement", D("50.0"), id="fifteen-pct-supplement-half"),
    pytest.param({"rejections": 20}, "rejection", D("0.0"), id="twenty-pct-rejected-nothing"),
    pytest.param({"payout_errors": 1}, "payout_errors", D("80.0"), id="one-error-in-100-payouts"),
    pytest.param({"outreach_events": 5}, "outreach", D("50.0"), id="half-the-expected-events"),
    pytest.param({"level": "county", "outreach_events": 5}, "outreach", D("100.0"), id="county-needs-one-a-month"),
])
def test_each_indicator_scales_linearly_between_its_documented_ends(changes, key, points):
    indicator = next(i for i in rules.score(figures(**changes)).indicators if i.key == key)
    assert indicator.score == points


def test_the_total_is_the_weighted_mean_of_the_indicators():
    evaluation = rules.score(figures(review_days=D("10")))
    by_key = {i.key: i.score for i in evaluation.indicators}
    weights = rules.WEIGHTS
    expected = (by_key["growth"] * weights.growth + by_key["attainment"] * weights.attainment
                + by_key["review_speed"] * weights.review_speed + 100 * weights.overdue
                + 100 * weights.supplement + 100 * weights.rejection + 100 * weights.payout_errors
                + 100 * weights.outreach) / 100
    assert evaluation.total == expected.quantize(D("0.1"))
    assert sum(vars(weights).values()) == 100


def test_indicators_without_data_drop_out_and_the_others_rescale():
    evaluation = rules.score(figures(review_days=None, reviewed=None, overdue=None, supplements=None,
                                     rejections=None, decided=None, payouts=None, payout_errors=None))
    missing = [i for i in evaluation.indicators if i.score is None]
    assert {i.key for i in missing} == {"review_speed", "overdue", "supplement", "rejection", "payout_errors"}
    assert all(i.figure == "—" for i in missing)
    assert evaluation.total == ((100 * 20 + 95 * 25 + 100 * 15) / D(60)).quantize(D("0.1"))
    assert "审核时效无数据，未计分" in evaluation.notes


def test_equal_totals_share_a_rank_and_the_next_rank_skips():
    a, b, c = (rules.score(figures(code=code, people_enrolled=n)) for code, n in
               (("150100", 1050), ("150200", 1050), ("150300", 950)))
    ranked = rules.rank([c, b, a])
    assert [(e.figures.code, e.rank) for e in ranked] == [("150100", 1), ("150200", 1), ("150300", 3)]


@pytest.mark.parametrize(("assigned", "contacted", "due", "overdue"), [
    pytest.param(None, None, None, False, id="not-taken"),
    pytest.param(TODAY - timedelta(days=3), None, None, False, id="taken-three-days-ago-not-yet-late"),
    pytest.param(TODAY - timedelta(days=4), None, None, True, id="never-contacted-after-four-days"),
    pytest.param(TODAY - timedelta(days=9), TODAY - timedelta(days=2), TODAY, False, id="due-today"),
    pytest.param(TODAY - timedelta(days=9), TODAY - timedelta(days=2), TODAY - timedelta(days=1), True,
                 id="next-step-past-due"),
    pytest.param(TODAY - timedelta(days=9), TODAY - timedelta(days=8), None, False, id="contacted-no-next-step"),
])
def test_a_followed_unit_is_overdue_when_a_deadline_has_passed(assigned, contacted, due, overdue):
    assert rules.is_overdue(assigned_on=assigned, last_contact_on=contacted, next_due_on=due, today=TODAY) is overdue


@pytest.mark.parametrize(("units", "people", "reason", "ok"), [
    pytest.param(10, 500, "", True, id="same-as-last-year"),
    pytest.param(12, 600, "", True, id="growth"),
    pytest.param(9, 600, "", False, id="fewer-units-without-reason"),
    pytest.param(9, 450, "两家企业破产", True, id="decline-with-reason"),
    pytest.param(-1, 500, "x", False, id="negative"),
    pytest.param(600, 500, "", False, id="more-units-than-people"),
])
def test_a_target_keeps_steady_with_growth_unless_a_reason_is_given(units, people, reason, ok):
    problem = rules.target_problem(units=units, people=people, units_last_year=10, people_last_year=500, reason=reason)
    assert (problem is None) is ok


def test_without_a_target_the_goal_is_last_years_figures():
    assert rules.effective_goal(units=None, people=None, units_last_year=7, people_last_year=70) == \
        rules.Goal(7, 70, True)
    assert rules.effective_goal(units=8, people=90, units_last_year=7, people_last_year=70) == rules.Goal(8, 90, False)


@pytest.mark.parametrize(("kind", "active", "short"), [
    ("office", 0, 2), ("office", 1, 1), ("office", 2, 0), ("agency", 0, 1), ("agency", 3, 0)])
def test_an_office_needs_two_staff_and_an_agency_point_one(kind, active, short):
    assert rules.staff_shortfall(kind, active) == short


def test_renewed_and_lost_add_up_to_last_year_in_a_total():
    rows = [rules.Progress("a", "A", units_last_year=5, renewed_units=3, lost_units=2, people_last_year=50,
                           people_enrolled=40, units_enrolled=4, new_units=1, units_target=5, people_target=50),
            rules.Progress("b", "B", units_last_year=2, renewed_units=2, lost_units=0, people_last_year=10,
                           people_enrolled=12, units_enrolled=2, units_target=2, people_target=10)]
    total = rules.total_progress(rows)
    assert (total.units_last_year, total.renewed_units + total.lost_units) == (7, 7)
    assert total.people_attainment == D("0.8667")
    assert total.people_growth == D("-0.1333")
