"""The audit chain before issue 17: plain SHA-256 over the event and `prev_hash`, no key.

Kept only for the migrations: 0002 built this chain, 0003 checks it before re-chaining with HMAC.
"""
import hashlib
import json
from datetime import UTC


def sha256_event_hash(event) -> str:
    """The unkeyed hash the chain used to store in `hash` (anyone could recompute it)."""
    body = {
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": event.actor_id, "actor_label": event.actor_label, "action": event.action,
        "object_type": event.object_type, "object_id": event.object_id,
        "before": event.before, "after": event.after, "prev_hash": event.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
