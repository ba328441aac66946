"""The claims' to-do counts on the 工作台 (core.todo): what waits at the user's level, what is about to run out of
its review clock and what already has. Each links to the queue filtered to exactly those claims (claims/views.py
`_queue_filters`); one grouped query a visit."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from huzhu.core.todo import Todo
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role

from . import queries, workflow

S = workflow.Status
# How a waiting status reads as a to-do; a status without a line here (a level the workflow adds) reads as its label.
WAITING_LABELS = {S.FIRST_REVIEW: gettext_lazy("待初审"), S.SECOND_REVIEW: gettext_lazy("待复审"),
                  S.APPROVAL: gettext_lazy("待审批"), S.SUPPLEMENT: gettext_lazy("待补正")}
# Who also sees the claims back with the worker for supplement: the county desk that helps her, and her unit.
SUPPLEMENT_ROLES = frozenset({Role.AGENCY, Role.UNIT})
# Who watches the clock without a queue of their own (its queue is every open claim).
WATCHING_ROLES = frozenset({Role.AUDITOR})


def _queue_url(**params: str) -> str:
    return f"{reverse('claims:queue')}?{urlencode(params)}"


def _label(status: str) -> str:
    label = WAITING_LABELS.get(status)
    if label is not None:
        return str(label)
    return str(S(status).label) if status in S.values else status


def claim_todos(user) -> list[Todo]:
    """The user's claim to-dos: 待初审/待复审/待审批 at her level, 待补正, 即将超期 and 已超期 (urgent)."""
    scope = scope_of(user)
    if scope.is_none or scope.role not in (*queries.QUEUE_STATUS, *SUPPLEMENT_ROLES, *WATCHING_ROLES):
        return []
    queue = queries.QUEUE_STATUS.get(scope.role, workflow.OPEN_STATUSES)
    # the queue without a status filter is the role's own statuses: the clock's counts are of those
    clocked = () if scope.role == Role.UNIT else queue
    waiting = queue if scope.role in queries.QUEUE_STATUS else ()
    supplement = (S.SUPPLEMENT,) if scope.role in SUPPLEMENT_ROLES else ()
    today = timezone.localdate()
    rows = queries.open_claims_by_county_and_status(scope, tuple(dict.fromkeys((*clocked, *waiting, *supplement))),
                                                    today=today)
    counts: dict[str, int] = {}
    overdue = due_soon = 0
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["claims"]
        if row["status"] in clocked:
            overdue += row["overdue"]
            due_soon += row["due_soon"]
    todos = [Todo(_label(status), counts.get(status, 0), _queue_url(status=status)) for status in (*waiting, *supplement)]
    if clocked:
        todos += [Todo(_("即将超期"), due_soon, _queue_url(due_soon="1"), urgent=True),
                  Todo(_("已超期"), overdue, _queue_url(overdue="1"), urgent=True)]
    return todos
