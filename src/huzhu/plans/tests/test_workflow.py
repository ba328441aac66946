"""The plan-year table (plans/workflow.py): every (status, action) pair, allowed or refused."""
import pytest

from huzhu.core.errors import ValidationFailed
from huzhu.core.tests.workflow_table import check_lost_race, check_pair, every_pair
from huzhu.plans import services
from huzhu.plans.default_terms import default_terms
from huzhu.plans.models import Plan, PlanYear
from huzhu.plans.workflow import PLAN_YEAR, Action


@pytest.fixture
def plan_year(without_default_plans, association_approver):
    document = default_terms("hospitalization", 2026).model_dump(mode="json")
    return services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                                  document=document).plan_year


@pytest.mark.parametrize(("status", "action"), every_pair(PLAN_YEAR))
def test_a_plan_year_moves_only_as_its_table_allows_and_each_move_is_one_history_row(plan_year, association_approver,
                                                                                     status, action):
    check_pair(PLAN_YEAR, plan_year, status, action, actor=association_approver)


def test_a_year_opened_meanwhile_by_someone_else_is_refused_and_nothing_is_written(plan_year, association_approver):
    check_lost_race(PLAN_YEAR, plan_year, Action.OPEN, actor=association_approver)


def test_a_year_without_terms_cannot_open(without_default_plans, association_approver):
    empty = PlanYear.objects.create(plan=Plan.objects.create(code="empty", name="空"), year=2026)
    with pytest.raises(ValidationFailed, match="尚无条款"):
        services.open_plan_year(actor=association_approver, plan_year=empty)
    assert not empty.status_changes.exists()


def test_opening_and_closing_a_year_leave_its_history(plan_year, association_approver):
    services.open_plan_year(actor=association_approver, plan_year=plan_year)
    services.close_plan_year(actor=association_approver, plan_year=plan_year)
    assert list(plan_year.status_changes.values_list("action", "from_status", "to_status")) == [
        ("open", "draft", "open"), ("close", "open", "closed")]
