"""The payout workflows, declared once: a batch (maker → checker → bank → reconciled) and its lines.

`services` is the only code that changes `PayoutBatch.status` or `Payout.status`, through these
tables (core/workflow.py). Who may act (the association's payout staff) is the adapters' check;
the scheme's rules (four eyes, the bank file first) are guards here.
"""
from django.db.models import TextChoices
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from huzhu.audit.services import record_event
from huzhu.core.errors import Conflict, PermissionDenied
from huzhu.core.workflow import STAY, Transition, Workflow

from .models import Payout, PayoutBatch, PayoutBatchStatusChange

B = PayoutBatch.Status
P = Payout.Status


class BatchAction(TextChoices):
    APPROVE = "approve", pgettext_lazy("batch action", "复核")
    CANCEL = "cancel", pgettext_lazy("batch action", "作废")
    EXPORT = "export", gettext_lazy("导出银行文件")
    SEND = "send", gettext_lazy("标记为已送银行")
    IMPORT_RETURN = "import_return", gettext_lazy("导入银行回盘")
    RECONCILE = "reconcile", gettext_lazy("对账")


class PayoutAction(TextChoices):
    SEND = "send", gettext_lazy("送银行")
    CANCEL = "cancel", pgettext_lazy("batch action", "作废")
    PAY = "pay", gettext_lazy("已付款")
    FAIL = "fail", gettext_lazy("支付失败")


def checker_is_not_the_maker(actor, batch: PayoutBatch, **context) -> None:
    """DOMAIN: four eyes on money leaving the fund — the maker may not check their own batch."""
    if getattr(actor, "pk", None) is None or actor.pk == batch.created_by_id:
        raise PermissionDenied(_("制单人不能复核自己制作的批次，请由另一位协会工作人员复核"))


def bank_file_exported(actor, batch: PayoutBatch, **context) -> None:
    """What goes to the bank is the file exported from the approved batch: export before sending."""
    if batch.exported_at is None:
        raise Conflict("not_exported", _("请先导出银行文件，再标记为已送银行"))


A = BatchAction
BATCH_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (B.DRAFT, A.APPROVE): Transition(B.APPROVED, guards=(checker_is_not_the_maker,)),
    (B.DRAFT, A.CANCEL): Transition(B.CANCELLED),
    (B.APPROVED, A.CANCEL): Transition(B.CANCELLED),
    (B.APPROVED, A.SEND): Transition(B.SENT, guards=(bank_file_exported,)),
    (B.SENT, A.RECONCILE): Transition(B.RECONCILED),  # the last line came back from the bank
    # Allowed without a move: the bank file exists once approved; return files come back once sent.
    **{(status, A.EXPORT): Transition(STAY) for status in (B.APPROVED, B.SENT, B.RECONCILED)},
    **{(status, A.IMPORT_RETURN): Transition(STAY) for status in (B.SENT, B.RECONCILED)},
}

PAYOUT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (P.PENDING, PayoutAction.SEND): Transition(P.SENT),
    (P.PENDING, PayoutAction.CANCEL): Transition(P.CANCELLED),
    (P.SENT, PayoutAction.PAY): Transition(P.PAID),
    (P.SENT, PayoutAction.FAIL): Transition(P.FAILED),
}

BATCH = Workflow(
    model=PayoutBatch, transitions=BATCH_TRANSITIONS, actions=BatchAction,
    history=PayoutBatchStatusChange, history_key="batch",
    audit=record_event, audit_action="{action}_payout_batch", audit_type="PayoutBatch",
    refused_code="batch_status", refused_message=gettext_lazy("%(record)s当前状态为“%(status)s”，不能%(action)s"),
    changed_code="batch_changed", changed_message=gettext_lazy("该支付批次已被他人处理，请刷新后查看最新状态"),
    hints={A.EXPORT: gettext_lazy("须先复核"), A.SEND: gettext_lazy("须先复核"),
           A.IMPORT_RETURN: gettext_lazy("须先送银行")},
)
# A line's history is its batch's; a line has no audit event of its own.
PAYOUT = Workflow(
    model=Payout, transitions=PAYOUT_TRANSITIONS, actions=PayoutAction, refused_code="payout_status",
    changed_code="payout_changed", changed_message=gettext_lazy("该笔支付已被他人处理，请刷新后重试"),
)
