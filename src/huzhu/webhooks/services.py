"""Webhooks: claim status changes (the claims outbox) fanned out to subscribers, signed, retried.

Two steps, each safe to run twice at once and to re-run after a crash:

1. `enqueue_claim_events` reads `ClaimStatusChange` rows past each subscriber's cursor and
   inserts one `Delivery` per (subscriber, change) — the unique constraint makes a re-run a no-op.
   The payload is fixed here, so every retry sends the same bytes under the same event id.
2. `deliver_due` leases due deliveries (a short transaction with SKIP LOCKED pushes their next
   attempt past the lease), POSTs them outside any transaction, and records the outcome: success,
   or a retry with exponential backoff, or — after rules.MAX_ATTEMPTS — failed.

A worker that dies mid-send leaves the lease to expire and the delivery is tried again: delivery
is at least once; receivers drop repeats by `X-Huzhu-Delivery`.
"""
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.claims import queries as claim_queries
from huzhu.claims.workflow import Status as ClaimStatus
from huzhu.core.actors import Actor, user_of
from huzhu.core.crypto import decrypt_text, encrypt_text
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.core.money import format_yuan
from huzhu.regions.models import Division

from . import rules
from .models import Delivery, Subscriber
from .workflow import DELIVERY, Action

log = logging.getLogger("huzhu.webhooks")
SECRET_PREFIX = "whsec_"
# A status change's transaction may commit after a later one; the cursor only passes changes this old.
CURSOR_LAG = timedelta(minutes=5)
LEASE = timedelta(seconds=120)
TIMEOUT_SECONDS = 10
USER_AGENT = "Huzhu-Webhooks/1"


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 300:
        raise ValidationFailed("invalid_url", _("回调地址应以 https:// 或 http:// 开头，且不超过 300 个字符"), field="url")
    return url


