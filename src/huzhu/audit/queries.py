"""Reads of the audit app."""
from huzhu.core.dates import within_days

from .checkpoints import Checkpoint, latest_checkpoint


def latest_chain_checkpoint() -> Checkpoint | None:
    """The latest signed checkpoint of the audit chain head (for the annual report), or None."""
    return latest_checkpoint()


def audit_events(*, from_on=None, to_on=None, actor: str = "", action: str = ""):
    """Audit events newest first, within the half-open day range [from_on, to_on + 1 day), by actor and action."""
    from .models import AuditEvent

    events = within_days(AuditEvent.objects.all(), "at", from_on=from_on, to_on=to_on)
    if actor:
        events = events.filter(actor_label=actor)
    if action:
        events = events.filter(action__startswith=action)
    return events.order_by("-at", "-id")


def audit_actions() -> list[str]:
    """The distinct actions recorded so far (for the filter list)."""
    from .models import AuditEvent

    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
