"""Personal data at rest: AES-GCM encryption and a keyed hash (blind index) for look-ups."""
import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_VERSION = b"v1"


@lru_cache(maxsize=4)
def _keys(master: str) -> tuple[bytes, bytes]:
    """Derive separate encryption and index keys from HUZHU_DATA_KEY."""
    material = HKDF(algorithm=SHA256(), length=64, salt=b"huzhu", info=b"data-keys").derive(master.encode())
    return material[:32], material[32:]


def encrypt_text(plain: str) -> str:
    """Encrypt a short text; the result is ASCII and safe to store in a CharField."""
    enc_key, _ = _keys(settings.DATA_KEY)
    nonce = os.urandom(12)
    sealed = AESGCM(enc_key).encrypt(nonce, plain.encode(), _VERSION)
    return (_VERSION + b":" + base64.b64encode(nonce + sealed)).decode()


def decrypt_text(token: str) -> str:
    enc_key, _ = _keys(settings.DATA_KEY)
    version, _, payload = token.encode().partition(b":")
    raw = base64.b64decode(payload)
    return AESGCM(enc_key).decrypt(raw[:12], raw[12:], version).decode()


def blind_index(value: str) -> str:
    """Keyed hash for exact look-up of an encrypted value (HMAC-SHA256, hex, 32 chars)."""
    _, idx_key = _keys(settings.DATA_KEY)
    return hmac.new(idx_key, value.encode(), hashlib.sha256).hexdigest()[:32]