@transaction.atomic
def create_subscriber(*, actor: Actor, name: str, url: str, division: Division | None = None) -> tuple[Subscriber, str]:
    """Register a partner system; returns it and its signing secret, which is shown only this once."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("name_required", _("请填写订阅方名称"), field="name")
    secret = _new_secret()
    latest = claim_queries.latest_status_change_id()
    subscriber = Subscriber.objects.create(
        name=name[:100], url=_check_url(url), secret_encrypted=encrypt_text(secret), secret_hint=secret[:10],
        division=division, last_change_id=latest,  # events from now on, not the whole history
        created_by=user_of(actor))
    record_event(actor=actor, action="webhook_subscriber.created", object_type="webhook_subscriber",
                 object_id=subscriber.pk, after={"name": subscriber.name, "url": subscriber.url,
                                                 "division": division.pk if division else None})
    return subscriber, secret


@transaction.atomic
def rotate_secret(*, actor: Actor, subscriber: Subscriber) -> str:
    """Give a subscriber a new signing secret (the old one stops verifying at once)."""
    secret = _new_secret()
    Subscriber.objects.filter(pk=subscriber.pk).update(secret_encrypted=encrypt_text(secret), secret_hint=secret[:10])
    record_event(actor=actor, action="webhook_subscriber.secret_rotated", object_type="webhook_subscriber",
                 object_id=subscriber.pk, after={"hint": secret[:10]})
    return secret


def _region_of(division: Division | None) -> dict[str, str]:
    if division is None:
        return {}
    return {"league_id": division.pk} if division.level == Division.Level.LEAGUE else {"county_id": division.pk}


def event_payload(change, event_id: str) -> dict:
    """What a subscriber receives: the claim's move, never the worker's name or numbers."""
    claim = change.claim
    return {
        "id": event_id, "type": "claim.status_changed", "created_at": change.at.isoformat(),
        "data": {"claim_id": claim.pk, "action": change.action, "from_status": change.from_status,
                 "to_status": change.to_status, "to_status_label": str(ClaimStatus(change.to_status).label),
                 "at": change.at.isoformat(), "claim_type": claim.claim_type, "county": claim.county_id,
                 "unit_id": claim.unit_id,
                 "benefit": format_yuan(claim.benefit_amount) if claim.benefit_amount is not None else None,
                 "missing_items": change.missing_items, "reason_code": change.reason_code},
    }


def _event_id(subscriber: Subscriber, change) -> str:
    return f"evt_{subscriber.pk}_{change.pk}"


def enqueue_claim_events(*, limit: int = 5000) -> int:
    """Turn new claim status changes into pending deliveries for every active subscriber."""
    created = 0
    now = timezone.now()
    for subscriber in Subscriber.objects.filter(is_active=True).select_related("division"):
        with transaction.atomic():
            locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
            changes = claim_queries.status_changes_after(locked.last_change_id, **_region_of(subscriber.division),
                                                         limit=limit)
            if not changes:
                continue
            known = set(Delivery.objects.filter(subscriber_id=subscriber.pk, change_id__in=[c.pk for c in changes])
                        .values_list("change_id", flat=True))
            rows = [Delivery(subscriber_id=subscriber.pk, change_id=change.pk, event_id=_event_id(subscriber, change),
                             payload=event_payload(change, _event_id(subscriber, change)), next_attempt_at=now)
                    for change in changes if change.pk not in known]
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            created += len(rows)
            # Advance past the leading run of changes old enough that no earlier id can still commit.
            cursor = locked.last_change_id
            for change in changes:
                if change.at > now - CURSOR_LAG:
                    break
                cursor = change.pk
            if cursor != locked.last_change_id:
                Subscriber.objects.filter(pk=subscriber.pk).update(last_change_id=cursor)
    return created


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str = ""


def post_json(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST a body; a network failure is an outcome, not an exception."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - admin-set URL
            return Outcome(response.status)
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Outcome(None, str(getattr(exc, "reason", exc))[:300])


def _lease(limit: int) -> list[Delivery]:
    """Take due deliveries for this run: their next attempt moves past the lease so no one else takes them."""
    now = timezone.now()
    with transaction.atomic():
        due = (Delivery.objects.select_related("subscriber")
               .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at", "id"))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        taken = list(due[:limit])
        Delivery.objects.filter(pk__in=[d.pk for d in taken]).update(next_attempt_at=now + LEASE)
    return taken


def _move(delivery: Delivery, action: str, **changes) -> None:
    try:
        with transaction.atomic():
            DELIVERY.move(actor=None, record=delivery, action=action, updates=changes)
    except Conflict:  # another run moved it meanwhile (the lease makes this rare): that move stands
        log.info("webhook %s moved meanwhile; %s not recorded", delivery.event_id, action)


def deliver_due(*, limit: int = 100, send=post_json) -> int:
    """Send due deliveries once each; returns how many were delivered."""
    delivered = 0
    for delivery in _lease(limit):
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(timezone.now().timestamp())
        secret = decrypt_text(delivery.subscriber.secret_encrypted)
        outcome = send(delivery.subscriber.url, body, {
            "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
            "X-Huzhu-Event": delivery.event_type, "X-Huzhu-Delivery": delivery.event_id,
            "X-Huzhu-Timestamp": str(timestamp), "X-Huzhu-Signature": rules.sign(secret, timestamp, body)})
        attempts = delivery.attempts + 1
        now = timezone.now()
        if outcome.status_code is not None and rules.is_success(outcome.status_code):
            _move(delivery, Action.DELIVER, attempts=attempts, delivered_at=now,
                  last_status_code=outcome.status_code, last_error="")
            delivered += 1
            continue
        changes = {"attempts": attempts, "last_status_code": outcome.status_code,
                   "last_error": (outcome.error or "")[:300],
                   "next_attempt_at": now + timedelta(seconds=rules.retry_delay_seconds(attempts))}
        if rules.gives_up(attempts):
            _move(delivery, Action.GIVE_UP, **changes)
        else:  # still pending: an attempt, not a move
            Delivery.objects.filter(pk=delivery.pk).update(**changes)
        log.warning("webhook %s to %s failed (%s/%s): %s", delivery.event_id, delivery.subscriber.name, attempts,
                    rules.MAX_ATTEMPTS, outcome.error)
    return delivered


@transaction.atomic
def retry_deliveries(*, actor: Actor, deliveries) -> int:
    """Operator: send failed (or waiting) deliveries again now."""
    ids = [d.pk for d in deliveries]
    count = DELIVERY.move_all(Delivery.objects.filter(pk__in=ids), action=Action.RETRY,
                              updates={"next_attempt_at": timezone.now()})
    record_event(actor=actor, action="webhook_deliveries.retried", object_type="webhook_delivery",
                 object_id=ids[0] if ids else 0, after={"count": count})
    return count
