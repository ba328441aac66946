"""Recording audit events; every service that writes calls `record_event` in its transaction."""
import json
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from huzhu.core.actors import Actor, user_of

from .chain import current_algorithm, event_mac, seal_pending_events
from .models import AuditEvent

logger = logging.getLogger("huzhu.audit")


def _label(actor: Actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", str(actor))


def record_event(*, actor: Actor, action: str, object_type: str, object_id, before=None, after=None) -> AuditEvent:
    """Record one audit event (keyed MAC, sealed into the chain after commit). Personal numbers must be masked."""
    event = AuditEvent(
        at=timezone.now(),
        actor=user_of(actor),
        actor_label=_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        # Round-tripped through JSON so the MAC covers exactly what the database gives back.
        before=_as_stored(before),
        after=_as_stored(after),
        algorithm=current_algorithm(),
    )
    # A plain INSERT: the chain head is not touched, so this waits on no other transaction. Inside a caller's
    # transaction no savepoint of its own (two statements an event saved): a failed insert fails the caller's work.
    with transaction.atomic(savepoint=False):
        event.save(force_insert=True)
        # The MAC covers the id, so a row copied or moved to another id no longer verifies.
        event.mac = event_mac(event)
        AuditEvent.objects.filter(pk=event.pk).update(mac=event.mac)
        _seal_on_commit()
    return event


def _as_stored(value):
    return None if value is None else json.loads(json.dumps(value, default=str))


def record_bulk_event(*, actor: Actor, action: str, object_type: str, object_ids: Iterable, summary: dict) -> AuditEvent:
    """One event for a bulk write (an import), with a summary instead of per-row before/after."""
    ids = list(object_ids)
    return record_event(actor=actor, action=action, object_type=object_type,
                        object_id=f"{len(ids)} rows", after=summary)


def seal_events() -> int:
    """Link committed unsealed events into the chain (on commit, periodically, before verifying)."""
    return seal_pending_events().sealed


def _seal_after_commit() -> None:
    seal_pending_events()


def _seal_on_commit() -> None:
    """Register the sealer once per outermost transaction; a failure is logged, the next run seals."""
    connection = transaction.get_connection()
    if any(entry[1] is _seal_after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_seal_after_commit, robust=True)
