"""The enrollment and import-job tables (enrollment/services/workflow.py): every (status, action) pair."""
import pytest

from huzhu.core.actors import SystemActor
from huzhu.core.errors import ValidationFailed
from huzhu.core.tests.workflow_table import check_lost_race, check_pair, every_pair
from huzhu.enrollment import services
from huzhu.enrollment.models import ImportJob
from huzhu.enrollment.services.workflow import ENROLLMENT, IMPORT_JOB, Action, JobAction

from .conftest import IN_WINDOW, staff_unit


@pytest.fixture
def enrollment(hospitalization_2026, system_scope):
    """A draft that meets the participation threshold (so the submit guard passes)."""
    unit, workers = staff_unit(3)
    enrollment = services.start_enrollment(actor=SystemActor(system_scope), unit=unit,
                                           plan_year=hospitalization_2026, today=IN_WINDOW)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[w.pk for w in workers],
                         today=IN_WINDOW)
    return enrollment


@pytest.mark.parametrize(("status", "action"), every_pair(ENROLLMENT))
def test_an_enrollment_moves_only_as_its_table_allows_and_each_move_is_one_history_row(enrollment, county_clerk,
                                                                                       status, action):
    check_pair(ENROLLMENT, enrollment, status, action, actor=county_clerk)


def test_an_enrollment_submitted_meanwhile_is_refused_and_nothing_is_written(enrollment, county_clerk):
    check_lost_race(ENROLLMENT, enrollment, Action.SUBMIT, actor=county_clerk)


def test_an_annual_enrollment_below_the_threshold_is_refused_by_the_submit_guard(draft, system_scope):
    with pytest.raises(ValidationFailed):
        services.submit_enrollment(actor=SystemActor(system_scope), enrollment=draft)
    assert not draft.status_changes.exists()


def test_submitting_and_withdrawing_leave_the_enrollment_history_with_its_actions(enrollment, system_scope):
    submitted = services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment)
    services.withdraw_enrollment(actor=SystemActor(system_scope), enrollment=submitted)
    assert list(enrollment.status_changes.values_list("action", "from_status", "to_status")) == [
        ("submit", "draft", "submitted"), ("withdraw", "submitted", "draft")]


@pytest.mark.parametrize(("status", "action"), every_pair(IMPORT_JOB))
def test_an_import_job_moves_only_as_its_table_allows_and_each_move_is_one_history_row(draft, county_clerk,
                                                                                       status, action):
    job = ImportJob.objects.create(enrollment=draft, file_name="roster.csv")
    check_pair(IMPORT_JOB, job, status, action, actor=county_clerk)


def test_an_import_job_validated_meanwhile_is_refused_and_nothing_is_written(draft, county_clerk):
    job = ImportJob.objects.create(enrollment=draft, file_name="roster.csv")
    check_lost_race(IMPORT_JOB, job, JobAction.VALIDATE, actor=county_clerk)
