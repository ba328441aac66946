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


def test_the_readings_are_kept_with_the_claim_and_a_corrected_amount_is_a_finding(worker, county_clerk, home_unit):
    from decimal import Decimal
    from io import StringIO

    from django.core.management import call_command

    from huzhu.claims.models import Claim, ClaimReading
    from huzhu.claims.tests.conftest import scans, stay_fields
    from huzhu.risk.models import RiskFinding

    paper = papers.invoice(random.Random(23))
    client = clerk_client(county_clerk)
    page = client.post("/claims/read-document/", {
        "document": SimpleUploadedFile("invoice.pdf", papers.pdf(paper), content_type="application/pdf")}).content.decode()
    signed = page.split('data-reading="')[1].split('"')[0]
    fields = stay_fields("8000.00", fund="12000.00")
    total = fields["amounts"]["total_amount"]  # 20000.00: not the invoice's total, the clerk typed another
    assert Decimal(paper.facts["total_amount"]) != total
    response = client.post("/claims/new/", {
        "id_number": worker.reveal_id_number(), "claim_type": "inpatient", "hospital": paper.facts["hospital_name"],
        "admitted_on": "2026-03-01", "discharged_on": "2026-03-11", "diagnosis_code": "J18.900",
        "total_amount": str(total), "fund_paid_amount": "12000.00", "policy_self_pay_amount": "8000.00",
        "invoice_code_1": paper.facts["invoice_code"], "invoice_number_1": paper.facts["invoice_number"],
        "invoice_check_1": paper.facts["check_code"], "invoice_amount_1": str(total),
        "reading": [signed, "forged-token"],
        **{f"doc_{kind}": SimpleUploadedFile(f"{kind}.png", content, content_type="image/png")
           for kind, content in scans()}})
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    reading = ClaimReading.objects.get(claim=claim)  # the forged one proposed nothing
    assert reading.kind == "invoice" and reading.source == "pdf_text" and reading.fields == paper.facts
    assert reading.corrections["total_amount"] == {"document": paper.facts["total_amount"], "typed": f"{total}"}
    assert "invoice_code" not in reading.corrections and "hospital_name" not in reading.corrections
    finding = RiskFinding.objects.get(claim=claim, code="typed_differs_from_document")
    assert finding.evidence["fields"][0] == {"field": "total_amount", "document_kind": "invoice",
                                             "document": paper.facts["total_amount"], "typed": f"{total}"}
    detail = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "材料识别" in detail and paper.facts["total_amount"] in detail and "填报金额与材料不符" in detail
    out = StringIO()
    call_command("reading-accuracy", stdout=out)
    import json

    figures = json.loads(out.getvalue())
    assert figures["total_amount"] == {"proposed": 1, "kept": 0, "share_kept": 0.0}
    assert figures["invoice_number"] == {"proposed": 1, "kept": 1, "share_kept": 1.0}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_form_says_which_required_documents_are_chosen_and_which_are_missing(browser_page, plans, county_clerk,
                                                                                      tmp_path):
    from django.utils import timezone

    from huzhu.claims.queries import required_documents_by_type

    from .conftest import png_bytes

    required, _extras = required_documents_by_type(timezone.localdate().year)
    page = browser_page
    sign_in(page, county_clerk)
    page.goto(page.base_url + "/claims/new/")
    page.wait_for_selector("#document-checklist .status")
    assert "还缺：住院结算单" in page.inner_text("#document-checklist")
    scan = tmp_path / "scan.png"
    scan.write_bytes(png_bytes())
    for kind in required["inpatient"][:1]:
        page.set_input_files(f"input[name=doc_{kind}]", str(scan))
    text = page.inner_text("#document-checklist")
    assert "已选：住院结算单" in text and "还缺" in text
    for kind in required["inpatient"]:
        page.set_input_files(f"input[name=doc_{kind}]", str(scan))
    assert page.inner_text("#document-checklist").endswith("必交材料已齐")
    page.select_option("select[name=claim_type]", "diagnosis")  # another type asks for other papers
    assert "病理报告" in page.inner_text("#document-checklist")
    invoice = tmp_path / "invoice.pdf"  # an e-invoice chosen where the settlement sheet belongs: said beside it
    invoice.write_bytes(papers.pdf(papers.invoice(random.Random(25))))
    page.set_input_files("input[name=doc_settlement_sheet]", str(invoice))
    page.wait_for_selector("#check-settlement_sheet .status", timeout=30_000)
    assert "看起来是医疗收费票据" in page.inner_text("#check-settlement_sheet")


def test_a_scan_chosen_under_the_wrong_document_is_pointed_out_beside_it(county_clerk):
    rng = random.Random(24)
    client = clerk_client(county_clerk)
    invoice_pdf = papers.pdf(papers.invoice(rng))
    wrong = client.post("/claims/check-document/", {"expect": "settlement_sheet", "doc_settlement_sheet":
                                                    SimpleUploadedFile("a.pdf", invoice_pdf, "application/pdf")})
    assert wrong.status_code == 200 and "看起来是医疗收费票据" in wrong.content.decode()
    right = client.post("/claims/check-document/", {"expect": "invoice", "doc_invoice":
                                                    SimpleUploadedFile("a.pdf", invoice_pdf, "application/pdf")})
    assert right.status_code == 200 and "看起来" not in right.content.decode()
    page = client.get("/claims/new/").content.decode()
    assert 'hx-post="/claims/check-document/"' in page and 'id="check-settlement_sheet"' in page
