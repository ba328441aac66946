"""register_worker / register_unit: validation, encryption at rest, uniqueness, scope."""
from datetime import date

import pytest

from huzhu.conftest import KUNDULUN, SYSTEM, make_unit
from huzhu.core.crypto import blind_index
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.core.idnumbers import make_credit_code, make_resident_id
from huzhu.core.scopes import Scope
from huzhu.members import services
from huzhu.members.models import Employment, MemberUnit, Worker

NUMBER = make_resident_id(KUNDULUN, date(1988, 7, 9), 124)


def register(unit, **fields):
    return services.register_worker(actor=None, scope=SYSTEM, unit=unit, name=fields.pop("name", "乌云"),
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


def test_a_changed_bank_account_is_found_by_its_new_blind_index(home_unit):
    worker = register(home_unit, bank_account="6222021234567890123")
    services.change_bank_account(actor=None, scope=SYSTEM, worker=worker, bank_name="中国农业银行",
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
    with pytest.raises(PermissionDenied):
        services.register_worker(actor=None, scope=Scope("county", KUNDULUN, role="agency"), unit=other_unit,
                                 name="巴特尔", id_number=NUMBER)


def test_a_unit_with_a_bad_credit_code_is_refused_with_the_field(db):
    with pytest.raises(ValidationFailed) as caught:
        services.register_unit(actor=None, scope=SYSTEM, name="测试", credit_code="91150203MA0C12345X",
                               county_code=KUNDULUN)
    assert caught.value.field == "credit_code"
    assert not MemberUnit.objects.exists()


def test_a_unit_with_an_unknown_county_is_refused(db):
    with pytest.raises(ValidationFailed, match="不存在"):
        services.register_unit(actor=None, scope=SYSTEM, name="测试", county_code="159999",
                               credit_code=make_credit_code("91", KUNDULUN, "MA0C1234"))


def test_duplicate_credit_codes_are_refused(db):
    unit = make_unit()
    with pytest.raises(Conflict):
        services.register_unit(actor=None, scope=SYSTEM, name="重复", credit_code=unit.credit_code,
                               county_code=KUNDULUN)


def test_registration_is_audited_without_the_clear_id_number(home_unit):
    from huzhu.audit.models import AuditEvent

    register(home_unit)
    event = AuditEvent.objects.get(action="register_worker")
    assert NUMBER not in str(event.after)
    assert event.after["id_number"].startswith("1502")
