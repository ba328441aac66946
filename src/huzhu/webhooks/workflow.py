"""The delivery workflow, declared once (core/workflow.py): pending → delivered, or given up and retried.

A delivery's attempts are its history (attempts, last status code, last error on the row); a
failed attempt that will be retried leaves the status pending and is not a move.
"""
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from huzhu.core.workflow import Transition, Workflow

from .models import Delivery

S = Delivery.Status


class Action(TextChoices):
    DELIVER = "deliver", _("已送达")
    GIVE_UP = "give_up", _("已放弃")
    RETRY = "retry", _("重新发送")


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.PENDING, Action.DELIVER): Transition(S.DELIVERED),
    (S.PENDING, Action.GIVE_UP): Transition(S.FAILED),
    (S.FAILED, Action.RETRY): Transition(S.PENDING),
    (S.PENDING, Action.RETRY): Transition(S.PENDING),  # the operator sends a waiting delivery now
}

DELIVERY = Workflow(model=Delivery, transitions=TRANSITIONS, actions=Action, refused_code="delivery_status",
                    changed_code="delivery_changed")
