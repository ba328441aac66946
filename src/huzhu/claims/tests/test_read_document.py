"""The desk form's 识别: a clerk uploads an invoice or a settlement sheet and the claim form is filled from it."""
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from huzhu.claims.tests.test_browser_claim_flow import sign_in
from huzhu.conftest import PASSWORD, SCREENS
from huzhu.demo import papers

pytestmark = pytest.mark.django_db


def clerk_client(user) -> Client:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def test_an_e_invoice_proposes_the_form_fields_with_their_confidence(county_clerk):
    paper = papers.invoice(random.Random(21))
    response = clerk_client(county_clerk).post("/claims/read-document/", {
        "document": SimpleUploadedFile("invoice.pdf", papers.pdf(paper), content_type="application/pdf")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "识别为：医疗收费票据" in page
    for target, name in (("invoice_code_{row}", "invoice_code"), ("invoice_number_{row}", "invoice_number"),
                         ("invoice_check_{row}", "check_code"), ("total_amount", "total_amount"),
                         ("invoice_amount_{row}", "total_amount"), ("fund_paid_amount", "fund_paid_amount"),
                         ("hospital", "hospital_name")):
        assert f'data-fill="{target}" data-value="{paper.facts[name]}"' in page, target
    assert "100%" in page


def test_a_file_that_is_no_document_is_refused_with_the_reason_and_other_roles_cannot_read(county_clerk, auditor):
    response = clerk_client(county_clerk).post("/claims/read-document/", {
        "document": SimpleUploadedFile("notes.txt", "这不是票据".encode(), content_type="text/plain")})
    assert response.status_code == 422 and "不是可识别的文件" in response.content.decode()
    assert clerk_client(auditor).post("/claims/read-document/", {
        "document": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_photographed_settlement_sheet_fills_the_desk_form(browser_page, county_clerk, tmp_path):
    rng = random.Random(22)
    paper = papers.settlement_sheet(rng)
    photo = tmp_path / "sheet.jpg"
    photo.write_bytes(papers.photo(papers.page_image(paper), rng, rotation=90, quality=80))
    page = browser_page
    sign_in(page, county_clerk)
    page.goto(page.base_url + "/claims/new/")
    page.set_input_files("#read-form input[name=document]", str(photo))
    page.click("#read-form button")
    page.wait_for_selector("#reading tr[data-fill]", timeout=60_000)
    page.wait_for_function("document.querySelector('input[name=total_amount]').value !== ''")
    for name, field in (("admitted_on", "admitted_on"), ("discharged_on", "discharged_on"),
                        ("total_amount", "total_amount"), ("fund_paid_amount", "fund_paid_amount"),
                        ("policy_self_pay_amount", "policy_self_pay_amount"), ("hospital", "hospital_name")):
        assert page.input_value(f"#claim-form [name={name}]") == paper.facts[field], name
    assert page.input_value("#claim-form [name=diagnosis_code]").startswith(paper.facts["diagnosis"].split()[0])
    page.screenshot(path=str(SCREENS / "claims_read_document.png"), full_page=True)
