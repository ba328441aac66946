"""Documents that read themselves: e-invoices and settlement sheets drawn, photographed, printed to PDF and OFD, read
back into the fields they carry; the QR code; the command-line contract."""
import io
import json
import random

import pytest
from django.core.management import CommandError, call_command

from huzhu.archives.reading import read_document
from huzhu.archives.reading.fields import Line, qr_fields, read_fields
from huzhu.demo import papers

CONTRACT_FIELDS = {"invoice_code", "invoice_number", "check_code", "payer_name", "issued_on", "hospital_name",
                   "total_amount", "fund_paid_amount", "serious_illness_amount", "personal_account_amount",
                   "cash_amount", "policy_self_pay_amount", "out_of_policy_amount", "self_funded_amount", "admitted_on",
                   "discharged_on", "diagnosis"}


def wrong(paper, reading) -> dict:
    got = reading.proposal.fields
    return {name: (value, got.get(name)) for name, value in paper.facts.items() if got.get(name) != value}


@pytest.mark.parametrize("make", [papers.invoice, papers.settlement_sheet])
def test_a_photo_is_read_into_every_field_it_carries(make):
    rng = random.Random(11)
    paper = make(rng)
    reading = read_document(papers.photo(papers.page_image(paper), rng, quality=80))
    assert reading.source == "ocr" and reading.proposal.kind == paper.kind
    assert wrong(paper, reading) == {}
    assert all(0.5 < reading.proposal.confidence[name] <= 1 for name in paper.facts)


def test_a_photo_on_its_side_blurred_and_tilted_is_turned_upright_and_read():
    rng = random.Random(12)
    paper = papers.invoice(rng)
    content = papers.photo(papers.page_image(paper), rng, rotation=270, blur=0.8, quality=70, tilt=0.03)
    assert wrong(paper, read_document(content)) == {}


@pytest.mark.parametrize("make", [papers.invoice, papers.settlement_sheet])
@pytest.mark.parametrize("render", [papers.pdf, papers.ofd])
def test_pdf_and_ofd_e_documents_are_read_from_their_text_layer(make, render):
    paper = make(random.Random(13))
    reading = read_document(render(paper))
    assert reading.source == ("pdf_text" if render is papers.pdf else "ofd")
    assert reading.proposal.kind == paper.kind and wrong(paper, reading) == {}
    assert set(reading.proposal.confidence.values()) == {1.0}  # a text layer is what the issuer wrote


def test_the_invoices_qr_code_is_read_and_wins_over_ocr():
    rng = random.Random(14)
    paper = papers.invoice(rng)
    reading = read_document(papers.photo(papers.page_image(paper, with_qr=True), rng))
    assert wrong(paper, reading) == {}
    for name in ("invoice_code", "invoice_number", "check_code", "total_amount", "issued_on"):
        assert reading.proposal.confidence[name] == 1.0, name  # from the QR code, not the OCR's score
    url = qr_fields("https://pjcy.example.gov.cn/check?billBatchCode=15060126&billNo=0012345678&random=a1b2c3"
                    "&total=17000.5&ivcDate=20261102")
    assert url.fields == {"invoice_code": "15060126", "invoice_number": "0012345678", "check_code": "a1b2c3",
                          "total_amount": "17000.50", "issued_on": "2026-11-02"}


def test_labels_are_never_found_inside_longer_ones_and_full_width_is_read():
    lines = [Line("政策范围内个人自付：１，２００．５０  政策范围外个人自付：300"), Line("个人自付 88.00"),
             Line("全自费：12.3"), Line("主要诊断"), Line("163.900 脑梗死"), Line("票据代码：1506012")]
    proposal = read_fields(lines)
    assert proposal.fields["policy_self_pay_amount"] == "1200.50"  # not the later 个人自付 line's 88.00
    assert proposal.fields["out_of_policy_amount"] == "300.00"
    assert proposal.fields["self_funded_amount"] == "12.30" and proposal.fields["diagnosis"] == "I63.900 脑梗死"
    assert proposal.fields["invoice_code"] == "1506012" and proposal.confidence["invoice_code"] < 1  # 7 digits: look


def test_the_command_prints_the_contracts_json(tmp_path, capsys):
    paper = papers.invoice(random.Random(15))
    path = tmp_path / "invoice.pdf"
    path.write_bytes(papers.pdf(paper))
    out = io.StringIO()
    call_command("documents", "read", str(path), stdout=out)
    printed = json.loads(out.getvalue())
    assert set(printed) == {"kind", "fields", "confidence"} and printed["kind"] == "invoice"
    assert printed["fields"] == paper.facts and set(printed["fields"]) <= CONTRACT_FIELDS
    assert set(printed["confidence"]) == set(printed["fields"])
    bad = tmp_path / "notes.txt"
    bad.write_text("这不是票据")
    with pytest.raises(CommandError, match="不是可识别的文件"):
        call_command("documents", "read", str(bad))
