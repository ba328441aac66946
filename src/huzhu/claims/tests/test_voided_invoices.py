"""Invoices that must not pay: the association's voided / red-flushed lists, refused at filing and at submission, and
the e-invoice verification service (off by default) against a local stand-in of its contract."""
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client

from huzhu.conftest import PASSWORD
from huzhu.core.errors import PermissionDenied, ValidationFailed

from .. import services
from ..models import Claim, Invoice, VoidedInvoice
from .conftest import TODAY, invoice, scans, stay_fields

pytestmark = pytest.mark.django_db
LIST = "票据代码,票据号码,状态\n１５０１０１２６,0000900001,作废\n15010126, 0000900002 ,已开红票\n".encode("utf-8-sig")


def test_the_association_imports_a_list_typed_as_people_type_it(association_approver):
    assert services.import_voided_invoices(actor=association_approver, file_name="作废.csv", content=LIST) == 2
    assert dict(VoidedInvoice.objects.values_list("number", "status")) == {
        "0000900001": VoidedInvoice.Status.VOID, "0000900002": VoidedInvoice.Status.RED_FLUSHED}
    again = "票据代码,票据号码,状态\n15010126,0000900001,红冲\n".encode()
    services.import_voided_invoices(actor=association_approver, file_name="更新.csv", content=again)
    assert VoidedInvoice.objects.get(number="0000900001").status == VoidedInvoice.Status.RED_FLUSHED
    assert VoidedInvoice.objects.count() == 2


def test_a_bad_row_names_its_row_and_field_and_nothing_is_imported(association_approver, county_clerk):
    bad = "票据代码,票据号码,状态\n15010126,0000900001,作废\n1501012,0000900003,作废\n".encode()
    with pytest.raises(ValidationFailed) as refused:
        services.import_voided_invoices(actor=association_approver, file_name="x.csv", content=bad)
    assert refused.value.row == 3 and refused.value.field == "invoice_code" and "第 3 行" in refused.value.message
    assert not VoidedInvoice.objects.exists()
    with pytest.raises(PermissionDenied):
        services.import_voided_invoices(actor=county_clerk, file_name="x.csv", content=LIST)


def test_a_voided_invoice_is_refused_at_the_desk_and_nothing_is_filed(worker, county_clerk, association_approver):
    services.import_voided_invoices(actor=association_approver, file_name="作废.csv", content=LIST)
    voided = {**invoice("20000.00"), "number": "0000900001"}
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY,
                            **stay_fields(invoices=[voided]))
    assert refused.value.code == "invoice_voided" and "已作废" in refused.value.message
    assert not Claim.objects.exists() and not Invoice.objects.exists()


def test_a_draft_made_before_the_list_is_refused_when_submitted(worker, association_approver):
    draft = services.create_claim(actor=services.WorkerActor(worker.pk), worker=worker,
                                  **stay_fields(invoices=[{**invoice("20000.00"), "number": "0000900002"}]))
    services.import_voided_invoices(actor=association_approver, file_name="红冲.csv", content=LIST)
    with pytest.raises(ValidationFailed) as refused:
        services.submit_claim(actor=services.WorkerActor(worker.pk), claim=draft, today=TODAY)
    assert refused.value.code == "invoice_voided" and "已红冲" in refused.value.message
    assert Claim.objects.get(pk=draft.pk).status == Claim.Status.DRAFT


class _StandIn(BaseHTTPRequestHandler):
    """The verification service's contract: POST the invoice, answer its status; 0000900009 is red-flushed."""

    asked: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _StandIn.asked.append(body)
        status = "red_flushed" if body["invoice_number"] == "0000900009" else "valid"
        answer = json.dumps({"status": status}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def verifier(settings):
    server = HTTPServer(("127.0.0.1", 0), _StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.HUZHU_EINVOICE_VERIFY_URL = f"http://127.0.0.1:{server.server_port}/verify"
    _StandIn.asked.clear()
    yield _StandIn.asked
    server.shutdown()


def test_the_verification_service_refuses_a_red_flushed_invoice_and_passes_a_valid_one(worker, county_clerk, verifier):
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY,
                            **stay_fields(invoices=[{**invoice("20000.00"), "number": "0000900009"}]))
    assert refused.value.code == "invoice_voided"
    assert verifier[-1] == {"invoice_code": "15010126", "invoice_number": "0000900009", "check_code": "A1B2C3",
                            "total_amount": "20000.00"}
    claim = services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY,
                                **stay_fields(invoices=[invoice("20000.00")]))
    assert claim.status != Claim.Status.DRAFT and len(verifier) == 2


def test_a_verification_service_that_does_not_answer_never_stops_a_claim(worker, county_clerk, settings):
    settings.HUZHU_EINVOICE_VERIFY_URL = "http://127.0.0.1:9/verify"  # nothing listens there
    settings.HUZHU_EINVOICE_VERIFY_TIMEOUT = 0.5
    claim = services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY,
                                **stay_fields(invoices=[invoice("20000.00")]))
    assert claim.status != Claim.Status.DRAFT and claim.benefit_amount > Decimal(0)


def test_the_page_imports_for_the_association_and_only_shows_to_the_auditor(association_approver, auditor, county_clerk):
    client = Client()
    client.login(username=association_approver.username, password=PASSWORD)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/claims/voided-invoices/", {"file": SimpleUploadedFile("作废.csv", LIST)})
    assert response.status_code == 302 and VoidedInvoice.objects.count() == 2
    page = client.get("/claims/voided-invoices/").content.decode()
    assert "0000900001" in page and "已作废" in page and "voided-form" in page
    bad = client.post("/claims/voided-invoices/", {"file": SimpleUploadedFile("x.csv", "票据代码,号码\n".encode())})
    assert bad.status_code == 422 and "表头缺少列" in bad.content.decode()
    reader = Client()
    reader.login(username=auditor.username, password=PASSWORD)
    shown = reader.get("/claims/voided-invoices/")
    assert shown.status_code == 200 and "voided-form" not in shown.content.decode()
    clerk = Client()
    clerk.login(username=county_clerk.username, password=PASSWORD)
    assert clerk.get("/claims/voided-invoices/").status_code == 403
