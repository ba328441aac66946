"""Personal data at rest: AES-GCM encryption and a keyed hash (blind index) for look-ups.

A ciphertext reads `v2.<key id>:<base64(nonce + sealed)>`; the tag before the colon is also the
AES-GCM associated data, so it cannot be swapped. The key id is a short fingerprint derived from
the key (it reveals nothing of it) and tells which key to decrypt with. Ciphertexts written before
key ids existed read `v1:…`; they are tried with the current key, then the previous one.

HUZHU_DATA_KEY encrypts and indexes. HUZHU_DATA_KEY_PREVIOUS is set only while
`huzhu rotate-data-key` moves stored values to a new key (docs/security.md): it decrypts what
the old key wrote, and look-ups by blind index try both keys (`blind_indexes`), so a row is found
whether or not the rotation has reached it yet.

The batch forms (`encrypt_texts`, `blind_index_many`) are for imports of many rows: one cipher and
one keyed hash per key (built once), nonces drawn from the OS in one call.
"""
import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

LEGACY_TAG = "v1"
_NONCE_BYTES = 12


class UnreadableCiphertext(ValueError):
    """A stored value that no configured key opens: a wrong or missing HUZHU_DATA_KEY_PREVIOUS, or damage."""


@lru_cache(maxsize=8)
def _keys(master: str) -> tuple[bytes, bytes]:
    """Derive separate encryption and index keys from a data key."""
    material = HKDF(algorithm=SHA256(), length=64, salt=b"huzhu", info=b"data-keys").derive(master.encode())
    return material[:32], material[32:]


@lru_cache(maxsize=8)
def key_id(master: str) -> str:
    """A data key's public fingerprint (8 hex digits): names the key in ciphertexts and logs, never reveals it."""
    return HKDF(algorithm=SHA256(), length=4, salt=b"huzhu", info=b"key-id").derive(master.encode()).hex()


def _previous_key() -> str:
    return getattr(settings, "DATA_KEY_PREVIOUS", "") or ""


def current_tag() -> str:
    """The tag every new ciphertext carries: `v2.<key id of HUZHU_DATA_KEY>`."""
    return f"v2.{key_id(settings.DATA_KEY)}"


def previous_tag() -> str | None:
    """The tag of HUZHU_DATA_KEY_PREVIOUS's ciphertexts, or None outside a rotation."""
    previous = _previous_key()
    return f"v2.{key_id(previous)}" if previous else None


def tag_of(token: str) -> str:
    return token.partition(":")[0]


@lru_cache(maxsize=8)
def _cipher(master: str) -> AESGCM:
    """The AES-GCM cipher of a data key, built once (its key schedule is not free)."""
    return AESGCM(_keys(master)[0])


@lru_cache(maxsize=8)
def _keyed_hash(master: str):
    """The blind-index HMAC of a data key with its padded key state; callers copy it per value."""
    return hmac.new(_keys(master)[1], digestmod=hashlib.sha256)


def encrypt_text(plain: str) -> str:
    """Encrypt a short text under the current key; the result is ASCII and safe to store in a CharField."""
    return encrypt_texts([plain])[0]


def encrypt_texts(plains: Sequence[str]) -> list[str]:
    """Encrypt many short texts under the current key, each with its own random nonce (as `encrypt_text`)."""
    tag = current_tag()
    associated, prefix = tag.encode(), f"{tag}:"
    seal, b64 = _cipher(settings.DATA_KEY).encrypt, binascii.b2a_base64
    nonces = os.urandom(_NONCE_BYTES * len(plains))
    sealed = []
    for i, plain in enumerate(plains):
        nonce = nonces[i * _NONCE_BYTES:(i + 1) * _NONCE_BYTES]
        sealed.append(prefix + b64(nonce + seal(nonce, plain.encode(), associated), newline=False).decode())
    return sealed


def _candidate_keys(tag: str) -> list[str]:
    """The configured keys that may have written a ciphertext with this tag, most likely first."""
    configured = [k for k in (settings.DATA_KEY, _previous_key()) if k]
    if tag == LEGACY_TAG:
        return configured
    return [k for k in configured if tag == f"v2.{key_id(k)}"]


def decrypt_text(token: str) -> str:
    """Decrypt with the key the ciphertext names (or, for `v1:` values, the current then the previous key)."""
    tag, _, payload = token.partition(":")
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise UnreadableCiphertext(f"not a ciphertext (tag {tag!r})") from exc
    for key in _candidate_keys(tag):
        try:
            return _cipher(key).decrypt(raw[:12], raw[12:], tag.encode()).decode()
        except InvalidTag:
            continue
    raise UnreadableCiphertext(
        f"no configured data key opens a value tagged {tag!r} (HUZHU_DATA_KEY is {key_id(settings.DATA_KEY)}, "
        f"HUZHU_DATA_KEY_PREVIOUS is {key_id(_previous_key()) if _previous_key() else 'not set'})")


def _index(master: str, value: str) -> str:
    digest = _keyed_hash(master).copy()
    digest.update(value.encode())
    return digest.hexdigest()[:32]


def blind_index(value: str) -> str:
    """Keyed hash for exact look-up of an encrypted value (HMAC-SHA256, hex, 32 chars); what is stored."""
    return _index(settings.DATA_KEY, value)


def blind_index_many(values: Iterable[str], *, key: str | None = None) -> list[str]:
    """`blind_index` of many values (under `key`, default HUZHU_DATA_KEY), in their order."""
    master = key or settings.DATA_KEY
    return [_index(master, value) for value in values]


def previous_key() -> str | None:
    """HUZHU_DATA_KEY_PREVIOUS while a rotation runs, else None (look-ups must then try its indexes too)."""
    return _previous_key() or None


def blind_indexes(value: str) -> list[str]:
    """Every index a stored row of this value may carry: the current one, and the previous key's during a rotation."""
    previous = _previous_key()
    return [blind_index(value)] + ([_index(previous, value)] if previous else [])


def index_aliases(values) -> dict[str, str]:
    """{any index a stored row may carry: the current index} for look-ups of many values at once."""
    aliases: dict[str, str] = {}
    for value in values:
        current, *older = blind_indexes(value)
        aliases.update({index: current for index in older})
        aliases[current] = current
    return aliases


class EncryptedField(models.CharField):
    """Holds `encrypt_text` output, never plain text; `blind_index` names the column keyed on the plain value.

    The key rotation finds every encrypted column by this class, so a new one is declared with it.
    It is a marker only: the database sees a CharField, and so do migrations (declaring it rebuilds
    no table).
    """

    def __init__(self, *args, blind_index: str = "", **kwargs):
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
