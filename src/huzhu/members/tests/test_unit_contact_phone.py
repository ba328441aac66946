"""A unit contact's mobile: encrypted at rest with a blind index, masked on screens, revealed only with a reason."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from huzhu.audit.models import AuditEvent
from huzhu.conftest import KUNDULUN, SYSTEM, make_staff
from huzhu.core import crypto
from huzhu.core.actors import SystemActor
from huzhu.members import services
from huzhu.members.models import MemberUnit
from huzhu.regions.models import Role

PHONE = "13912345678"


def register(phone="１３９ １２３４ ５６７８"):
    from huzhu.core.idnumbers import make_credit_code
    return services.register_unit(actor=SystemActor(SYSTEM), name="包头联系电话测试公司", county_code=KUNDULUN,
                                  credit_code=make_credit_code("91", KUNDULUN, "AB123456"), contact_phone=phone)


@pytest.mark.django_db
def test_the_contact_phone_is_stored_encrypted_indexed_and_masked_never_plain():
    unit = register()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_memberunit WHERE id = %s", [unit.pk])
        row = cursor.fetchone()
    assert not any(PHONE in str(value) for value in row)
    stored = MemberUnit.objects.get(pk=unit.pk)
    assert stored.contact_phone_encrypted.startswith(crypto.current_tag() + ":")
    assert stored.contact_phone_index == crypto.blind_index(PHONE)
    assert (stored.contact_phone_masked, stored.reveal_contact_phone()) == ("139****5678", PHONE)


@pytest.mark.django_db
def test_the_unit_page_shows_the_phone_masked_and_a_clerk_reveals_it_with_a_reason_audited(client, county_clerk):
    unit = register()
    client.force_login(county_clerk)
    page = client.get(f"/members/units/{unit.pk}/").content.decode()
    assert "139****5678" in page and PHONE not in page
    refused = client.post(f"/security/units/{unit.pk}/reveal-phone/", {"reason": ""})
    assert refused.status_code == 422 and PHONE not in refused.content.decode()
    shown = client.post(f"/security/units/{unit.pk}/reveal-phone/", {"reason": "联系续互"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    event = AuditEvent.objects.get(action="reveal_unit_contact_phone", object_id=str(unit.pk))
    assert event.after == {"field": "contact_phone", "reason": "联系续互"}


@pytest.mark.django_db
def test_a_unit_contact_or_an_auditor_may_not_reveal_and_another_league_gets_not_found(client, auditor):
    unit = register()
    client.force_login(auditor)
    assert client.post(f"/security/units/{unit.pk}/reveal-phone/", {"reason": "核对"}).status_code == 403
    outsider = make_staff("chifeng_clerk_phone", Role.AGENCY, division="150402")
    client.force_login(outsider)
    assert client.post(f"/security/units/{unit.pk}/reveal-phone/", {"reason": "核对"}).status_code == 404
    assert not AuditEvent.objects.filter(action="reveal_unit_contact_phone").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("suite", ["", "sm"], ids=["aes", "sm"])
def test_plain_contact_phones_are_encrypted_in_place_by_the_migration_and_back(settings, suite):
    settings.HUZHU_CRYPTO = suite
    unit = register(phone="")
    executor = MigrationExecutor(connection)
    executor.migrate([("members", "0010_data_consent")])
    with connection.cursor() as cursor:  # an installation before the change: plain, in other digits
        cursor.execute("UPDATE members_memberunit SET contact_phone = %s WHERE id = %s", ["+86 １３９1234 5678", unit.pk])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    stored = MemberUnit.objects.get(pk=unit.pk)
    assert stored.contact_phone_encrypted.startswith(crypto.current_tag() + ":")
    assert (stored.reveal_contact_phone(), stored.contact_phone_masked) == (PHONE, "139****5678")
    assert stored.contact_phone_index == crypto.blind_index(PHONE)
    executor = MigrationExecutor(connection)
    executor.migrate([("members", "0010_data_consent")])  # the reverse decrypts back
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM members_memberunit WHERE id = %s", [unit.pk])
        assert cursor.fetchone()[0] == PHONE
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
