"""members.0007: ID numbers, phones, bank accounts and credit codes stored as typed become ASCII."""
import importlib
from datetime import date

from django.apps import apps

from huzhu.conftest import KUNDULUN, make_unit, make_worker
from huzhu.core.crypto import blind_index, encrypt_text
from huzhu.core.idnumbers import make_resident_id
from huzhu.members.models import MemberUnit, Worker

migration = importlib.import_module("huzhu.members.migrations.0007_normalise_identifiers")


def mongolian(text: str) -> str:
    return "".join(chr(0x1810 + int(c)) if c.isdigit() else c for c in text)


def arabic_indic(text: str) -> str:
    """Two UTF-8 bytes a digit: its ciphertext fits the column on PostgreSQL (Mongolian's three do not)."""
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


def stored_as_typed(unit, number: str, *, phone: str = "", account: str = "") -> Worker:
    """A worker row as register_worker wrote it before identifiers were normalised (gender read as female)."""
    return Worker.objects.create(
        name="巴图", id_number_encrypted=encrypt_text(number), id_number_index=blind_index(number),
        id_number_masked=number[:4] + "*" * 10 + number[-4:], gender="F", birth_on=date(1985, 3, 2), phone=phone,
        unit=unit, league_id=unit.league_id, county_id=unit.county_id,
        bank_account_encrypted=encrypt_text(account) if account else "", bank_account_index=blind_index(account) if account else "",
        bank_account_masked=account[:4] + "*" * (len(account) - 8) + account[-4:] if account else "")


def test_a_worker_stored_in_other_digits_is_rewritten_in_ascii_and_found_by_its_number(home_unit):
    man = make_resident_id(KUNDULUN, date(1985, 3, 2), 123)
    account = "6222021234567890123"
    row = stored_as_typed(home_unit, arabic_indic(man), phone=mongolian("13900001111"), account=arabic_indic(account))
    migration.normalise_identifiers(apps, None)
    row.refresh_from_db()
    assert (row.reveal_id_number(), row.id_number_index, row.gender) == (man, blind_index(man), "M")
    assert row.id_number_masked == man[:4] + "*" * 10 + man[-4:] and row.phone == "13900001111"
    assert (row.reveal_bank_account(), row.bank_account_index) == (account, blind_index(account))
    assert row.bank_account_masked == "6222***********0123"


def test_a_second_registration_of_one_person_is_left_for_a_clerk_and_named(home_unit, other_unit, capsys):
    first = make_worker(home_unit)
    second = stored_as_typed(other_unit, arabic_indic(first.reveal_id_number()))
    before = second.id_number_encrypted
    migration.normalise_identifiers(apps, None)
    second.refresh_from_db()
    assert second.id_number_encrypted == before
    assert f"worker #{second.pk} has the ID number of worker #{first.pk}" in capsys.readouterr().out


def test_an_ascii_worker_is_not_rewritten(home_unit):
    worker = make_worker(home_unit, bank_account="6222021234567890123")
    before = Worker.objects.values().get(pk=worker.pk)
    migration.normalise_identifiers(apps, None)
    assert Worker.objects.values().get(pk=worker.pk) == before


def test_a_credit_code_and_contact_phone_in_full_width_digits_become_ascii(db):
    unit = make_unit()
    code = unit.credit_code
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    MemberUnit.objects.filter(pk=unit.pk).update(credit_code=wide, contact_phone=mongolian("13900001111"))
    migration.normalise_identifiers(apps, None)
    unit.refresh_from_db()
    assert (unit.credit_code, unit.contact_phone) == (code, "13900001111")
