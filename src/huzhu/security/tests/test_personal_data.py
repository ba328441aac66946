"""Full ID and bank numbers: only for roles that may, with a reason, audited; page views logged."""
import pytest

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_worker
from huzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from huzhu.security.models import PersonalDataAccess
from huzhu.security.services import reveal_personal_data

ACCOUNT = "6222021234567890123"


@pytest.fixture
def worker(home_unit):
    return make_worker(home_unit, name="萨仁", bank_account=ACCOUNT)


def test_a_county_clerk_reveals_the_id_number_and_it_is_audited(county_clerk, worker):
    value = reveal_personal_data(actor=county_clerk, worker=worker, field="id_number", reason="核对申领材料")
    assert value == worker.reveal_id_number() and "*" not in value
    event = AuditEvent.objects.get(action="personal_data.revealed")
    assert (event.actor, event.object_id) == (county_clerk, str(worker.pk))
    assert event.after == {"field": "id_number", "reason": "核对申领材料"}
    assert value not in str(event.after)
    access = PersonalDataAccess.objects.get(kind="reveal")
    assert (access.actor, access.worker_id, access.field) == (county_clerk, worker.pk, "id_number")


def test_the_association_reveals_a_bank_account(association_approver, worker):
    assert reveal_personal_data(actor=association_approver, worker=worker, field="bank_account",
                                reason="核对付款账户") == ACCOUNT


def test_an_auditor_may_not_reveal_and_nothing_is_decrypted(auditor, worker):
    with pytest.raises(PermissionDenied) as refused:
        reveal_personal_data(actor=auditor, worker=worker, field="id_number", reason="抽查")
    assert refused.value.message == "您的角色无权查看完整号码"
    assert not AuditEvent.objects.filter(action="personal_data.revealed").exists()


def test_a_unit_contact_may_not_reveal(unit_contact, worker):
    with pytest.raises(PermissionDenied):
        reveal_personal_data(actor=unit_contact, worker=worker, field="id_number", reason="核对")


def test_a_clerk_of_another_county_may_not_reveal(county_clerk, other_unit):
    stranger = make_worker(other_unit)
    with pytest.raises(NotFound):  # out of scope is "not found", never "forbidden"
        reveal_personal_data(actor=county_clerk, worker=stranger, field="id_number", reason="核对")


def test_a_reason_is_required(county_clerk, worker):
    with pytest.raises(ValidationFailed) as refused:
        reveal_personal_data(actor=county_clerk, worker=worker, field="id_number", reason=" ")
    assert refused.value.field == "reason"


def test_the_worker_page_offers_the_button_and_shows_the_number_once(client, county_clerk, worker):
    client.force_login(county_clerk)
    page = client.get(f"/members/workers/{worker.pk}/").content.decode()
    assert "显示完整号码" in page and worker.reveal_id_number() not in page
    shown = client.post(f"/security/workers/{worker.pk}/reveal/", {"field": "id_number", "reason": "核对材料"},
                        headers={"HX-Request": "true"})
    assert shown.status_code == 200 and worker.reveal_id_number() in shown.content.decode()
    assert worker.reveal_id_number() not in client.get(f"/members/workers/{worker.pk}/").content.decode()


def test_the_auditor_sees_no_button_and_the_post_is_refused(client, auditor, worker):
    client.force_login(auditor)
    assert "显示完整号码" not in client.get(f"/members/workers/{worker.pk}/").content.decode()
    refused = client.post(f"/security/workers/{worker.pk}/reveal/", {"field": "id_number", "reason": "抽查"})
    assert refused.status_code == 403 and worker.reveal_id_number() not in refused.content.decode()


def test_another_regions_worker_is_a_404_on_the_reveal_page(client, county_clerk, other_unit):
    stranger = make_worker(other_unit)
    client.force_login(county_clerk)
    assert client.post(f"/security/workers/{stranger.pk}/reveal/",
                       {"field": "id_number", "reason": "核对"}).status_code == 404


def test_opening_a_worker_page_writes_the_access_log(client, auditor, worker):
    client.force_login(auditor)
    client.get(f"/members/workers/{worker.pk}/", REMOTE_ADDR="10.2.3.4")
    access = PersonalDataAccess.objects.get()
    assert (access.actor, access.worker_id, access.kind, access.view, access.ip) == (
        auditor, worker.pk, "view", "members.worker_detail", "10.2.3.4")
