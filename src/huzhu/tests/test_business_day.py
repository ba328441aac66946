"""The business day is Shanghai's: from 16:00 to 24:00 UTC the servers' own (UTC) date is still yesterday."""
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from huzhu.campaign.models import ProgressSnapshot
from huzhu.conftest import SYSTEM, make_unit, make_worker
from huzhu.core.actors import SystemActor
from huzhu.enrollment import services as enrollment_services
from huzhu.enrollment.models import Enrollment
from huzhu.members.models import Employment
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans

pytestmark = pytest.mark.django_db

EVENING_IN_UTC = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)  # 2026-11-30 06:30 in Shanghai
SHANGHAI_DAY = date(2026, 11, 30)


@pytest.fixture
def server_clock():
    """The clock at EVENING_IN_UTC with the process's own time zone UTC, as on the servers."""
    # time-machine sets TZ=UTC for a UTC destination, undoing the TZ=Asia/Shanghai Django sets at start-up.
    with time_machine.travel(EVENING_IN_UTC, tick=False):
        assert date.today() == date(2026, 11, 29)  # the OS date the application must not use
        yield


@pytest.fixture
def hospitalization_2027(db):
    """Its enrollment window (2026-07-01 to 2026-12-10) holds both dates."""
    install_default_plans(years=(2027,))
    return PlanYear.objects.get(plan_id="hospitalization", year=2027)


def test_a_worker_registered_without_a_start_date_is_employed_from_the_shanghai_day(home_unit, server_clock):
    worker = make_worker(home_unit, started_on=None)

    assert Employment.objects.get(worker=worker).started_on == SHANGHAI_DAY


def test_a_payment_made_this_morning_in_shanghai_is_not_refused_as_in_the_future(hospitalization_2027,
                                                                                server_clock):
    unit = make_unit(eligible_headcount=2, female_headcount=0)
    workers = [make_worker(unit) for _ in range(2)]
    enrollment = enrollment_services.start_enrollment(actor=SystemActor(SYSTEM), unit=unit,
                                                      plan_year=hospitalization_2027)
    enrollment_services.add_workers(actor=SystemActor(SYSTEM), enrollment=enrollment,
                                    worker_ids=[w.pk for w in workers])
    enrollment = enrollment_services.submit_enrollment(actor=SystemActor(SYSTEM), enrollment=enrollment)

    enrollment_services.record_payment(actor=SystemActor(SYSTEM), enrollment=enrollment,
                                       amount=enrollment.due_amount, paid_on=SHANGHAI_DAY, bank_reference="BOC-0630")

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.PAID


def test_the_daily_snapshot_command_defaults_to_the_shanghai_day(hospitalization_2027, server_clock):
    out = StringIO()
    call_command("campaign", "snapshot", stdout=out)

    assert "2026-11-30 快照" in out.getvalue()
    assert set(ProgressSnapshot.objects.values_list("taken_on", flat=True)) == {SHANGHAI_DAY}
