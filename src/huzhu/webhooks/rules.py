"""Webhook signing and retry timing: pure functions (no Django), shared with subscribers' docs.

A delivery is signed with the subscriber's secret over `"{timestamp}." + body`:

    X-Huzhu-Timestamp: 1767225600
    X-Huzhu-Signature: v1=<hex HMAC-SHA256>

A receiver recomputes the HMAC, compares in constant time, and refuses timestamps older than
five minutes (replay). `X-Huzhu-Delivery` is the same on every retry of one event: receivers
keep it to ignore a repeat (delivery is at least once).
"""
import hashlib
import hmac

SIGNATURE_VERSION = "v1"
TOLERANCE_SECONDS = 300
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 3600


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for a body sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={mac}"


def verify(secret: str, timestamp: str | int, body: bytes, signature: str, *, now: int,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Whether a received delivery is authentic and fresh (what a subscriber should run)."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature or "")


def retry_delay_seconds(attempts: int) -> int:
    """Exponential backoff after `attempts` failed tries: 30 s, 60 s, 2 min, … at most 6 hours."""
    return min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS)


def gives_up(attempts: int) -> bool:
    """After MAX_ATTEMPTS failures a delivery is marked failed (an operator may retry it)."""
    return attempts >= MAX_ATTEMPTS


def is_success(status_code: int) -> bool:
    return 200 <= status_code < 300
