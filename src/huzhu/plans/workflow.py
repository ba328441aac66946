"""The plan-year workflow, declared once: draft → open → closed (core/workflow.py).

`services.transition_plan_year` is the only code that changes `PlanYear.status`.
"""
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from huzhu.audit.services import record_event
from huzhu.core.errors import ValidationFailed
from huzhu.core.workflow import STAY, Transition, Workflow

from .models import PlanYear, PlanYearStatusChange

S = PlanYear.Status


class Action(TextChoices):
    OPEN = "open", _("开放")
    CLOSE = "close", _("结算")
    REVISE = "revise", _("修改条款")


def has_terms(actor, plan_year: PlanYear, **context) -> None:
    """A year opens for enrollment only with terms to enroll under."""
    if plan_year.current_version_id is None:
        raise ValidationFailed("no_terms", "方案尚无条款，不能开放")


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.DRAFT, Action.OPEN): Transition(S.OPEN, guards=(has_terms,)),
    (S.OPEN, Action.CLOSE): Transition(S.CLOSED),
    # DOMAIN: terms change by a new version until the year is settled (with a reason once open).
    (S.DRAFT, Action.REVISE): Transition(STAY),
    (S.OPEN, Action.REVISE): Transition(STAY),
}
# The status each move leads to, for callers that name the status (`transition_plan_year(to=…)`).
ACTION_TO: dict[str, str] = {S.OPEN: Action.OPEN, S.CLOSED: Action.CLOSE}

PLAN_YEAR = Workflow(
    model=PlanYear, transitions=TRANSITIONS, actions=Action, history=PlanYearStatusChange, history_key="plan_year",
    audit=record_event, audit_action="{to}_plan_year", audit_type="PlanYear", refused_code="bad_transition",
    changed_code="plan_year_changed", changed_message=_("该年度方案的状态已被他人修改，请刷新后重试"),
)
