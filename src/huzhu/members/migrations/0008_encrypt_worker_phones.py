"""Workers' mobile numbers encrypted like ID numbers (issue 17, hole 6): ciphertext, blind index, masked form.

The plain `phone` column is read once, each number brought to its registered form (ASCII digits,
no +86: what parse_mobile stores), encrypted under the current data key and suite, indexed, masked
(138****0001), and then the plain column is dropped. Reversing decrypts back into `phone`.

The helpers are copies (a migration must not follow app code that may change): the ciphertext and
index formats of core.crypto as of this migration, both suites — `v2.<key id>:…` AES-256-GCM with
HMAC-SHA256 indexes, `sm4.<key id>:…` SM4-GCM with HMAC-SM3 indexes (HUZHU_CRYPTO=sm). The staged
roster rows (enrollment) and the claims' diagnosis names use this module's `Keys` too: a migration
file never changes once released, so it is a safe place for them to share.
"""
import base64
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import migrations, models

BATCH = 1000


class Keys:
    """core.crypto as of this migration: the current keying encrypts and indexes; any held key decrypts."""

    def __init__(self):
        self.current = settings.DATA_KEY
        self.suite = "sm" if (getattr(settings, "HUZHU_CRYPTO", "") or "").strip().lower() == "sm" else "aes"
        self.held = [k for k in (settings.DATA_KEY, getattr(settings, "DATA_KEY_PREVIOUS", "") or "") if k]

    @staticmethod
    def _key_id(master):
        return HKDF(algorithm=hashes.SHA256(), length=4, salt=b"huzhu", info=b"key-id").derive(master.encode()).hex()

    @staticmethod
    def _material(master, suite):
        if suite == "sm":
            return HKDF(algorithm=hashes.SM3(), length=48, salt=b"huzhu", info=b"data-keys-sm").derive(master.encode())
        return HKDF(algorithm=hashes.SHA256(), length=64, salt=b"huzhu", info=b"data-keys").derive(master.encode())

    def _tag(self, master, suite):
        return ("sm4." if suite == "sm" else "v2.") + self._key_id(master)

    def encrypt(self, plain):
        tag, nonce = self._tag(self.current, self.suite), os.urandom(12)
        if self.suite == "sm":
            encryptor = Cipher(algorithms.SM4(self._material(self.current, "sm")[:16]), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(tag.encode())
            sealed = encryptor.update(plain.encode()) + encryptor.finalize() + encryptor.tag
        else:
            sealed = AESGCM(self._material(self.current, "aes")[:32]).encrypt(nonce, plain.encode(), tag.encode())
        return f"{tag}:" + base64.b64encode(nonce + sealed).decode()

    def decrypt(self, token):
        tag, _, payload = token.partition(":")
        raw = base64.b64decode(payload, validate=True)
        for key in self.held:
            for suite in ("aes", "sm"):
                if tag != self._tag(key, suite) and not (tag == "v1" and suite == "aes"):
                    continue
                try:
                    if suite == "sm":
                        decryptor = Cipher(algorithms.SM4(self._material(key, "sm")[:16]),
                                           modes.GCM(raw[:12], raw[-16:])).decryptor()
                        decryptor.authenticate_additional_data(tag.encode())
                        return (decryptor.update(raw[12:-16]) + decryptor.finalize()).decode()
                    return AESGCM(self._material(key, "aes")[:32]).decrypt(raw[:12], raw[12:], tag.encode()).decode()
                except InvalidTag:
                    continue
        raise ValueError(f"no configured data key opens a value tagged {tag!r}")

    def index(self, value):
        if self.suite == "sm":
            mac = crypto_hmac.HMAC(self._material(self.current, "sm")[16:], hashes.SM3())
            mac.update(value.encode())
            return mac.finalize().hex()[:32]
        return hmac.new(self._material(self.current, "aes")[32:], value.encode(), hashlib.sha256).hexdigest()[:32]


def registered_form(phone):
    """ASCII digits, spaces and dashes dropped, a +86 / 0086 prefix removed (what parse_mobile stores)."""
    chars = []
    for ch in unicodedata.normalize("NFKC", phone or ""):
        if ch in " \t\r\n\v\f-_" or ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None else ch)
    number = "".join(chars)
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix):]
    return number


def mask_mobile(number):
    return number[:3] + "*" * (len(number) - 7) + number[-4:] if len(number) >= 8 else "*" * len(number)


def encrypt_phones(model, keys, *, plain="phone"):
    """Fill phone_encrypted / phone_index / phone_masked from the plain column of every row that has a phone."""
    batch = []
    rows = model.objects.exclude(**{plain: ""}).order_by("pk").values_list("pk", plain).iterator(chunk_size=5000)
    for pk, phone in rows:
        number = registered_form(phone)
        batch.append(model(pk=pk, phone_encrypted=keys.encrypt(number), phone_index=keys.index(number),
                           phone_masked=mask_mobile(number)))
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, ["phone_encrypted", "phone_index", "phone_masked"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, ["phone_encrypted", "phone_index", "phone_masked"])


def decrypt_phones(model, keys, *, plain="phone"):
    batch = []
    rows = model.objects.exclude(phone_encrypted="").order_by("pk").values_list("pk", "phone_encrypted")
    for pk, token in rows.iterator(chunk_size=5000):
        batch.append(model(pk=pk, **{plain: keys.decrypt(token)}))
        if len(batch) >= BATCH:
            model.objects.bulk_update(batch, [plain])
            batch = []
    if batch:
        model.objects.bulk_update(batch, [plain])


def forwards(apps, schema_editor):
    encrypt_phones(apps.get_model("members", "Worker"), Keys())


def backwards(apps, schema_editor):
    decrypt_phones(apps.get_model("members", "Worker"), Keys())


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0007_normalise_identifiers"),
    ]

    operations = [
        migrations.AddField(
            model_name="worker",
            name="phone_encrypted",
            field=models.CharField(blank=True, db_default="", default="", max_length=120),
        ),
        migrations.AddField(
            model_name="worker",
            name="phone_index",
            field=models.CharField(blank=True, db_default="", default="", max_length=32),
        ),
        migrations.AddField(
            model_name="worker",
            name="phone_masked",
            field=models.CharField(blank=True, db_default="", default="", max_length=11, verbose_name="手机号"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name="worker",
            name="phone",
        ),
    ]
