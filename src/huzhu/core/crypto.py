"""Personal data at rest: authenticated encryption and a keyed hash (blind index) for look-ups.

Two suites, chosen by `HUZHU_CRYPTO` (settings.py): the default AES-256-GCM with HMAC-SHA256
blind indexes, and `sm` (国密, for the commercial-cryptography assessment): SM4-GCM (GB/T 32907,
GCM as in RFC 8998) with HMAC-SM3 (GB/T 32905) blind indexes and HKDF-SM3 key derivation. The
audit chain reads the same setting through `uses_national_algorithms` (audit/chain.py).

A ciphertext names its algorithm and its key: `v2.<key id>:<base64(nonce + sealed)>` for AES-GCM
(the historic tag), `sm4.<key id>:…` for SM4-GCM. The tag before the colon is also the associated
data, so it cannot be swapped. The key id is a short fingerprint of the key (it reveals nothing of
it) and is the same under both suites: it names the key, the prefix names the algorithm. Values
written before key ids existed read `v1:…` (AES-GCM); they are tried with the current key, then
the previous one. Decryption follows the tag, so any held key opens its values under either suite.

HUZHU_DATA_KEY encrypts and indexes under HUZHU_CRYPTO. While `huzhu rotate-data-key` moves stored
values to a new key, a new suite, or both (docs/security.md), the previous keying is set:
HUZHU_DATA_KEY_PREVIOUS (the old key; unset when only the algorithm changes) and
HUZHU_CRYPTO_PREVIOUS (the old suite; unset when only the key changes). Look-ups by blind index
then try both keyings (`blind_indexes`), so a row is found whether or not the rotation has
reached it yet.

The batch forms (`encrypt_texts`, `blind_index_many`) are for imports of many rows: one cipher and
one keyed hash per keying (built once), nonces drawn from the OS in one call.
"""
import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

LEGACY_TAG = "v1"
AES, SM = "aes", "sm"
SUITE_PREFIXES = {AES: "v2", SM: "sm4"}
_NONCE_BYTES = 12
_GCM_TAG_BYTES = 16


class UnreadableCiphertext(ValueError):
    """A stored value that no configured key opens: a wrong or missing HUZHU_DATA_KEY_PREVIOUS, or damage."""


def suite_named(name: str, *, setting: str = "HUZHU_CRYPTO") -> str:
    """The suite a setting names: "" or "aes" is AES-GCM/HMAC-SHA256, "sm" is SM4-GCM/HMAC-SM3; else an error."""
    value = (name or "").strip().lower()
    if value in ("", AES):
        return AES
    if value == SM:
        return SM
    raise ImproperlyConfigured(f"{setting}={name!r}: use 'sm' (SM4/SM3) or leave it empty (AES/SHA-256)")


def current_suite() -> str:
    """The suite new ciphertexts, blind indexes (and audit MACs) are made with (HUZHU_CRYPTO)."""
    return suite_named(getattr(settings, "HUZHU_CRYPTO", ""))


def uses_national_algorithms() -> bool:
    """True under HUZHU_CRYPTO=sm: the one reading of the setting that field encryption and the audit chain share."""
    return current_suite() == SM


@dataclass(frozen=True)
class Keying:
    """A data key and the suite it is used with: what wrote a ciphertext, what computes an index."""

    key: str
    suite: str

    @property
    def tag(self) -> str:
        return f"{SUITE_PREFIXES[self.suite]}.{key_id(self.key)}"


def current_keying() -> Keying:
    return Keying(settings.DATA_KEY, current_suite())


def previous_keying() -> Keying | None:
    """What wrote the values a rotation has not reached yet (old key, old suite, or both), or None outside one."""
    old_key = getattr(settings, "DATA_KEY_PREVIOUS", "") or ""
    old_suite = getattr(settings, "HUZHU_CRYPTO_PREVIOUS", "") or ""
    if not old_key and not old_suite:
        return None
    keying = Keying(old_key or settings.DATA_KEY,
                    suite_named(old_suite, setting="HUZHU_CRYPTO_PREVIOUS") if old_suite else current_suite())
    return None if keying == current_keying() else keying


def rotation_under_way() -> bool:
    """True while a previous keying is configured: look-ups must try its indexes too."""
    return previous_keying() is not None


@lru_cache(maxsize=8)
def _keys(master: str) -> tuple[bytes, bytes]:
    """Derive separate AES encryption and HMAC-SHA256 index keys from a data key."""
    material = HKDF(algorithm=SHA256(), length=64, salt=b"huzhu", info=b"data-keys").derive(master.encode())
    return material[:32], material[32:]


@lru_cache(maxsize=8)
def _sm_keys(master: str) -> tuple[bytes, bytes]:
    """Derive separate SM4 encryption (128-bit) and HMAC-SM3 index keys from a data key, with HKDF-SM3."""
    material = HKDF(algorithm=hashes.SM3(), length=48, salt=b"huzhu", info=b"data-keys-sm").derive(master.encode())
    return material[:16], material[16:]


@lru_cache(maxsize=8)
def key_id(master: str) -> str:
    """A data key's public fingerprint (8 hex digits): names the key in ciphertexts and logs, never reveals it."""
    return HKDF(algorithm=SHA256(), length=4, salt=b"huzhu", info=b"key-id").derive(master.encode()).hex()


def _previous_key() -> str:
    return getattr(settings, "DATA_KEY_PREVIOUS", "") or ""


def current_tag() -> str:
    """The tag every new ciphertext carries: `v2.<key id>` (AES-GCM) or `sm4.<key id>` (SM4-GCM)."""
    return current_keying().tag


