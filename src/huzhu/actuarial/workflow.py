"""The study workflow, declared once: queued → running → done or failed, run again (core/workflow.py).

`services.run_study` is the only code that changes `Study.status`.
"""
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from huzhu.audit.services import record_event
from huzhu.core.workflow import Transition, Workflow

from .models import Study, StudyStatusChange

S = Study.Status


class Action(TextChoices):
    RUN = "run", _("开始计算")
    RERUN = "rerun", _("重新计算")
    FINISH = "finish", _("计算完成")
    FAIL = "fail", _("计算失败")


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.QUEUED, Action.RUN): Transition(S.RUNNING),
    (S.FAILED, Action.RUN): Transition(S.RUNNING),  # a failed run is taken up again
    (S.DONE, Action.RERUN): Transition(S.RUNNING),  # only when asked (`force`)
    (S.RUNNING, Action.FINISH): Transition(S.DONE),
    (S.RUNNING, Action.FAIL): Transition(S.FAILED),
}

STUDY = Workflow(
    model=Study, transitions=TRANSITIONS, actions=Action, history=StudyStatusChange, history_key="study",
    audit=record_event, audit_action="actuarial.study_{to}", audit_type="actuarial.Study",
    refused_code="study_status", changed_code="study_changed",
    changed_message=_("该测算的状态已被他人修改，请刷新后查看"),
)
