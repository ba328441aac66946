"""The worker's own doors of consent to data matching: the phone page /me/data-consent/ and the API
/api/v1/me/data-consent; both give and withdraw for herself only, audited as her own act."""
import pytest

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_worker, sign_in_as_worker
from huzhu.members.models import DataConsent
from huzhu.members.services import give_data_consent
from huzhu.security.services import issue_worker_token


@pytest.fixture
def worker(home_unit):
    return make_worker(home_unit, name="其其格", gender="F", phone="13900001234")


def _is_open(worker) -> bool:
    return DataConsent.objects.filter(worker=worker, withdrawn_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_phone_page_explains_the_sharing_and_the_worker_gives_and_withdraws(client, worker):
    sign_in_as_worker(client, worker)
    home = client.get("/me/").text
    assert "未授权" in home and "/me/data-consent/" in home
    page = client.get("/me/data-consent/").text
    assert "会用到哪些信息" in page and "诊断编码" in page and "可以随时撤回" in page and "我同意授权" in page

    assert client.post("/me/data-consent/", {"action": "give"}).status_code == 302
    assert _is_open(worker) and DataConsent.objects.get(worker=worker).source == "worker"
    assert "已授权" in client.get("/me/").text
    assert "撤回授权" in client.get("/me/data-consent/").text

    client.post("/me/data-consent/", {"action": "withdraw"})
    assert not _is_open(worker)
    closed = DataConsent.objects.get(worker=worker)
    assert (closed.withdrawn_source, closed.withdrawn_by) == ("worker", None)
    events = list(AuditEvent.objects.filter(action__endswith="data_consent").order_by("id")
                  .values_list("action", "actor_label", "object_id"))
    assert [e[0] for e in events] == ["give_data_consent", "withdraw_data_consent"]
    assert all(label == f"worker:{worker.pk}" and object_id == str(worker.pk) for _a, label, object_id in events)
    assert "授权记录" in client.get("/me/data-consent/").text


@pytest.mark.django_db
def test_the_consent_page_needs_the_worker_signed_in(client, worker):
    assert client.get("/me/data-consent/").url.startswith("/me/sign-in/")
    response = client.post("/me/data-consent/", {"action": "give"})
    assert response.status_code == 302 and response.url.startswith("/me/sign-in/")
    assert not _is_open(worker)


@pytest.mark.django_db
def test_the_api_reads_gives_and_withdraws_her_own_consent(client, worker, home_unit, county_clerk):
    other = make_worker(home_unit)
    give_data_consent(actor=county_clerk, worker_ids=[other.pk], source="desk")
    headers = {"Authorization": f"Bearer {issue_worker_token(worker=worker).token}"}

    status = client.get("/api/v1/me/data-consent", headers=headers).json()
    assert status == {"consenting": False, "source": None, "given_at": None, "history": []}

    given = client.post("/api/v1/me/data-consent", headers=headers)
    assert given.status_code == 200 and given.json()["consenting"] is True and given.json()["source"] == "worker"
    again = client.post("/api/v1/me/data-consent", headers=headers).json()
    assert again["given_at"] == given.json()["given_at"] and len(again["history"]) == 1

    withdrawn = client.post("/api/v1/me/data-consent/withdraw", headers=headers).json()
    assert withdrawn["consenting"] is False
    assert withdrawn["history"][0]["withdrawn_source"] == "worker"
    assert _is_open(other)  # her token touches her record only
    assert AuditEvent.objects.filter(action="withdraw_data_consent", object_id=str(worker.pk)).count() == 1


@pytest.mark.django_db
def test_the_api_refuses_without_a_worker_token(client, worker, county_clerk):
    assert client.get("/api/v1/me/data-consent").status_code == 401
    response = client.post("/api/v1/me/data-consent", headers={"Authorization": "Bearer hzw_forged"})
    assert response.status_code == 401 and response.json()["code"]
    assert not _is_open(worker)
