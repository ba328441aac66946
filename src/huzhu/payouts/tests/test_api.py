"""Payout API: batches listed, built, approved and sent by the association; maker ≠ checker; others 403."""
import pytest
from django.utils import timezone

from huzhu.conftest import PASSWORD
from huzhu.payouts import services
from huzhu.payouts.models import PayoutBatch
from huzhu.security.services import create_api_token


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def bearer(user) -> dict:
    _, secret = create_api_token(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_association_builds_and_another_member_approves_over_the_api(client, approve_claim, maker, checker):
    approve_claim()
    approve_claim()
    built = client.post("/api/v1/payouts/batches", {"plan": "hospitalization"}, content_type="application/json",
                        **bearer(maker))
    assert built.status_code == 201, built.json()
    body = built.json()
    assert (body["status"], body["payout_count"], body["total"]) == ("draft", 2, "1200.00")
    assert body["by_plan"] == [{"label": "职工住院医疗互助保障", "count": 2, "amount": "1200.00"}]
    refused = client.post(f"/api/v1/payouts/batches/{body['id']}/approve", **bearer(maker))
    assert refused.status_code == 403 and "制单人不能复核" in refused.json()["message"]
    approved = client.post(f"/api/v1/payouts/batches/{body['id']}/approve", **bearer(checker))
    assert approved.json()["approved_by"] == "checker"
    unsent = client.post(f"/api/v1/payouts/batches/{body['id']}/sent", {"sent_on": timezone.localdate().isoformat()},
                         content_type="application/json", **bearer(checker))
    assert unsent.status_code == 409 and unsent.json()["code"] == "not_exported"
    services.record_bank_file_export(actor=maker, batch=PayoutBatch.objects.get(), file_format="csv")
    sent = client.post(f"/api/v1/payouts/batches/{body['id']}/sent", {"sent_on": timezone.localdate().isoformat()},
                       content_type="application/json", **bearer(checker))
    assert sent.json()["status"] == "sent"


def test_nothing_to_pay_is_a_422_with_a_chinese_message(client, plans, maker):
    login(client, maker)
    response = client.post("/api/v1/payouts/batches", {}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "nothing_to_pay"


def test_an_auditor_lists_and_reads_but_cannot_build(client, sent_batch, auditor):
    login(client, auditor)
    listed = client.get("/api/v1/payouts/batches").json()
    assert listed["count"] == 1 and listed["items"][0]["total"] == "1800.00"
    assert client.get(f"/api/v1/payouts/batches/{sent_batch.pk}").json()["by_league"][0]["label"] == "包头市"
    assert client.post("/api/v1/payouts/batches", {}, content_type="application/json").status_code == 403


@pytest.mark.parametrize("persona", ["county_clerk", "league_reviewer"])
def test_other_roles_get_403(client, request, persona, plans):
    login(client, request.getfixturevalue(persona))
    assert client.get("/api/v1/payouts/batches").status_code == 403


def test_without_a_session_or_token_the_api_answers_401(client, db):
    assert client.get("/api/v1/payouts/batches").status_code == 401
