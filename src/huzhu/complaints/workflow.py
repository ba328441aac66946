"""The complaint workflow, declared once (core/workflow.py): open → answered → closed.

Escalation is no status move: it changes the level and the clock of open complaints, set-based, in
`services.escalate_overdue`. `services` is the only code that changes `Complaint.status`.
"""
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from huzhu.audit.services import record_event
from huzhu.core.workflow import Transition, Workflow

from .models import Complaint

S = Complaint.Status


class Action(TextChoices):
    REPLY = "reply", _("答复")
    CLOSE = "close", _("办结")


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.OPEN, Action.REPLY): Transition(S.ANSWERED),
    # A further answer to an answered case (the worker called back) replaces the reply she sees.
    (S.ANSWERED, Action.REPLY): Transition(S.ANSWERED),
    (S.ANSWERED, Action.CLOSE): Transition(S.CLOSED),
}

COMPLAINT = Workflow(
    model=Complaint, transitions=TRANSITIONS, actions=Action, audit=record_event,
    audit_action="{action}_complaint", audit_type="Complaint", refused_code="transition_not_allowed",
    changed_code="complaint_changed", changed_message=_("该投诉咨询已被他人处理，请刷新后查看最新状态"),
)
