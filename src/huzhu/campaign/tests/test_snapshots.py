"""Daily snapshots: one row per division and day, overwritten when run again, read by the burn-up chart."""
from datetime import date

from django.core.management import call_command

from huzhu.campaign import queries, services
from huzhu.campaign.models import ProgressSnapshot
from huzhu.campaign.tasks import snapshot_progress_task
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.enrollment.services import enroll_and_pay
from huzhu.regions.models import Division

from .conftest import BAOTOU, KUNDULUN, PAY_DAYS_2027, TODAY
from .test_progress import expected


def test_a_snapshot_records_every_league_and_county_and_running_it_again_overwrites(scenario, year_2027):
    divisions = Division.objects.filter(level__in=["league", "county"]).count()
    assert services.take_snapshot(actor=None, plan_year=year_2027, on=TODAY) == divisions
    spec = next(s for s in scenario if s.covered_2026 and not s.paid_2027_on and s.county == KUNDULUN)
    enroll_and_pay(actor=None, check_participation=False, plan_year=year_2027, paid_on=TODAY, batches=[(spec.unit, spec.covered_2026)])
    services.take_snapshot(actor=None, plan_year=year_2027, on=TODAY)
    assert ProgressSnapshot.objects.filter(plan_year=year_2027).count() == divisions
    row = ProgressSnapshot.objects.get(plan_year=year_2027, division_id=KUNDULUN, taken_on=TODAY)
    want = expected(scenario, county=KUNDULUN)
    assert row.people_enrolled == want["people_enrolled"] + len(spec.covered_2026)
    assert row.lost_units == want["lost_units"] - 1


def test_the_daily_task_snapshots_only_plan_years_in_their_window(scenario, year_2027):
    rows = snapshot_progress_task(TODAY.isoformat())
    assert rows == ProgressSnapshot.objects.filter(taken_on=TODAY).count() > 0
    assert set(ProgressSnapshot.objects.values_list("plan_year__year", flat=True)) == {2027}
    assert snapshot_progress_task("2026-03-01") == 0  # no window open in March


def test_backfill_fills_each_day_of_the_window_and_the_burn_up_reads_it(scenario, year_2027):
    call_command("campaign", "snapshot", "--year", "2027", "--on", "2026-07-20", "--backfill")
    assert ProgressSnapshot.objects.filter(division_id=BAOTOU).count() == 20  # 1 July to 20 July
    _, total = queries.progress_table(PROVINCE, year_2027, as_of=date(2026, 7, 21))
    chart = queries.burn_up(PROVINCE, year_2027, today=date(2026, 7, 21), current=total)
    assert len(chart.days) == len(queries.window_of(year_2027).days())
    index = chart.days.index(PAY_DAYS_2027[0].isoformat())
    assert chart.people[index] == expected(scenario, as_of=PAY_DAYS_2027[0])["people_enrolled"]
    assert chart.people[index - 1] == 0
    assert chart.people[chart.today_index] == total.people_enrolled
    assert chart.people[chart.today_index + 1] is None  # the days still to come stay empty


def test_an_office_burn_up_reads_its_own_league(scenario, year_2027):
    services.take_snapshot(actor=None, plan_year=year_2027, on=PAY_DAYS_2027[1])
    scope = Scope("league", BAOTOU, role="office")
    _, total = queries.progress_table(scope, year_2027, as_of=TODAY)
    chart = queries.burn_up(scope, year_2027, today=TODAY, current=total)
    index = chart.days.index(PAY_DAYS_2027[1].isoformat())
    assert chart.people[index] == expected(scenario, league=BAOTOU, as_of=PAY_DAYS_2027[1])["people_enrolled"]
