"""The settlement import's workflow (core/workflow.py): every status change of a job is a move here."""
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from huzhu.audit.services import record_event
from huzhu.core.workflow import Transition, Workflow

from .models import SettlementImport, SettlementImportStatusChange

J = SettlementImport.Status


class JobAction(TextChoices):
    STAGE = "stage", _("读取")
    STAGED = "staged", _("读取完成")
    MATCH = "match", _("匹配")
    FINISH = "finish", _("完成")
    REFUSE = "refuse", _("拒绝导入")
    FAIL = "fail", _("标记失败")


TRANSITIONS = {
    (J.QUEUED, JobAction.STAGE): Transition(J.STAGING),
    (J.STAGING, JobAction.STAGED): Transition(J.STAGED),
    (J.STAGED, JobAction.MATCH): Transition(J.MATCHING),
    (J.STAGED, JobAction.REFUSE): Transition(J.REFUSED),  # all-or-nothing and a bad row: nothing is acted on
    (J.MATCHING, JobAction.FINISH): Transition(J.DONE),
    **{(status, JobAction.FAIL): Transition(J.FAILED) for status in (J.QUEUED, J.STAGING)},
}

SETTLEMENT_IMPORT = Workflow(
    model=SettlementImport, transitions=TRANSITIONS, actions=JobAction, history=SettlementImportStatusChange,
    history_key="job", audit=record_event, audit_action="settlement_import_{action}", refused_code="job_not_ready",
    changed_code="job_moved", changed_message=_("该导入任务已由另一次运行继续，请刷新查看"),
)
