"""Workers on the API (mini-program): start a claim, upload documents, submit, follow, supplement."""
from datetime import date

import pytest
import time_machine
from django.core.cache import cache

from huzhu.conftest import make_worker
from huzhu.security.services import issue_worker_token

from .conftest import INPATIENT_DOCUMENTS, cover, png_bytes


@pytest.fixture(autouse=True)
def june_2026():
    cache.clear()
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


@pytest.fixture
def as_worker(client, worker):
    token = issue_worker_token(worker=worker).token
    headers = {"Authorization": f"Bearer {token}"}

    def call(method, path, **kwargs):
        if "json" in kwargs:
            kwargs = {"data": kwargs.pop("json"), "content_type": "application/json", **kwargs}
        return getattr(client, method)(f"/api/v1/me{path}", headers=headers, **kwargs)

    return call


STAY = {"claim_type": "inpatient", "hospital": "包头市中心医院", "admitted_on": "2026-03-01",
        "discharged_on": "2026-03-11", "diagnosis_code": "J18.900",
        "amounts": {"total_amount": "20000.00", "fund_paid_amount": "12000.00", "policy_self_pay_amount": "8000.00"},
        "invoices": [{"code": "15010126", "number": "0000098765", "check_code": "A1B2C3", "amount": "20000.00"}]}


def _upload(as_worker, claim_id, kind, colour):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return as_worker("post", f"/claims/{claim_id}/documents",
                     data={"kind": kind, "file": SimpleUploadedFile(f"{kind}.png", png_bytes(colour))})


def test_a_worker_starts_uploads_and_submits_a_claim_that_goes_to_first_review(as_worker, no_straight_through):
    started = as_worker("post", "/claims", json=STAY)
    assert started.status_code == 201
    claim = started.json()
    assert (claim["status"], claim["channel"]) == ("draft", "worker")
    for n, kind in enumerate(INPATIENT_DOCUMENTS):
        assert _upload(as_worker, claim["id"], kind, (n * 40, 20, 90)).status_code == 201
    submitted = as_worker("post", f"/claims/{claim['id']}/submit", json={})
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "first_review" and submitted.json()["benefit"] == "4100.00"
    assert len(submitted.json()["documents"]) == 5
    listed = as_worker("get", "/claims").json()
    assert listed["count"] == 1 and listed["items"][0]["status_label"] == "待初审（代办点）"


def test_a_claim_returned_for_supplement_is_completed_and_resubmitted(as_worker, no_straight_through):
    claim = as_worker("post", "/claims", json=STAY).json()
    returned = as_worker("post", f"/claims/{claim['id']}/submit", json={}).json()
    assert returned["status"] == "supplement" and set(returned["missing_items"]) == set(INPATIENT_DOCUMENTS)
    for n, kind in enumerate(returned["missing_items"]):
        _upload(as_worker, claim["id"], kind, (n * 30, 60, 10))
    again = as_worker("post", f"/claims/{claim['id']}/submit", json={"comment": "已补齐"}).json()
    assert again["status"] == "first_review"
    assert [h["to_status"] for h in again["history"]][-2:] == ["submitted", "first_review"]


def test_another_workers_claim_is_a_404_and_a_staff_token_is_refused(as_worker, file_stay, home_unit, client,
                                                                      county_clerk):
    stranger = make_worker(home_unit, name="其木格", phone="13800000002")
    cover(stranger)
    theirs = file_stay(who=stranger)
    response = as_worker("get", f"/claims/{theirs.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    from huzhu.security.services import create_api_token

    _, staff_token = create_api_token(actor=county_clerk, user=county_clerk, name="x")
    refused = client.get("/api/v1/me/claims", headers={"Authorization": f"Bearer {staff_token}"})
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"


def test_a_worker_sees_their_coverage_with_dates_and_certificate(as_worker, worker):
    from huzhu.enrollment.models import Coverage

    Coverage.objects.filter(worker=worker).update(certificate_no="2026-150203-000001")
    body = as_worker("get", "/coverage").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["plan"], item["year"], item["certificate_no"]) == ("hospitalization", 2026, "2026-150203-000001")
    assert (item["starts_on"], item["ends_on"], item["status"]) == ("2026-01-01", "2026-12-31", "active")


def test_a_bad_document_kind_is_a_422_naming_the_field(as_worker):
    claim = as_worker("post", "/claims", json=STAY).json()
    response = _upload(as_worker, claim["id"], "selfie", (1, 1, 1))
    assert response.status_code == 422 and response.json()["field"] == "kind"


def test_my_coverage_gives_where_each_coverage_stands_today_not_the_stored_status(as_worker, worker):
    from huzhu.plans.services import install_default_plans

    install_default_plans(years=(2025,))
    cover(worker, year=2025)  # paid, stored "active", but its year is over
    cover(worker, year=2027, status="pending")
    items = as_worker("get", "/coverage").json()["items"]
    assert [(c["year"], c["status"], c["status_label"]) for c in items] == [
        (2027, "pending", "待缴费"), (2026, "active", "有效"), (2025, "expired", "已到期")]
