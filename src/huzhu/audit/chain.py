"""The audit chain: every event carries a keyed MAC, and is linked into one chain after it commits.

Why keyed: with a plain hash anyone who can write to the database can edit a row and recompute
every later hash. Both MACs here use `HUZHU_AUDIT_KEY`, which lives in the environment, never in
the database, so a row cannot be edited, forged or moved without the key.

Why sealed after commit (issue 17, hole 2): linking an event to its predecessor at insert time
means holding the single chain head until the writing transaction commits, so every audited
write in the system queued behind the longest one (a 50,000-row roster import). Instead:

1. `record_event` INSERTs the event with `mac` = MAC(id, content) and no place in the chain
   (`seq` NULL). It never touches the head, so appends wait on no one; an import's bulk event is
   one such row.
2. The sealer (`seal_pending_events`) — run on commit of every audited transaction, by the
   periodic Celery task `huzhu.audit.seal_events`, and first thing in `verify_chain` — locks the
   head for a few milliseconds, takes the committed unsealed events, checks each one's `mac`,
   and gives them the next places: `seq` = head + 1, …, `hash` = MAC(seq, prev_hash, mac).

The chain order is `seq`, the order of sealing, not the id order: a transaction that took a low id
may commit after a higher id was sealed, and is then simply sealed later with a higher `seq`. The
sealer only ever sees committed rows (READ COMMITTED on PostgreSQL; SQLite has one writer), so
the chain only grows at its end and no event is ever skipped for good: an event not yet visible
to one sealing run is picked up by the run on its own commit. We chose this over one chain per
scope (shard) because a shard chain still serialises writers of the same region, and verifying
means walking and anchoring many heads; one sealed chain keeps one head and one checkpoint.

An unsealed row whose `mac` fails (inserted or edited without the key) is never sealed; `verify`
names it. Checkpoints of the head are written outside the database (audit/checkpoints.py).
"""
import hmac
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from django.db import transaction

from .keys import ALGORITHMS, SHA256, SM3, current_algorithm, key_id, keyed_digest  # noqa: F401 - re-exported
from .models import AuditChainHead, AuditEvent

logger = logging.getLogger("huzhu.audit")

GENESIS = ""
SEAL_BATCH = 500


