"""Risk's to-do count on the 工作台 (core.todo): the post-audit samples waiting for the association's outcome,
linked to the queue filtered to them; one count query a visit."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from huzhu.core.todo import Todo
from huzhu.regions.queries import scope_of

from . import queries


def post_audit_todos(user) -> list[Todo]:
    """待事后抽查 N 件, for the association (the role that records the outcomes)."""
    scope = scope_of(user)
    if scope.role not in queries.POST_AUDIT_DECIDERS:
        return []
    url = f"{reverse('risk:post_audit')}?{urlencode({'outcome': queries.OUTCOME.PENDING})}"
    return [Todo(_("待事后抽查"), queries.pending_post_audit_count(scope), url)]
