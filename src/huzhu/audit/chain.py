"""The audit hash chain: each event's hash covers its content and the previous event's hash."""
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from .models import AuditChainHead, AuditEvent

GENESIS = ""


def canonical_json(event: AuditEvent) -> str:
    """The event as JSON with sorted keys, UTC time and no whitespace: the same bytes on every database."""
    body = {
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_json(event).encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_event_id: int | None = None
    problem: str = ""


def append_to_chain(event: AuditEvent) -> AuditEvent:
    """Insert `event` as the chain's new last link. Call inside a transaction.

    The head row is locked (SELECT … FOR UPDATE on PostgreSQL; on SQLite the write transaction,
    begun IMMEDIATE, already holds the database's single writer lock), so links never fork.
    """
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    event.prev_hash = head.last_hash
    event.hash = event_hash(event)
    event.save(force_insert=True)
    head.last_event_id, head.last_hash = event.pk, event.hash
    head.save(update_fields=["last_event_id", "last_hash"])
    return event


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Walk every event in order (streaming); report the first one that breaks the chain."""
    # The head first: events appended while we walk lie past it and are left for the next run.
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_event_id=None, last_hash="")
    count = 0
    last: AuditEvent | None = None
    for event, problem in _events_with_problems(head.last_event_id or 0, chunk_size):
        count += 1
        last = event
        if problem:
            return ChainReport(False, count, event.pk, problem)
    if (last.pk if last else None) != head.last_event_id or (last.hash if last else "") != head.last_hash:
        return ChainReport(False, count, head.last_event_id, "链头记录与最后一条事件不符（末尾事件被删除或改动）")
    return ChainReport(True, count)


def _events_with_problems(up_to_id: int, chunk_size: int) -> Iterator[tuple[AuditEvent, str]]:
    previous = GENESIS
    for event in AuditEvent.objects.filter(pk__lte=up_to_id).order_by("pk").iterator(chunk_size=chunk_size):
        problem = ""
        if event.prev_hash != previous:
            problem = "prev_hash 与前一条事件的哈希不符（前一条被删除、插入或改动）"
        elif event_hash(event) != event.hash:
            problem = "内容与哈希不符（该事件被改动）"
        yield event, problem
        previous = event.hash
