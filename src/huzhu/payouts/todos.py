"""The payouts' to-do counts on the 工作台 (core.todo): the association's batches waiting for the next step, and
failed payouts to resolve, each a link to the list filtered to them (two queries a visit)."""
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huzhu.core.todo import Todo
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role

from . import queries
from .models import PayoutBatch

B = PayoutBatch.Status
# The batch statuses that wait on the association, in the order a batch goes through them.
WAITING = ((B.DRAFT, gettext_lazy("待复核批次")), (B.APPROVED, gettext_lazy("待送银行批次")),
           (B.SENT, gettext_lazy("待回盘批次")))


def payout_todos(user) -> list[Todo]:
    """The association's payout to-dos: batches to check, to send and to reconcile, failed payouts (urgent)."""
    scope = scope_of(user)
    if scope.role != Role.ASSOCIATION or not scope.is_province:
        return []
    counts = queries.batches_by_status(scope)
    listing = reverse("payouts:batch_list")
    todos = [Todo(str(label), counts.get(status, 0), f"{listing}?status={status}", unit=_("批"))
             for status, label in WAITING]
    failed = queries.failed_payouts_to_resolve(scope).count()
    return [*todos, Todo(_("支付失败待处理"), failed, reverse("payouts:failed_queue"), urgent=True, unit=_("笔"))]
