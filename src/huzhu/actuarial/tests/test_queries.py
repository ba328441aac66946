"""The study frames read from the database: exposure and claim facts of real coverages."""
from datetime import date

import pytest

from huzhu.actuarial import queries
from huzhu.conftest import SYSTEM, make_unit, make_worker
from huzhu.core.actors import SystemActor
from huzhu.enrollment import services as enrollment
from huzhu.plans.queries import plan_year
from huzhu.plans.services import install_default_plans


@pytest.fixture
def plans(db):
    return install_default_plans()


def test_a_leaver_counts_a_full_year_of_exposure_because_paid_coverage_runs_to_the_period_end(plans):
    unit = make_unit()
    stayer, leaver = make_worker(unit), make_worker(unit)
    year = plan_year("hospitalization", 2026)
    enrollment.enroll_and_pay(actor=None, check_participation=False, plan_year=year, batches=[(unit, [stayer.pk, leaver.pk])],
                              paid_on=date(2025, 11, 1))
    enrollment.record_leaving(actor=SystemActor(SYSTEM), worker=leaver, left_on=date(2026, 3, 31))
    frame = queries.coverage_frame(SYSTEM, year)
    assert frame["exposure"].tolist() == [1.0, 1.0]
