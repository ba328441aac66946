"""Every claim is screened at submission through the hook the risk app registers, whatever the door."""
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huzhu.conftest import PASSWORD, make_worker
from huzhu.risk.models import RiskFinding
from huzhu.risk.services import assess_claim
from huzhu.security.services import issue_worker_token

from .. import screening
from ..models import Claim
from .conftest import INPATIENT_DOCUMENTS, cover, png_bytes

ACCOUNT = "6222021234567890123"
STAY = {"claim_type": "inpatient", "hospital": "包头市中心医院", "admitted_on": "2026-03-01",
        "discharged_on": "2026-03-11", "diagnosis_code": "J18.900",
        "amounts": {"total_amount": "2200.00", "fund_paid_amount": "1200.00", "policy_self_pay_amount": "1000.00"},
        "invoices": [{"code": "15010126", "number": "0000054321", "check_code": "A1B2C3", "amount": "2200.00"}]}


@pytest.fixture(autouse=True)
def june_2026():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


@pytest.fixture
def carded(plans, home_unit):
    """A covered worker whose bank card is also another worker's: the risk screen flags her claims."""
    person = make_worker(home_unit, name="其其格", phone="13800000077", bank_account=ACCOUNT)
    make_worker(home_unit, bank_account=ACCOUNT)
    cover(person)
    return person


def _upload(kind: str, n: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{kind}.png", png_bytes((n * 40, 20, 90)), "image/png")


def _screened(claim_id: int) -> Claim:
    claim = Claim.objects.get(pk=claim_id)
    assert RiskFinding.objects.filter(claim=claim, code="shared_bank_account").exists()
    assert not claim.straight_through and claim.status != Claim.Status.APPROVED
    return claim


def test_the_risk_app_registers_its_assessment_as_the_claim_screen():
    assert screening.registered_screen() is assess_claim


def test_without_a_registered_screen_a_submission_fails_and_leaves_nothing(monkeypatch, file_stay):
    monkeypatch.setattr(screening, "_screen", None)
    with pytest.raises(ImproperlyConfigured):
        file_stay("1000.00")
    assert not Claim.objects.exists()


def test_a_claim_filed_at_the_desk_page_is_screened(client, county_clerk, carded):
    assert client.login(username=county_clerk.username, password=PASSWORD)
    data = {"id_number": carded.reveal_id_number(), "claim_type": "inpatient", "hospital": "包头市中心医院",
            "admitted_on": "2026-03-01", "discharged_on": "2026-03-11", "diagnosis_code": "J18.900",
            "total_amount": "2200.00", "fund_paid_amount": "1200.00", "policy_self_pay_amount": "1000.00",
            "invoice_code_1": "15010126", "invoice_number_1": "0000054321", "invoice_check_1": "A1B2C3",
            "invoice_amount_1": "2200.00",
            **{f"doc_{kind}": _upload(kind, n) for n, kind in enumerate(INPATIENT_DOCUMENTS)}}
    assert client.post(reverse("claims:new"), data).status_code == 302
    assert _screened(Claim.objects.get().pk).status == Claim.Status.SECOND_REVIEW


def test_a_claim_filed_and_completed_on_the_staff_api_is_screened(client, county_clerk, carded):
    assert client.login(username=county_clerk.username, password=PASSWORD)
    filed = client.post("/api/v1/claims/", {"id_number": carded.reveal_id_number(), **STAY},
                        content_type="application/json")
    assert filed.status_code == 201 and filed.json()["status"] == "supplement"  # no documents yet: not screened
    claim_id = filed.json()["id"]
    for n, kind in enumerate(INPATIENT_DOCUMENTS):
        response = client.post(f"/api/v1/claims/{claim_id}/documents", {"kind": kind, "file": _upload(kind, n)})
        assert response.status_code == 201
    assert client.post(f"/api/v1/claims/{claim_id}/submit", {}, content_type="application/json").status_code == 200
    _screened(claim_id)


def test_a_claim_a_worker_submits_on_her_phone_is_screened(client, carded):
    headers = {"Authorization": f"Bearer {issue_worker_token(worker=carded).token}"}
    started = client.post("/api/v1/me/claims", STAY, content_type="application/json", headers=headers)
    assert started.status_code == 201
    claim_id = started.json()["id"]
    for n, kind in enumerate(INPATIENT_DOCUMENTS):
        response = client.post(f"/api/v1/me/claims/{claim_id}/documents", {"kind": kind, "file": _upload(kind, n)},
                               headers=headers)
        assert response.status_code == 201
    submitted = client.post(f"/api/v1/me/claims/{claim_id}/submit", {}, content_type="application/json",
                            headers=headers)
    assert submitted.status_code == 200
    assert _screened(claim_id).status == Claim.Status.FIRST_REVIEW
