"""The study table (actuarial/workflow.py): every (status, action) pair, allowed or refused."""
import pytest

from huzhu.actuarial.models import Study
from huzhu.actuarial.workflow import STUDY, Action
from huzhu.core.tests.workflow_table import check_lost_race, check_pair, every_pair
from huzhu.plans.models import Plan


@pytest.fixture
def study(db):
    plan, _ = Plan.objects.get_or_create(code="hospitalization", defaults={"name": "住院"})
    return Study.objects.create(kind=Study.Kind.EXPERIENCE, title="经验分析", plan=plan, inputs={"years": [2025]})


@pytest.mark.parametrize(("status", "action"), every_pair(STUDY))
def test_a_study_moves_only_as_its_table_allows_and_each_move_is_one_history_row(study, association_approver,
                                                                                 status, action):
    check_pair(STUDY, study, status, action, actor=association_approver)


def test_a_study_another_worker_took_up_meanwhile_is_refused_and_nothing_is_written(study, association_approver):
    check_lost_race(STUDY, study, Action.RUN, actor=association_approver)
