"""Claims API: wiring, scope and error codes."""
from datetime import date

import pytest
import time_machine

from huzhu.conftest import PASSWORD, make_staff

from .conftest import invoice


@pytest.fixture(autouse=True)
def june_2026():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


def test_staff_read_a_claims_status_steps_and_history(client, county_clerk, file_stay, no_straight_through):
    claim = file_stay()
    client.login(username=county_clerk.username, password=PASSWORD)
    body = client.get(f"/api/v1/claims/{claim.pk}").json()
    assert body["status"] == "second_review" and body["benefit"] == "4100.00"
    assert body["steps"][0]["name"] == "band 0-10000 @ 50%"
    assert [h["to_status"] for h in body["history"]] == ["submitted", "first_review", "second_review"]


def test_a_claim_outside_the_scope_is_a_404(client, file_stay, plans):
    claim = file_stay()
    outsider = make_staff("reviewer_chifeng", "office", division="150400")
    client.login(username=outsider.username, password=PASSWORD)
    assert client.get(f"/api/v1/claims/{claim.pk}").status_code == 404


def test_filing_without_documents_returns_the_claim_for_supplement(client, county_clerk, worker):
    client.login(username=county_clerk.username, password=PASSWORD)
    payload = {"id_number": worker.reveal_id_number(), "claim_type": "inpatient", "hospital": "医院",
               "admitted_on": "2026-03-01", "discharged_on": "2026-03-11",
               "amounts": {"total_amount": "20000.00", "fund_paid_amount": "12000.00", "policy_self_pay_amount": "8000.00"},
               "invoices": [{**invoice("20000.00"), "amount": "20000.00"}]}
    response = client.post("/api/v1/claims/", payload, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "supplement"
    again = client.post("/api/v1/claims/", payload, content_type="application/json")
    assert again.status_code == 422 and again.json()["code"] == "invoice_used"


def test_a_forbidden_review_is_a_403_with_its_code(client, county_clerk, file_stay, no_straight_through):
    claim = file_stay()
    client.login(username=county_clerk.username, password=PASSWORD)
    response = client.post(f"/api/v1/claims/{claim.pk}/review", {"decision": "pass"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_anonymous_callers_are_refused(client):
    assert client.get("/api/v1/claims/").status_code == 401
