"""The worker's pages need the texted code; documents open by role, never cached, always logged."""
import io
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD, sign_in_as_worker, texted_codes
from huzhu.security import services as security_services
from huzhu.security.models import PersonalDataAccess

from .conftest import png_bytes

ALL_KINDS = ("invoice", "id_card", "settlement_sheet", "discharge_summary", "bank_card")


@pytest.fixture
def claim(file_stay, no_straight_through):
    return file_stay(documents=[(kind, png_bytes()) for kind in ALL_KINDS])


def _document(claim, kind):
    return claim.documents.get(kind=kind)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("url", ["/claims/mine/", "/enrollment/my-coverage/", "/me/"])
def test_id_number_and_phone_alone_never_open_a_workers_page(client, worker, claim, url):
    response = client.post(url, {"id_number": worker.reveal_id_number(), "phone": worker.reveal_phone()})
    assert response.status_code == 302 and response.url.startswith("/me/sign-in/")
    page = client.get(url, follow=True)
    assert f"#{claim.pk}" not in page.text and "获取验证码" in page.text


def test_the_web_door_signs_in_with_the_texted_code_and_audits_it(client, worker, claim):
    identity = {"id_number": worker.reveal_id_number(), "phone": worker.reveal_phone()}
    with texted_codes() as codes:
        asked = client.post("/me/sign-in/?next=/claims/mine/", identity)
    assert asked.status_code == 200 and 'name="code"' in asked.text and len(codes) == 1
    wrong = client.post("/me/sign-in/", {**identity, "code": "000000" if codes[0] != "000000" else "111111"})
    assert "验证码错误" in wrong.text
    assert client.get("/claims/mine/").status_code == 302  # still not signed in
    signed = client.post("/me/sign-in/", {**identity, "code": codes[0], "next": "/claims/mine/"})
    assert signed.status_code == 302 and signed.url == "/claims/mine/"
    assert f"#{claim.pk}" in client.get("/claims/mine/").text
    event = AuditEvent.objects.filter(action="worker.signed_in", object_id=str(worker.pk)).get()
    assert event.after["door"] == "web"


def test_a_code_is_used_once(client, worker):
    identity = {"id_number": worker.reveal_id_number(), "phone": worker.reveal_phone()}
    with texted_codes() as codes:
        client.post("/me/sign-in/", identity)
    client.post("/me/sign-in/", {**identity, "code": codes[0]})
    client.post("/me/sign-out/")
    again = client.post("/me/sign-in/", {**identity, "code": codes[0]})
    assert again.status_code == 200 and "验证码错误" in again.text


def test_an_idle_worker_session_ends_after_the_token_lifetime(client, worker, claim, settings):
    sign_in_as_worker(client, worker)
    assert client.get("/claims/mine/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.HUZHU_WORKER_TOKEN_SECONDS + 60)):
        assert client.get("/claims/mine/").status_code == 302


def test_a_plus_86_prefix_is_the_same_phone_for_the_code_limit(worker):
    number = worker.reveal_id_number()
    security_services.request_worker_code(id_number=number, phone=worker.reveal_phone())
    with pytest.raises(security_services.TooManyRequests):
        security_services.request_worker_code(id_number=number, phone="+86" + worker.reveal_phone())


def test_the_worker_opening_her_own_document_is_logged_and_never_cached(client, worker, claim):
    sign_in_as_worker(client, worker)
    invoice = _document(claim, "invoice")
    response = client.get(f"/claims/mine/{claim.pk}/documents/{invoice.pk}/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    log = PersonalDataAccess.objects.get(view="claims.mine_document")
    assert (log.worker_id, log.field, log.actor_id, log.actor_label) == (worker.pk, "invoice", None, f"worker:{worker.pk}")


def test_a_clerk_opens_every_document_and_each_open_is_logged(client, county_clerk, claim):
    _login(client, county_clerk)
    before = PersonalDataAccess.objects.filter(actor=county_clerk, view="claims.document").count()
    for kind in ALL_KINDS:
        response = client.get(f"/claims/{claim.pk}/documents/{_document(claim, kind).pk}/")
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    logged = PersonalDataAccess.objects.filter(actor=county_clerk, view="claims.document")
    assert logged.count() - before == len(ALL_KINDS)
    assert set(logged.values_list("field", flat=True)) == set(ALL_KINDS)


def test_the_auditor_opens_health_documents_but_not_id_or_bank_card_scans(client, auditor, claim):
    _login(client, auditor)
    assert client.get(f"/claims/{claim.pk}/documents/{_document(claim, 'invoice').pk}/").status_code == 200
    for kind in ("id_card", "bank_card"):
        assert client.get(f"/claims/{claim.pk}/documents/{_document(claim, kind).pk}/").status_code == 404
    page = client.get(f"/claims/{claim.pk}/").text
    assert f"/documents/{_document(claim, 'id_card').pk}/" not in page
    bundle = client.get(f"/claims/{claim.pk}/bundle.zip")
    assert bundle.status_code == 200 and bundle["Cache-Control"] == "no-store"
    names = zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()
    assert not [n for n in names if "id_card" in n or "bank_card" in n]
    assert [n for n in names if "invoice" in n]
    assert PersonalDataAccess.objects.filter(actor=auditor, view="claims.bundle").count() == 1
    assert PersonalDataAccess.objects.filter(actor=auditor, view="claims.detail").count() == 1


def test_the_unit_contact_opens_no_document_and_no_bundle(client, unit_contact, claim):
    _login(client, unit_contact)
    for kind in ALL_KINDS:
        assert client.get(f"/claims/{claim.pk}/documents/{_document(claim, kind).pk}/").status_code == 404
    assert client.get(f"/claims/{claim.pk}/bundle.zip").status_code == 404
    assert "下载档案包" not in client.get(f"/claims/{claim.pk}/").text
