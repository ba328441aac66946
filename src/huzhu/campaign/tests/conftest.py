"""Campaign fixtures: two plan years of enrollments built from a plain spec the tests count on their own."""
import random
from dataclasses import dataclass, field
from datetime import date

import pytest

from huzhu.conftest import built_once_for_the_file, make_unit, make_worker
from huzhu.enrollment.services import enroll_and_pay
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans

BAOTOU, KUNDULUN, QINGSHAN = "150200", "150203", "150204"
CHIFENG, HONGSHAN = "150400", "150402"
COUNTY_LEAGUE = {KUNDULUN: BAOTOU, QINGSHAN: BAOTOU, HONGSHAN: CHIFENG}
PAID_2026 = date(2025, 11, 15)
TODAY = date(2026, 11, 20)  # inside the 2027 window (2026-07-01 .. 2026-12-10), 21 days left
PAY_DAYS_2027 = [date(2026, 7, 15), date(2026, 8, 3), date(2026, 9, 20), date(2026, 11, 2), date(2026, 11, 20)]


@dataclass
class UnitSpec:
    """What the scenario did with one unit: who was covered in 2026, who in 2027 and when paid."""

    unit: object
    county: str
    workers: list = field(default_factory=list)
    covered_2026: list = field(default_factory=list)
    covered_2027: list = field(default_factory=list)
    paid_2027_on: date | None = None

    @property
    def league(self) -> str:
        return COUNTY_LEAGUE[self.county]


@pytest.fixture(scope="module")
def _rows_of_the_file(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from built_once_for_the_file(django_db_blocker, tmp_path_factory, _build_scenario)


@pytest.fixture
def _rows(db, _rows_of_the_file):
    """The plan years and the scenario, built once for the file (a module fixture is set up before `db`, so they
    are committed, not inside the first test's transaction): each test rolls back on top of them."""
    return _rows_of_the_file


@pytest.fixture
def plan_years(_rows):
    return _rows[0]


@pytest.fixture
def year_2027(plan_years):
    return plan_years[("hospitalization", 2027)]


@pytest.fixture
def scenario(_rows):
    """Fourteen units over three counties in two leagues; a seeded mix of renewed, lost and new units."""
    return _rows[1]


def _build_scenario():
    install_default_plans(years=(2026, 2027))
    plan_years = {(p.plan_id, p.year): p for p in PlanYear.objects.select_related("current_version")}
    rng = random.Random(11)
    specs = []
    for n in range(14):
        county = [KUNDULUN, KUNDULUN, QINGSHAN, HONGSHAN][n % 4]
        size = rng.randint(2, 9)
        unit = make_unit(county, name=f"场景单位{n:02d}", eligible_headcount=size + rng.randint(0, 3), female_headcount=0,
                         contact_name=f"联系人{n}", contact_phone=f"1390000{n:04d}")
        spec = UnitSpec(unit, county, [make_worker(unit).pk for _ in range(size)])
        if n < 11:  # units 11-13 are new in 2027
            spec.covered_2026 = spec.workers[: max(1, size - rng.randint(0, 1))]
        if n >= 11 or (n != 3 and rng.random() < 0.55):  # unit 3 (红山区) never renews
            spec.covered_2027 = spec.workers[: max(1, size - rng.randint(0, 2))]
            spec.paid_2027_on = rng.choice(PAY_DAYS_2027)
        specs.append(spec)
    hospitalization_2026 = plan_years[("hospitalization", 2026)]
    enroll_and_pay(actor=None, check_participation=False, plan_year=hospitalization_2026, paid_on=PAID_2026,
                   batches=[(s.unit, s.covered_2026) for s in specs if s.covered_2026])
    for day in PAY_DAYS_2027:
        batches = [(s.unit, s.covered_2027) for s in specs if s.paid_2027_on == day]
        if batches:
            enroll_and_pay(actor=None, check_participation=False, plan_year=plan_years[("hospitalization", 2027)], paid_on=day, batches=batches)
    return plan_years, specs
