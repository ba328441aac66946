"""Someone with write access to the database, but not HUZHU_AUDIT_KEY, cannot rewrite the audit chain.

Each forger below does what the plain SHA-256 chain allowed (issue 17, hole 1) and is caught by
`huzhu audit verify`, which names the first bad event and exits non-zero (CommandError).
"""
import hashlib
import json
from datetime import UTC, timedelta

import pytest
from django.core.management import CommandError, call_command

from huzhu.audit.models import AuditChainHead, AuditEvent
from huzhu.audit.services import record_event

pytestmark = pytest.mark.django_db


def sha256_link(row) -> str:
    """What a forger computes: the unkeyed SHA-256 over the row's content and prev_hash."""
    body = {"at": row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "actor_id": row.actor_id,
            "actor_label": row.actor_label, "action": row.action, "object_type": row.object_type,
            "object_id": row.object_id, "before": row.before, "after": row.after, "prev_hash": row.prev_hash}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def chain_rows():
    """The rows in chain order, as a forger reads them."""
    order = "seq" if hasattr(AuditEvent, "seq") else "pk"
    return list(AuditEvent.objects.order_by(order))


def repoint_head(row) -> None:
    """Point every column of the head row at `row`, as a forger would."""
    fields = {"last_event_id": row.pk, "last_hash": row.hash}
    if hasattr(AuditChainHead, "last_seq"):
        fields["last_seq"] = row.seq
    AuditChainHead.objects.filter(pk=1).update(**fields)


@pytest.fixture
def verified_events():
    """Five approvals, then a nightly `huzhu audit verify` that passed."""
    events = [record_event(actor=None, action="approve_claim", object_type="Claim", object_id=n,
                           after={"benefit_amount": f"{n}000.00"}) for n in range(1, 6)]
    call_command("audit", "verify")
    return events


def test_an_edited_row_with_every_later_sha256_hash_recomputed_is_named(verified_events):
    rows = chain_rows()
    edited = rows[1]
    edited.after = {"benefit_amount": "90000.00"}
    previous = rows[0].hash
    for row in rows[1:]:
        if row.pk == edited.pk:
            row.after = edited.after
        row.prev_hash = previous
        row.hash = sha256_link(row)
        AuditEvent.objects.filter(pk=row.pk).update(after=row.after, prev_hash=row.prev_hash, hash=row.hash)
        previous = row.hash
    repoint_head(rows[-1])
    with pytest.raises(CommandError, match=f"事件 #{edited.pk}："):
        call_command("audit", "verify")


def test_a_deleted_tail_with_the_head_repointed_is_caught_against_the_checkpoint(verified_events):
    rows = chain_rows()
    AuditEvent.objects.filter(pk__in=[rows[3].pk, rows[4].pk]).delete()
    repoint_head(rows[2])
    # The checkpoint written by the last verify recorded the fifth event as the head.
    with pytest.raises(CommandError, match=f"事件 #{rows[4].pk}：.*末尾事件被删除"):
        call_command("audit", "verify")


def test_an_event_inserted_beyond_the_head_is_named(verified_events):
    head = AuditChainHead.objects.get(pk=1)
    last = chain_rows()[-1]
    forged = AuditEvent(at=last.at + timedelta(seconds=1), actor_label="system", action="approve_claim",
                        object_type="Claim", object_id="77", after={"benefit_amount": "50000.00"},
                        prev_hash=head.last_hash)
    forged.hash = sha256_link(forged)
    AuditEvent.objects.bulk_create([forged])  # straight into the table, not through record_event
    forged = AuditEvent.objects.get(object_id="77")
    with pytest.raises(CommandError, match=f"事件 #{forged.pk}："):
        call_command("audit", "verify")


def test_an_event_given_a_place_past_the_head_is_named(verified_events):
    copied = chain_rows()[-1]
    AuditEvent.objects.bulk_create([AuditEvent(
        at=copied.at, actor_label=copied.actor_label, action=copied.action, object_type="Claim", object_id="78",
        after=copied.after, algorithm=copied.algorithm, mac=copied.mac, seq=copied.seq + 1,
        prev_hash=copied.hash, hash=copied.hash)])
    forged = AuditEvent.objects.get(object_id="78")
    with pytest.raises(CommandError, match=f"事件 #{forged.pk}：事件位于链头之后"):
        call_command("audit", "verify")


def test_a_chain_regrown_after_a_deleted_tail_no_longer_matches_its_checkpoint(verified_events):
    rows = chain_rows()
    AuditEvent.objects.filter(pk__in=[rows[3].pk, rows[4].pk]).delete()
    repoint_head(rows[2])
    # New, genuine events take the deleted places; the chain alone looks whole again.
    later = [record_event(actor=None, action="approve_claim", object_type="Claim", object_id=f"new-{n}")
             for n in range(3)]
    with pytest.raises(CommandError, match=r"与检查点不符"):
        call_command("audit", "verify")
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in later]).count() == 3
