"""The audit chain's keys and MACs: HMAC-SHA256, or HMAC-SM3 under HUZHU_CRYPTO=sm, keyed by HUZHU_AUDIT_KEY."""
import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings

from huzhu.core import crypto

SHA256, SM3 = "hmac-sha256", "hmac-sm3"
ALGORITHMS = (SHA256, SM3)


def current_algorithm() -> str:
    """The MAC new events and checkpoints are made with: HMAC-SM3 under `HUZHU_CRYPTO=sm`, else HMAC-SHA256."""
    return SM3 if crypto.uses_national_algorithms() else SHA256


def keyed_digest(algorithm: str, message: str) -> str:
    """HMAC of `message` under HUZHU_AUDIT_KEY with the named algorithm, as hex."""
    key = settings.AUDIT_KEY.encode()
    if algorithm == SHA256:
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
    if algorithm == SM3:
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(message.encode())
        return mac.finalize().hex()
    raise ValueError(f"unknown audit MAC algorithm {algorithm!r}")


def key_id() -> str:
    """A fingerprint of HUZHU_AUDIT_KEY (8 hex digits) that names the key without revealing it."""
    return keyed_digest(SHA256, "huzhu-audit-key-id")[:8]
