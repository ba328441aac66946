"""Stored identifiers to their ASCII form (issue 16, items 7 and 15).

Before core.identifiers, an ID number, phone, credit code or bank account typed in full-width,
Arabic-Indic, Devanagari or Mongolian digits was stored as typed: the same person could be
registered twice and the gender read from a non-ASCII digit came out female. This rewrites such
values as the services now store them: decrypt, normalise, re-encrypt under the current key, and
recompute the blind index, the masked form and (for ID numbers) gender and birth date.

A value whose normalised form another row already holds is a second registration of one person
(or unit): merging people is not a migration's decision, so that row is left as it is and named on
the console for a clerk to merge by hand.

The helpers are copies (a migration must not follow app code that may change): the normaliser of
core.identifiers and the ciphertext format of core.crypto (`v2.<key id>:<base64(nonce+sealed)>`).
"""
import base64
import hashlib
import hmac
import os
import unicodedata
from datetime import date

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import migrations

BATCH = 1000


def ascii_form(text):
    """NFKC, Unicode digits to ASCII, spaces/dashes/format characters dropped, upper case."""
    chars = []
    for ch in unicodedata.normalize("NFKC", text or ""):
        if ch in " \t\r\n\v\f-_" or ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        digit = unicodedata.decimal(ch, None)
        chars.append(str(digit) if digit is not None else ch)
    return "".join(chars).upper()


def normalised(text):
    """The stored form, or None when something non-ASCII would remain (left for a person to look at)."""
    value = ascii_form(text)
    return value if value.isascii() else None


def mask(number):
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) >= 8 else "*" * len(number)


class Keys:
    """core.crypto as of this migration: HKDF-derived AES-GCM and HMAC keys, key ids in the tag."""

    def __init__(self):
        self.current = settings.DATA_KEY
        self.configured = [k for k in (settings.DATA_KEY, getattr(settings, "DATA_KEY_PREVIOUS", "") or "") if k]

    @staticmethod
    def _material(master):
        return HKDF(algorithm=SHA256(), length=64, salt=b"huzhu", info=b"data-keys").derive(master.encode())

    @staticmethod
    def _tag(master):
        return "v2." + HKDF(algorithm=SHA256(), length=4, salt=b"huzhu", info=b"key-id").derive(master.encode()).hex()

    def decrypt(self, token):
        tag, _, payload = token.partition(":")
        raw = base64.b64decode(payload, validate=True)
        for key in self.configured:
            if tag != "v1" and tag != self._tag(key):
                continue
            try:
                return AESGCM(self._material(key)[:32]).decrypt(raw[:12], raw[12:], tag.encode()).decode()
            except InvalidTag:
                continue
        raise ValueError(f"no configured data key opens a value tagged {tag!r}")

    def encrypt(self, plain):
        tag = self._tag(self.current)
        nonce = os.urandom(12)
        sealed = AESGCM(self._material(self.current)[:32]).encrypt(nonce, plain.encode(), tag.encode())
        return f"{tag}:" + base64.b64encode(nonce + sealed).decode()

    def index(self, value, master=None):
        return hmac.new(self._material(master or self.current)[32:], value.encode(), hashlib.sha256).hexdigest()[:32]

    def indexes(self, value):
        return [self.index(value, key) for key in self.configured]


def _flush(model, batch, fields):
    if batch:
        model.objects.bulk_update(batch, fields)
        batch.clear()


def _normalise_workers(Worker, keys):
    rows = (Worker.objects.order_by("pk")
            .values_list("pk", "id_number_encrypted", "phone", "bank_account_encrypted").iterator(chunk_size=5000))
    phone_batch, account_batch = [], []
    for pk, id_token, phone, account_token in rows:
        number = keys.decrypt(id_token)
        fixed = normalised(number)
        if fixed is not None and fixed != number and len(fixed) == 18:
            holder = (Worker.objects.filter(id_number_index__in=keys.indexes(fixed)).exclude(pk=pk)
                      .values_list("pk", flat=True).first())
            if holder is not None:
                print(f"\n  members.0007: worker #{pk} has the ID number of worker #{holder} once normalised;"
                      " left unchanged, merge the two by hand")
            else:
                # GB 11643: the 17th digit is odd for men; the birth date is digits 7 to 14
                birth_on = date(int(fixed[6:10]), int(fixed[10:12]), int(fixed[12:14]))
                # written at once (these rows are few): a later row of the same person must see this index
                Worker.objects.filter(pk=pk).update(
                    id_number_encrypted=keys.encrypt(fixed), id_number_index=keys.index(fixed),
                    id_number_masked=mask(fixed), gender="M" if int(fixed[16]) % 2 else "F", birth_on=birth_on)
        fixed_phone = normalised(phone)
        if phone and fixed_phone is not None and fixed_phone != phone:
            phone_batch.append(Worker(pk=pk, phone=fixed_phone[-11:] if fixed_phone.startswith("+86") else fixed_phone))
        if account_token:
            account = keys.decrypt(account_token)
            fixed_account = normalised(account)
            if fixed_account is not None and fixed_account != account:
                account_batch.append(Worker(pk=pk, bank_account_encrypted=keys.encrypt(fixed_account),
                                            bank_account_index=keys.index(fixed_account),
                                            bank_account_masked=mask(fixed_account)))
        if len(phone_batch) >= BATCH:
            _flush(Worker, phone_batch, ["phone"])
        if len(account_batch) >= BATCH:
            _flush(Worker, account_batch, ["bank_account_encrypted", "bank_account_index", "bank_account_masked"])
    _flush(Worker, phone_batch, ["phone"])
    _flush(Worker, account_batch, ["bank_account_encrypted", "bank_account_index", "bank_account_masked"])


def _normalise_units(MemberUnit):
    for pk, code, phone in MemberUnit.objects.order_by("pk").values_list("pk", "credit_code", "contact_phone"):
        changes = {}
        fixed_code = normalised(code)
        if fixed_code is not None and fixed_code != code:
            holder = MemberUnit.objects.filter(credit_code=fixed_code).values_list("pk", flat=True).first()
            if holder is not None:
                print(f"\n  members.0007: unit #{pk} has the credit code of unit #{holder} once normalised;"
                      " left unchanged, merge the two by hand")
            else:
                changes["credit_code"] = fixed_code
        fixed_phone = normalised(phone)
        if phone and fixed_phone is not None and fixed_phone != phone:
            changes["contact_phone"] = fixed_phone
        if changes:
            MemberUnit.objects.filter(pk=pk).update(**changes)


def _normalise_payouts(Payout, keys):
    batch = []
    for pk, token in Payout.objects.order_by("pk").values_list("pk", "bank_account_encrypted").iterator(chunk_size=5000):
        if not token:
            continue
        account = keys.decrypt(token)
        fixed = normalised(account)
        if fixed is not None and fixed != account:
            batch.append(Payout(pk=pk, bank_account_encrypted=keys.encrypt(fixed), bank_account_masked=mask(fixed)))
        if len(batch) >= BATCH:
            _flush(Payout, batch, ["bank_account_encrypted", "bank_account_masked"])
    _flush(Payout, batch, ["bank_account_encrypted", "bank_account_masked"])


def normalise_identifiers(apps, schema_editor):
    """Every stored ID number, phone, credit code and bank account in its ASCII form."""
    keys = Keys()
    _normalise_workers(apps.get_model("members", "Worker"), keys)
    _normalise_units(apps.get_model("members", "MemberUnit"))
    _normalise_payouts(apps.get_model("payouts", "Payout"), keys)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0006_lean_indexes"),
        ("payouts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(normalise_identifiers, migrations.RunPython.noop),
    ]