def previous_tag() -> str | None:
    """The tag of the previous keying's ciphertexts, or None outside a rotation."""
    previous = previous_keying()
    return previous.tag if previous else None


def tag_of(token: str) -> str:
    return token.partition(":")[0]


class _Sm4Gcm:
    """SM4-GCM with the AESGCM interface: `encrypt(nonce, data, associated)` gives ciphertext + 16-byte tag."""

    def __init__(self, key: bytes):
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, nonce: bytes, data: bytes, associated: bytes) -> bytes:
        encryptor = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated)
        sealed = encryptor.update(data) + encryptor.finalize()
        return sealed + encryptor.tag

    def decrypt(self, nonce: bytes, sealed: bytes, associated: bytes) -> bytes:
        if len(sealed) < _GCM_TAG_BYTES:
            raise InvalidTag
        decryptor = Cipher(self._algorithm, modes.GCM(nonce, sealed[-_GCM_TAG_BYTES:])).decryptor()
        decryptor.authenticate_additional_data(associated)
        return decryptor.update(sealed[:-_GCM_TAG_BYTES]) + decryptor.finalize()


@lru_cache(maxsize=8)
def _cipher(master: str, suite: str = AES):
    """The cipher of a data key under a suite, built once (its key schedule is not free)."""
    if suite == SM:
        return _Sm4Gcm(_sm_keys(master)[0])
    return AESGCM(_keys(master)[0])


class _Sm3Hmac:
    """HMAC-SM3 with the `copy / update / hexdigest` interface of the stdlib's hmac objects."""

    def __init__(self, mac: crypto_hmac.HMAC):
        self._mac = mac

    def copy(self) -> "_Sm3Hmac":
        return _Sm3Hmac(self._mac.copy())

    def update(self, data: bytes) -> None:
        self._mac.update(data)

    def hexdigest(self) -> str:
        return self._mac.finalize().hex()


@lru_cache(maxsize=8)
def _keyed_hash(master: str, suite: str = AES):
    """The blind-index HMAC of a data key with its padded key state; callers copy it per value."""
    if suite == SM:
        return _Sm3Hmac(crypto_hmac.HMAC(_sm_keys(master)[1], hashes.SM3()))
    return hmac.new(_keys(master)[1], digestmod=hashlib.sha256)


def encrypt_text(plain: str) -> str:
    """Encrypt a short text under the current keying; the result is ASCII and safe to store in a CharField."""
    return encrypt_texts([plain])[0]


def encrypt_texts(plains: Sequence[str]) -> list[str]:
    """Encrypt many short texts under the current keying, each with its own random nonce (as `encrypt_text`)."""
    keying = current_keying()
    tag = keying.tag
    associated, prefix = tag.encode(), f"{tag}:"
    seal, b64 = _cipher(keying.key, keying.suite).encrypt, binascii.b2a_base64
    nonces = os.urandom(_NONCE_BYTES * len(plains))
    sealed = []
    for i, plain in enumerate(plains):
        nonce = nonces[i * _NONCE_BYTES:(i + 1) * _NONCE_BYTES]
        sealed.append(prefix + b64(nonce + seal(nonce, plain.encode(), associated), newline=False).decode())
    return sealed


def _candidate_keyings(tag: str) -> list[Keying]:
    """The held keys and the suite that may have written a ciphertext with this tag, most likely first."""
    configured = [k for k in (settings.DATA_KEY, _previous_key()) if k]
    if tag == LEGACY_TAG:
        return [Keying(k, AES) for k in configured]
    prefix, _, kid = tag.partition(".")
    suites = [suite for suite, known in SUITE_PREFIXES.items() if known == prefix]
    return [Keying(k, suites[0]) for k in configured if suites and kid == key_id(k)]


def decrypt_text(token: str) -> str:
    """Decrypt with the algorithm and key the ciphertext names (`v1:` values: AES, the current then the previous key)."""
    tag, _, payload = token.partition(":")
    try:
        raw = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise UnreadableCiphertext(f"not a ciphertext (tag {tag!r})") from exc
    for keying in _candidate_keyings(tag):
        try:
            return _cipher(keying.key, keying.suite).decrypt(raw[:12], raw[12:], tag.encode()).decode()
        except InvalidTag:
            continue
    raise UnreadableCiphertext(
        f"no configured data key opens a value tagged {tag!r} (HUZHU_DATA_KEY is {key_id(settings.DATA_KEY)}, "
        f"HUZHU_DATA_KEY_PREVIOUS is {key_id(_previous_key()) if _previous_key() else 'not set'})")


def _index(keying: Keying, value: str) -> str:
    digest = _keyed_hash(keying.key, keying.suite).copy()
    digest.update(value.encode())
    return digest.hexdigest()[:32]


def blind_index(value: str) -> str:
    """Keyed hash for exact look-up of an encrypted value (HMAC-SHA256 or HMAC-SM3, hex, 32 chars); what is stored."""
    return _index(current_keying(), value)


def blind_index_many(values: Iterable[str], *, key: str | None = None, previous: bool = False) -> list[str]:
    """`blind_index` of many values, in their order: under the current keying, `key` (current suite) or the previous keying."""
    if previous:
        keying = previous_keying() or current_keying()
    else:
        keying = Keying(key, current_suite()) if key else current_keying()
    return [_index(keying, value) for value in values]


def previous_key() -> str | None:
    """HUZHU_DATA_KEY_PREVIOUS while a key rotation runs, else None (see `rotation_under_way` for suite switches)."""
    return _previous_key() or None


def blind_indexes(value: str) -> list[str]:
    """Every index a stored row of this value may carry: the current one, and the previous keying's during a rotation."""
    previous = previous_keying()
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
