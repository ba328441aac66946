"""Recording audit events; every service that writes calls `record_event` in its transaction."""
import json
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .chain import append_to_chain
from .models import AuditEvent


def _label(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", str(actor))


def record_event(*, actor, action: str, object_type: str, object_id, before=None, after=None) -> AuditEvent:
    """Append one audit event to the hash chain. Personal numbers must already be masked in before/after."""
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        # Round-tripped through JSON so the hash covers exactly what the database gives back.
        before=_as_stored(before),
        after=_as_stored(after),
    )
    with transaction.atomic():
        return append_to_chain(event)


def _as_stored(value):
    return None if value is None else json.loads(json.dumps(value, default=str))


def record_bulk_event(*, actor, action: str, object_type: str, object_ids: Iterable, summary: dict) -> AuditEvent:
    """One event for a bulk write (an import), with a summary instead of per-row before/after."""
    ids = list(object_ids)
    return record_event(actor=actor, action=action, object_type=object_type,
                        object_id=f"{len(ids)} rows", after=summary)
