"""Progress per league and county, by day, against counts taken straight from the scenario spec."""
from datetime import date

from huzhu.campaign import queries
from huzhu.campaign.services import TargetInput, set_targets
from huzhu.core.scopes import PROVINCE, Scope

from .conftest import BAOTOU, CHIFENG, HONGSHAN, KUNDULUN, PAY_DAYS_2027, QINGSHAN, TODAY


def expected(specs, *, league=None, county=None, as_of=TODAY):
    """The progress figures of a region computed from the spec alone."""
    mine = [s for s in specs if (league is None or s.league == league) and (county is None or s.county == county)]
    enrolled = [s for s in mine if s.paid_2027_on and s.paid_2027_on <= as_of]
    return {
        "units_last_year": sum(1 for s in mine if s.covered_2026),
        "people_last_year": sum(len(s.covered_2026) for s in mine),
        "units_enrolled": len(enrolled),
        "renewed_units": sum(1 for s in enrolled if s.covered_2026),
        "new_units": sum(1 for s in enrolled if not s.covered_2026),
        "lost_units": sum(1 for s in mine if s.covered_2026 and s not in enrolled),
        "people_enrolled": sum(len(s.covered_2027) for s in enrolled),
    }


def figures(row):
    return {key: getattr(row, key) for key in ("units_last_year", "people_last_year", "units_enrolled",
                                               "renewed_units", "new_units", "lost_units", "people_enrolled")}


def test_the_province_sees_every_league_with_renewed_new_and_lost_units(scenario, year_2027):
    rows, total = queries.progress_table(PROVINCE, year_2027, as_of=TODAY)
    by_code = {r.code: r for r in rows}
    assert len(rows) == 12  # every league of Inner Mongolia, with or without enrollments
    assert figures(by_code[BAOTOU]) == expected(scenario, league=BAOTOU)
    assert figures(by_code[CHIFENG]) == expected(scenario, league=CHIFENG)
    assert figures(total) == expected(scenario)
    assert min(total.renewed_units, total.new_units, total.lost_units) > 0  # the scenario has all three
    assert total.renewed_units + total.lost_units == total.units_last_year


def test_progress_on_an_earlier_day_counts_only_payments_made_by_then(scenario, year_2027):
    day = PAY_DAYS_2027[2]
    _, total = queries.progress_table(PROVINCE, year_2027, as_of=day)
    assert figures(total) == expected(scenario, as_of=day)


def test_an_office_sees_the_counties_of_its_league_only(scenario, year_2027):
    rows, total = queries.progress_table(Scope("league", BAOTOU, role="office"), year_2027, as_of=TODAY)
    codes = {r.code for r in rows}
    assert KUNDULUN in codes and QINGSHAN in codes and HONGSHAN not in codes
    by_code = {r.code: r for r in rows}
    assert figures(by_code[KUNDULUN]) == expected(scenario, county=KUNDULUN)
    assert figures(total) == expected(scenario, league=BAOTOU)


def test_an_agency_point_sees_its_own_county(scenario, year_2027):
    rows, _ = queries.progress_table(Scope("county", HONGSHAN, role="agency"), year_2027, as_of=TODAY)
    assert [r.code for r in rows] == [HONGSHAN]
    assert figures(rows[0]) == expected(scenario, county=HONGSHAN)


def test_without_a_target_the_goal_is_last_years_figures(scenario, year_2027):
    rows, _ = queries.progress_table(PROVINCE, year_2027, as_of=TODAY)
    baotou = next(r for r in rows if r.code == BAOTOU)
    assert baotou.target_is_default
    assert (baotou.units_target, baotou.people_target) == (baotou.units_last_year, baotou.people_last_year)


def test_a_target_set_by_the_association_drives_the_attainment(scenario, year_2027, association_approver):
    want = expected(scenario, league=BAOTOU)
    set_targets(actor=association_approver, plan_year=year_2027, targets=[
        TargetInput(BAOTOU, want["units_last_year"] + 2, want["people_last_year"] + 10)])
    rows, _ = queries.progress_table(PROVINCE, year_2027, as_of=TODAY)
    baotou = next(r for r in rows if r.code == BAOTOU)
    assert not baotou.target_is_default
    assert baotou.people_target == want["people_last_year"] + 10
    assert float(baotou.people_attainment) == round(want["people_enrolled"] / (want["people_last_year"] + 10), 4)


def test_progress_by_day_lists_each_payment_day_with_running_totals(scenario, year_2027):
    days = queries.progress_by_day(PROVINCE, year_2027, as_of=TODAY)
    paid_days = sorted({s.paid_2027_on for s in scenario if s.paid_2027_on})
    assert [d.on for d in days] == paid_days
    for day in days:
        on_day = [s for s in scenario if s.paid_2027_on == day.on]
        assert day.renewed_units == sum(1 for s in on_day if s.covered_2026)
        assert day.new_units == sum(1 for s in on_day if not s.covered_2026)
        assert day.people == sum(len(s.covered_2027) for s in on_day)
        assert day.people_to_date == expected(scenario, as_of=day.on)["people_enrolled"]


def test_days_left_counts_today_and_ends_at_the_window_close(year_2027):
    window = queries.window_of(year_2027)
    assert window.days_left(TODAY) == 21
    assert window.days_left(date(2026, 12, 10)) == 1
    assert window.days_left(date(2026, 12, 11)) == 0
    assert window.days_left(date(2026, 6, 1)) == len(window.days())


def test_an_offices_total_aims_at_the_target_set_for_its_league(scenario, year_2027, association_approver):
    want = expected(scenario, league=BAOTOU)
    set_targets(actor=association_approver, plan_year=year_2027, targets=[
        TargetInput(BAOTOU, want["units_last_year"] + 1, want["people_last_year"] + 7)])
    rows, total = queries.progress_table(Scope("league", BAOTOU, role="office"), year_2027, as_of=TODAY)
    assert all(r.target_is_default for r in rows)
    assert (total.units_target, total.people_target) == (want["units_last_year"] + 1, want["people_last_year"] + 7)
    assert figures(total) == want
