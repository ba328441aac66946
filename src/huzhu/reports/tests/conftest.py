"""A small scheme with two years of history: units in two leagues, coverages, demo claims, summaries."""
from datetime import date, datetime

import pytest
from django.utils import timezone

from huzhu.conftest import KUNDULUN, make_unit, make_worker
from huzhu.demo.claims import generate_demo_claims
from huzhu.enrollment.services import enroll_and_pay
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans
from huzhu.reports.services import refresh_summaries

NOW = timezone.make_aware(datetime(2026, 11, 29, 12, 0))
TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def _scheme_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The scheme, built once for a test file (some seconds of enrollments and claims): see built_once_for_the_file."""
    from huzhu.conftest import HONGSHAN, built_once_for_the_file

    yield from built_once_for_the_file(django_db_blocker, tmp_path_factory, lambda: _build_scheme(
        make_unit(KUNDULUN, name="包头钢铁测试公司"), make_unit(HONGSHAN, name="赤峰红山测试公司")))


@pytest.fixture
def scheme(db, _scheme_rows):
    """Kundulun (包头) has two units, Hongshan (赤峰) one; both plans in 2025 and 2026; claims at a high rate."""
    return _scheme_rows


def _build_scheme(home_unit, other_unit):
    install_default_plans(years=(2025, 2026, 2027))
    second = make_unit(KUNDULUN, name="包头第二测试单位", eligible_headcount=12, female_headcount=6)
    people, females = {}, {}
    for unit, count in ((home_unit, 24), (second, 12), (other_unit, 16)):
        workers = [make_worker(unit, gender="F" if i % 3 == 0 else "M") for i in range(count)]
        people[unit.pk] = [w.pk for w in workers]
        females[unit.pk] = [w.pk for w in workers if w.gender == "F"]
    units = {u.pk: u for u in (home_unit, second, other_unit)}
    for year in (2025, 2026):
        hospitalization = PlanYear.objects.get(plan_id="hospitalization", year=year)
        women = PlanYear.objects.get(plan_id="women_health", year=year)
        paid_on = date(year - 1, 11, 15)
        # the second unit joins only in 2026: history differs between years
        batch = [(units[pk], ids) for pk, ids in people.items() if year == 2026 or pk != second.pk]
        enroll_and_pay(actor=None, check_participation=False, plan_year=hospitalization, batches=batch, paid_on=paid_on)
        enroll_and_pay(actor=None, check_participation=False, plan_year=women, batches=[(units[pk], ids) for pk, ids in females.items()],
                       paid_on=paid_on)
        generate_demo_claims(plan_year=hospitalization, seed=7, rate=0.4, now=NOW)
        generate_demo_claims(plan_year=women, seed=7, rate=0.3, now=NOW)
    refresh_summaries(actor=None)
    return {"units": units, "second": second, "home": home_unit, "other": other_unit}
