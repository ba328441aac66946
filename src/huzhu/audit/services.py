"""Recording audit events; every service that writes calls `record_event` in its transaction."""
from collections.abc import Iterable

from .models import AuditEvent


def _label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", str(actor))


def record_event(*, actor, action: str, object_type: str, object_id, before=None, after=None) -> AuditEvent:
    """Append one audit event. Personal numbers must already be masked in before/after."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
    )


def record_bulk_event(*, actor, action: str, object_type: str, object_ids: Iterable, summary: dict) -> AuditEvent:
    """One event for a bulk write (an import), with a summary instead of per-row before/after."""
    ids = list(object_ids)
    return record_event(actor=actor, action=action, object_type=object_type,
                        object_id=f"{len(ids)} rows", after=summary)
