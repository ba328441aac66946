"""Counters in the shared cache: login lockout and one-time-code rate limits.

The cache must be shared by every web process (Redis in production, see settings.CACHES);
with the embedded LocMemCache the limits hold per process.
"""
import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str | None:
    """The caller's address; behind our TLS proxy, the address the proxy saw (rightmost hop)."""
    if request is None:
        return None
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def _key(kind: str, value: str) -> str:
    # Hashed: usernames and ID numbers never appear in cache keys, and any text is a valid key.
    return f"security:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def hit(kind: str, value: str, *, window_seconds: int) -> int:
    """Count one event for `value` in a fixed window starting at its first event; return the count."""
    key = _key(kind, value)
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def count(kind: str, value: str) -> int:
    return cache.get(_key(kind, value), 0)


def reset(kind: str, value: str) -> None:
    cache.delete(_key(kind, value))


# --- Login lockout -------------------------------------------------------------------------------

def _username(username: str) -> str:
    return (username or "").strip().lower()


def is_login_locked(username: str, ip: str | None) -> bool:
    """Whether sign-in is locked for this username or this client address."""
    if cache.get(_key("login-lock-user", _username(username))):
        return True
    return bool(ip and cache.get(_key("login-lock-ip", ip)))


def register_login_failure(username: str, ip: str | None) -> bool:
    """Count a failed sign-in; lock the username (and the address) past the limit. True when locked."""
    lock_seconds = settings.HUZHU_LOGIN_LOCK_SECONDS
    locked = False
    if hit("login-fail-user", _username(username), window_seconds=lock_seconds) >= settings.HUZHU_LOGIN_MAX_FAILURES:
        cache.set(_key("login-lock-user", _username(username)), 1, timeout=lock_seconds)
        reset("login-fail-user", _username(username))
        locked = True
    if ip and hit("login-fail-ip", ip, window_seconds=lock_seconds) >= settings.HUZHU_LOGIN_MAX_FAILURES_PER_IP:
        cache.set(_key("login-lock-ip", ip), 1, timeout=lock_seconds)
        reset("login-fail-ip", ip)
        locked = True
    return locked


def clear_login_failures(username: str) -> None:
    """A successful sign-in forgets the username's earlier failures (not the address's)."""
    reset("login-fail-user", _username(username))


def unlock_username(username: str) -> bool:
    """Lift a username's lockout and forget its failures; True when it was locked."""
    was_locked = bool(cache.get(_key("login-lock-user", _username(username))))
    reset("login-lock-user", _username(username))
    reset("login-fail-user", _username(username))
    return was_locked