def canonical_json(event) -> str:
    """The event's content as JSON with sorted keys, UTC time and no whitespace: the same bytes on every database."""
    body = {
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_mac(event) -> str:
    """The MAC over the event's id and content, with the event's own algorithm (it has an id already)."""
    return keyed_digest(event.algorithm, f"huzhu-audit-event\n{event.pk}\n{canonical_json(event)}")


def link_hash(*, algorithm: str, seq: int, prev_hash: str, mac: str) -> str:
    """The MAC that places an event at `seq` after the event whose hash is `prev_hash`."""
    return keyed_digest(algorithm, f"huzhu-audit-link\n{seq}\n{prev_hash}\n{mac}")


def _mac_is_valid(event) -> bool:
    return event.algorithm in ALGORITHMS and hmac.compare_digest(event.mac, event_mac(event))


def locked_head() -> AuditChainHead:
    """The chain head, locked until the end of the caller's transaction (SELECT … FOR UPDATE)."""
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class SealReport:
    sealed: int
    rejected: tuple[int, ...] = ()


def seal_pending_events(*, batch_size: int = SEAL_BATCH) -> SealReport:
    """Link every committed, unsealed event into the chain, in batches, each under a brief head lock.

    Call it outside any transaction (on commit, from a job or command): inside one, the head lock
    would be held until that transaction ends — the very wait this design removes.
    """
    sealed, rejected = 0, []
    while True:
        with transaction.atomic():
            head = locked_head()
            pending = list(AuditEvent.objects.filter(seq__isnull=True).exclude(pk__in=rejected)
                           .order_by("pk")[:batch_size])
            linked = []
            for event in pending:
                if not _mac_is_valid(event):
                    rejected.append(event.pk)
                    continue
                event.seq, event.prev_hash = head.last_seq + 1, head.last_hash
                event.hash = link_hash(algorithm=event.algorithm, seq=event.seq, prev_hash=event.prev_hash,
                                       mac=event.mac)
                head.last_seq, head.last_event_id, head.last_hash = event.seq, event.pk, event.hash
                linked.append(event)
            if linked:
                AuditEvent.objects.bulk_update(linked, ["seq", "prev_hash", "hash"])
                head.save(update_fields=["last_seq", "last_event_id", "last_hash"])
        sealed += len(linked)
        if len(pending) < batch_size:
            break
    if rejected:
        logger.error("audit events refused by the sealer (MAC does not match): %s", rejected[:20])
    if sealed:
        from .checkpoints import write_checkpoint_when_due

        write_checkpoint_when_due()
    return SealReport(sealed, tuple(rejected))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    broken_event_id: int | None = None
    problem: str = ""
    checkpoints: int = 0


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Seal what is pending, then walk the chain in seal order (streaming); report the first bad event."""
    from .checkpoints import read_checkpoints

    seal = seal_pending_events()
    # Read the head and look past it under the head lock: no sealer can add links meanwhile.
    with transaction.atomic():
        head = locked_head()
        beyond = AuditEvent.objects.filter(seq__gt=head.last_seq).order_by("seq").first()
    checkpoints, bad_checkpoint = read_checkpoints()
    if bad_checkpoint is not None:
        return ChainReport(False, 0, bad_checkpoint.event_id,
                           f"检查点文件第 {bad_checkpoint.line} 行签名不符（检查点被改动，或由另一把审计密钥写成）",
                           len(checkpoints))
    by_seq = {checkpoint.seq: checkpoint for checkpoint in checkpoints}

    count, last = 0, None
    for event, problem in _events_with_problems(head.last_seq, by_seq, chunk_size):
        count += 1
        last = event
        if problem:
            return ChainReport(False, count, event.pk, problem, len(checkpoints))
    last_seq, last_hash = (last.seq, last.hash) if last else (0, GENESIS)
    if last_seq != head.last_seq or last_hash != head.last_hash:
        return ChainReport(False, count, head.last_event_id,
                           "链头记录与最后一条事件不符（末尾事件被删除或改动）", len(checkpoints))
    latest = max(checkpoints, key=lambda checkpoint: checkpoint.seq, default=None)
    if latest is not None and latest.seq > last_seq:
        return ChainReport(False, count, latest.event_id,
                           f"链在检查点之前就结束了：检查点记录到第 {latest.seq} 条（事件 #{latest.event_id}），"
                           f"库中只到第 {last_seq} 条（末尾事件被删除，链头被改指）", len(checkpoints))
    if beyond is not None:
        return ChainReport(False, count, beyond.pk,
                           f"事件位于链头之后（封存序号 {beyond.seq} > 链头 {head.last_seq}，链外插入）",
                           len(checkpoints))
    if seal.rejected:
        return ChainReport(False, count, min(seal.rejected),
                           "未封存的事件签名不符（不经本系统插入或改动），封存程序拒绝将其入链", len(checkpoints))
    return ChainReport(True, count, checkpoints=len(checkpoints))


def _events_with_problems(up_to_seq: int, checkpoints: dict, chunk_size: int) -> Iterator[tuple[AuditEvent, str]]:
    previous_seq, previous = 0, GENESIS
    events = AuditEvent.objects.filter(seq__lte=up_to_seq).order_by("seq").iterator(chunk_size=chunk_size)
    for event in events:
        problem = ""
        if event.seq != previous_seq + 1:
            problem = f"封存序号从 {previous_seq} 跳到 {event.seq}（其间的事件被删除）"
        elif event.algorithm not in ALGORITHMS:
            problem = f"未知的签名算法 {event.algorithm!r}"
        elif event.prev_hash != previous:
            problem = "prev_hash 与前一条事件的哈希不符（前一条被删除、插入或改动）"
        elif not _mac_is_valid(event):
            problem = "内容与签名不符（该事件被改动）"
        elif event.hash != link_hash(algorithm=event.algorithm, seq=event.seq, prev_hash=event.prev_hash,
                                     mac=event.mac):
            problem = "链接签名不符（该事件的位置或哈希被改动）"
        elif event.seq in checkpoints and checkpoints[event.seq].hash != event.hash:
            problem = f"与检查点不符（检查点第 {checkpoints[event.seq].line} 行记录的哈希不同：链被改写）"
        yield event, problem
        previous_seq, previous = event.seq, event.hash
