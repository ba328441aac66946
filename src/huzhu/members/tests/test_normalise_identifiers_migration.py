"""members.0007: ID numbers, phones, bank accounts and credit codes stored as typed become ASCII.

Run at the schema of 0007 (workers' phones still plain; members.0008 encrypts them): the database is
migrated back once for the file and forward again after its last test (each cycle costs some twenty
seconds); each test writes its rows inside its own transaction, rolled back after it.
"""
import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huzhu.conftest import KUNDULUN
from huzhu.core.crypto import blind_index, decrypt_text, encrypt_text
from huzhu.core.idnumbers import make_credit_code, make_resident_id

migration = importlib.import_module("huzhu.members.migrations.0007_normalise_identifiers")
pytestmark = pytest.mark.django_db
AT = [("members", "0007_normalise_identifiers")]


@pytest.fixture(scope="module")
def apps(django_db_setup, django_db_blocker):
    """The app registry as of members.0007, with the database migrated to it (and forward again after the file)."""
    with django_db_blocker.unblock():
        executor = MigrationExecutor(connection)
        executor.migrate(AT)
        try:
            yield executor.loader.project_state(AT).apps
        finally:
            executor = MigrationExecutor(connection)
            executor.loader.build_graph()
            executor.migrate(executor.loader.graph.leaf_nodes())


def mongolian(text: str) -> str:
    return "".join(chr(0x1810 + int(c)) if c.isdigit() else c for c in text)


def arabic_indic(text: str) -> str:
    """Two UTF-8 bytes a digit: its ciphertext fits the column on PostgreSQL (Mongolian's three do not)."""
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


def stored_as_typed(apps, unit, number: str, *, phone: str = "", account: str = ""):
    """A worker row as register_worker wrote it before identifiers were normalised (gender read as female)."""
    Worker = apps.get_model("members", "Worker")
    return Worker.objects.create(
        name="巴图", id_number_encrypted=encrypt_text(number), id_number_index=blind_index(number),
        id_number_masked=number[:4] + "*" * 10 + number[-4:], gender="F", birth_on=date(1985, 3, 2), phone=phone,
        unit_id=unit.pk, league_id=unit.league_id, county_id=unit.county_id,
        bank_account_encrypted=encrypt_text(account) if account else "", bank_account_index=blind_index(account) if account else "",
        bank_account_masked=account[:4] + "*" * (len(account) - 8) + account[-4:] if account else "")


@pytest.fixture
def home_unit(apps):
    """A unit as stored at members.0007 (its plain contact phone column; 0011 encrypts it later)."""
    return apps.get_model("members", "MemberUnit").objects.create(
        name="包头钢铁测试公司", credit_code=make_credit_code("91", KUNDULUN, "T7000001"),
        league_id=KUNDULUN[:4] + "00", county_id=KUNDULUN)


def test_a_worker_stored_in_other_digits_is_rewritten_in_ascii_and_found_by_its_number(apps, home_unit):
    man = make_resident_id(KUNDULUN, date(1985, 3, 2), 123)
    account = "6222021234567890123"
    row = stored_as_typed(apps, home_unit, arabic_indic(man), phone=mongolian("13900001111"),
                          account=arabic_indic(account))
    migration.normalise_identifiers(apps, None)
    row.refresh_from_db()
    assert (decrypt_text(row.id_number_encrypted), row.id_number_index, row.gender) == (man, blind_index(man), "M")
    assert row.id_number_masked == man[:4] + "*" * 10 + man[-4:] and row.phone == "13900001111"
    assert (decrypt_text(row.bank_account_encrypted), row.bank_account_index) == (account, blind_index(account))
    assert row.bank_account_masked == "6222***********0123"


def test_a_second_registration_of_one_person_is_left_for_a_clerk_and_named(apps, home_unit, capsys):
    number = make_resident_id(KUNDULUN, date(1985, 3, 2), 125)
    first = stored_as_typed(apps, home_unit, number)
    second = stored_as_typed(apps, home_unit, arabic_indic(number))
    before = second.id_number_encrypted
    migration.normalise_identifiers(apps, None)
    second.refresh_from_db()
    assert second.id_number_encrypted == before
    assert f"worker #{second.pk} has the ID number of worker #{first.pk}" in capsys.readouterr().out


def test_an_ascii_worker_is_not_rewritten(apps, home_unit):
    Worker = apps.get_model("members", "Worker")
    worker = stored_as_typed(apps, home_unit, make_resident_id(KUNDULUN, date(1985, 3, 2), 127), phone="13900001111",
                             account="6222021234567890123")
    before = Worker.objects.values().get(pk=worker.pk)
    migration.normalise_identifiers(apps, None)
    assert Worker.objects.values().get(pk=worker.pk) == before


def test_a_credit_code_and_contact_phone_in_full_width_digits_become_ascii(apps):
    # the unit as stored then (the plain contact phone column of members.0007; 0011 encrypts it later)
    units = apps.get_model("members", "MemberUnit")
    code = make_credit_code("91", KUNDULUN, "AB123456")
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    unit = units.objects.create(name="全角测试单位", credit_code=wide, league_id=KUNDULUN[:4] + "00", county_id=KUNDULUN,
                                contact_phone=mongolian("13900001111"))
    migration.normalise_identifiers(apps, None)
    unit.refresh_from_db()
    assert (unit.credit_code, unit.contact_phone) == (code, "13900001111")
