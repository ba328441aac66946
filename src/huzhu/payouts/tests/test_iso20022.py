"""ISO 20022: a batch as pain.001.001.09 (parsed back, every element and sum checked); pain.002 reconciles it
through the return-file code, refuses another batch's report, malformed XML and entity tricks, and writes nothing
half; end to end, a batch exported in two bank layouts and in pain.001 is reconciled from a pain.002."""
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from huzhu.audit.models import AuditEvent
from huzhu.claims.models import Claim
from huzhu.conftest import PASSWORD
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.core.scopes import PROVINCE
from huzhu.ledger.models import LedgerEntry
from huzhu.payouts import iso20022, queries, services
from huzhu.payouts.models import Payout, PayoutBatch, ReturnImport

from .conftest import send

P, B = Payout.Status, PayoutBatch.Status
NS = {"p": iso20022.PAIN_001}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def pain001(client, batch) -> bytes:
    response = client.get(reverse("payouts:pain001", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    return b"".join(response)


def pain002(message_id: str, lines=(), *, group: str = "PART", group_reason: str = "") -> bytes:
    """A bank's status report: `lines` are (end-to-end id, TxSts, reason code, additional info)."""
    ns = iso20022.PAIN_002
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    report = etree.SubElement(root, f"{{{ns}}}CstmrPmtStsRpt")
    header = etree.SubElement(report, f"{{{ns}}}GrpHdr")
    etree.SubElement(header, f"{{{ns}}}MsgId").text = "BANK-STS-1"
    original = etree.SubElement(report, f"{{{ns}}}OrgnlGrpInfAndSts")
    etree.SubElement(original, f"{{{ns}}}OrgnlMsgId").text = message_id
    etree.SubElement(original, f"{{{ns}}}OrgnlMsgNmId").text = "pain.001.001.09"
    etree.SubElement(original, f"{{{ns}}}GrpSts").text = group
    if group_reason:
        etree.SubElement(etree.SubElement(etree.SubElement(original, f"{{{ns}}}StsRsnInf"), f"{{{ns}}}Rsn"),
                         f"{{{ns}}}Cd").text = group_reason
    if lines:
        information = etree.SubElement(report, f"{{{ns}}}OrgnlPmtInfAndSts")
        etree.SubElement(information, f"{{{ns}}}OrgnlPmtInfId").text = message_id
        for end_to_end, status, code, extra in lines:
            transaction = etree.SubElement(information, f"{{{ns}}}TxInfAndSts")
            etree.SubElement(transaction, f"{{{ns}}}OrgnlEndToEndId").text = end_to_end
            etree.SubElement(transaction, f"{{{ns}}}TxSts").text = status
            if code or extra:
                reason = etree.SubElement(transaction, f"{{{ns}}}StsRsnInf")
                if code:
                    etree.SubElement(etree.SubElement(reason, f"{{{ns}}}Rsn"), f"{{{ns}}}Cd").text = code
                if extra:
                    etree.SubElement(reason, f"{{{ns}}}AddtlInf").text = extra
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def payouts(batch):
    return list(Payout.objects.filter(batch=batch).order_by("pk"))


@override_settings(HUZHU_PAYER_NAME="测试职工互助保障协会", HUZHU_PAYER_ACCOUNT="0602 0001 0900 1234 567",
                   HUZHU_PAYER_BANK_CODE="102191000123")
def test_pain001_declares_its_namespace_and_carries_every_line_with_exact_sums(client, maker, approved_batch):
    login(client, maker)
    root = etree.fromstring(pain001(client, approved_batch))
    assert root.tag == f"{{{iso20022.PAIN_001}}}Document" and root.nsmap[None] == "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
    lines = payouts(approved_batch)
    total = sum((p.amount for p in lines), D("0"))

    def one(path, element=root):
        found = element.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return found[0]

    header = one("p:CstmrCdtTrfInitn/p:GrpHdr")
    assert one("p:MsgId", header).text == approved_batch.number
    assert one("p:CreDtTm", header).text[:2] == "20" and "T" in one("p:CreDtTm", header).text
    assert one("p:NbOfTxs", header).text == "3" and D(one("p:CtrlSum", header).text) == total
    assert one("p:InitgPty/p:Nm", header).text == "测试职工互助保障协会"
    payment = one("p:CstmrCdtTrfInitn/p:PmtInf")
    assert one("p:PmtMtd", payment).text == "TRF"
    assert one("p:NbOfTxs", payment).text == "3" and D(one("p:CtrlSum", payment).text) == total
    assert one("p:ReqdExctnDt/p:Dt", payment).text
    assert one("p:Dbtr/p:Nm", payment).text == "测试职工互助保障协会"
    assert one("p:DbtrAcct/p:Id/p:Othr/p:Id", payment).text == "0602000109001234567"
    assert one("p:DbtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId", payment).text == "102191000123"
    assert not root.xpath("//p:IBAN", namespaces=NS)  # Chinese accounts are no IBANs
    transfers = payment.xpath("p:CdtTrfTxInf", namespaces=NS)
    assert len(transfers) == 3
    for transfer, payout in zip(transfers, lines, strict=True):
        assert one("p:PmtId/p:EndToEndId", transfer).text == payout.reference
        amount = one("p:Amt/p:InstdAmt", transfer)
        assert amount.get("Ccy") == "CNY" and D(amount.text) == payout.amount and amount.text == f"{payout.amount:.2f}"
        assert one("p:Cdtr/p:Nm", transfer).text == payout.payee_name
        assert one("p:CdtrAcct/p:Id/p:Othr/p:Id", transfer).text == payout.reveal_bank_account()
        assert one("p:CdtrAgt/p:FinInstnId/p:Nm", transfer).text == payout.bank_name
        assert one("p:RmtInf/p:Ustrd", transfer).text == f"职工互助保障补助金 申领#{payout.claim_id}"
    assert sum(D(a.text) for a in root.xpath("//p:InstdAmt", namespaces=NS)) == D(one("p:CtrlSum", header).text)
    event = AuditEvent.objects.get(action="export_bank_file")
    assert event.after["format"] == "pain.001" and lines[0].reveal_bank_account() not in str(event.after)


def test_pain001_elements_come_in_the_schemas_order(client, maker, approved_batch):
    login(client, maker)
    root = etree.fromstring(pain001(client, approved_batch))
    names = [etree.QName(e).localname for e in root.xpath("p:CstmrCdtTrfInitn/p:PmtInf/*", namespaces=NS)]
    assert names[:11] == ["PmtInfId", "PmtMtd", "BtchBookg", "NbOfTxs", "CtrlSum", "PmtTpInf", "ReqdExctnDt", "Dbtr",
                          "DbtrAcct", "DbtrAgt", "ChrgBr"] and set(names[11:]) == {"CdtTrfTxInf"}
    transfer = root.xpath("//p:CdtTrfTxInf", namespaces=NS)[0]
    assert [etree.QName(e).localname for e in transfer] == ["PmtId", "Amt", "CdtrAgt", "Cdtr", "CdtrAcct", "RmtInf"]


def test_a_pain002_pays_accepted_lines_and_queues_rejected_ones_with_their_reason(maker, approved_batch):
    send(approved_batch, maker)
    first, second, third = payouts(approved_batch)
    content = pain002(approved_batch.number, [(first.reference, "ACSC", "", ""),
                                              (second.reference, "RJCT", "AC04", "账户已销户"),
                                              (third.reference, "ACCP", "", "")])
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="pain002.xml", content=content)
    assert report.applied and (report.paid, report.failed, report.reconciled) == (2, 1, True)
    second.refresh_from_db()
    assert (second.status, second.bank_reason) == (P.FAILED, "AC04 账户已销户")
    assert list(queries.failed_payouts_to_resolve(PROVINCE)) == [second]
    assert Claim.objects.get(pk=first.claim_id).status == "paid" and Claim.objects.get(pk=second.claim_id).status == "approved"
    assert LedgerEntry.objects.filter(kind="payout_failed", cause_id=str(second.pk)).exists()
    assert ReturnImport.objects.get().layout == "pain.002"
    again = services.import_return_file(actor=maker, batch=approved_batch, file_name="pain002.xml", content=content)
    assert again.applied and again.unchanged == 3 and LedgerEntry.objects.filter(kind="payout_failed").count() == 1


def test_pending_lines_wait_and_a_group_rejection_without_lines_fails_every_line(maker, approved_batch):
    send(approved_batch, maker)
    first, second, third = payouts(approved_batch)
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="a.xml", content=pain002(
        approved_batch.number, [(first.reference, "ACSC", "", ""), (second.reference, "PDNG", "", "")]))
    assert (report.paid, report.pending, report.reconciled) == (1, 1, False)
    with pytest.raises(ValidationFailed, match="仍在银行处理中"):
        services.import_return_file(actor=maker, batch=approved_batch, file_name="b.xml", content=pain002(
            approved_batch.number, [(second.reference, "ACTC", "", "")]))
    # the bank rejects the whole message: lines not yet answered fail, the paid one contradicts and stops it all
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="c.xml",
                                         content=pain002(approved_batch.number, group="RJCT", group_reason="DS0H"))
    assert not report.applied and [p.reference for p in report.problems] == [first.reference]
    assert Payout.objects.get(pk=third.pk).status == P.SENT  # nothing half-written


def test_a_pain002_of_another_batch_is_refused(maker, approved_batch):
    send(approved_batch, maker)
    with pytest.raises(Conflict, match="PB999999") as refused:
        services.import_return_file(actor=maker, batch=approved_batch, file_name="x.xml",
                                    content=pain002("PB999999", [(payouts(approved_batch)[0].reference, "ACSC", "", "")]))
    assert refused.value.code == "report_of_another_batch"
    assert not ReturnImport.objects.exists()


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt><OrgnlGrpInfAndSts>
<OrgnlMsgId>&lol3;</OrgnlMsgId></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt><OrgnlGrpInfAndSts>
<OrgnlMsgId>&x;</OrgnlMsgId></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"""


@pytest.mark.parametrize("content, message", [
    (BOMB, "DTD"),
    (EXTERNAL, "DTD"),
    (b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.10'><CstmrPmtStsRpt>", "不是合法的XML"),
    (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'/>", "不是ISO 20022 pain.002"),
    (b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.002.001.10'><CstmrPmtStsRpt/></Document>",
     "OrgnlGrpInfAndSts"),
], ids=["xml-bomb", "external-entity", "truncated", "a-pain001", "no-original-group"])
def test_malformed_or_hostile_xml_is_refused_and_nothing_is_written(maker, approved_batch, content, message):
    send(approved_batch, maker)
    before = AuditEvent.objects.count(), LedgerEntry.objects.count()
    with pytest.raises(ValidationFailed, match=message) as refused:
        services.import_return_file(actor=maker, batch=approved_batch, file_name="r.xml", content=content)
    assert refused.value.code == "invalid_return_file"
    assert (AuditEvent.objects.count(), LedgerEntry.objects.count()) == before
    assert set(Payout.objects.filter(batch=approved_batch).values_list("status", flat=True)) == {P.SENT}


def test_a_pain002_line_with_an_unknown_reference_or_another_amount_rejects_the_whole_report(maker, approved_batch):
    send(approved_batch, maker)
    first = payouts(approved_batch)[0]
    content = pain002(approved_batch.number, [(first.reference, "ACSC", "", ""), ("HZ99999999-1", "ACSC", "", "")])
    report = services.import_return_file(actor=maker, batch=approved_batch, file_name="r.xml", content=content)
    assert not report.applied and report.problems[0].message == "支付参考号 HZ99999999-1 不属于本批次"
    assert Payout.objects.get(pk=first.pk).status == P.SENT and not ReturnImport.objects.exists()


def test_end_to_end_a_batch_exported_in_two_bank_layouts_and_pain001_is_reconciled_from_a_pain002(
        client, maker, approved_batch, shipped_templates):
    login(client, maker)
    detail = reverse("payouts:batch_detail", args=[approved_batch.pk])
    icbc = client.get(reverse("payouts:bank_file_in_layout", args=[approved_batch.pk, shipped_templates["icbc_payroll"].pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(icbc))).active
    ccb = client.get(reverse("payouts:bank_file_in_layout", args=[approved_batch.pk, shipped_templates["ccb_payroll"].pk]))
    ccb_text = b"".join(ccb.streaming_content).decode("gb18030")
    xml = etree.fromstring(pain001(client, approved_batch))
    lines = payouts(approved_batch)
    total = approved_batch.total_amount
    # the three files say the same payments
    assert sum(D(str(row[3])) for row in sheet.iter_rows(min_row=2, values_only=True)) == total
    assert sum(D(row.split(",")[3]) for row in ccb_text.splitlines()[1:]) == total
    assert D(xml.xpath("//p:GrpHdr/p:CtrlSum", namespaces=NS)[0].text) == total
    assert [e.text for e in xml.xpath("//p:EndToEndId", namespaces=NS)] == [p.reference for p in lines]
    assert AuditEvent.objects.filter(action="export_bank_file").count() == 3

    client.post(reverse("payouts:batch_sent", args=[approved_batch.pk]), {"sent_on": timezone.localdate().isoformat()})
    assert PayoutBatch.objects.get(pk=approved_batch.pk).status == B.SENT
    upload = SimpleUploadedFile("pain.002.xml", pain002(approved_batch.number, [
        (lines[0].reference, "ACSC", "", ""), (lines[1].reference, "ACSC", "", ""),
        (lines[2].reference, "RJCT", "AC01", "账号错误")]), content_type="application/xml")
    page = client.post(reverse("payouts:batch_return", args=[approved_batch.pk]), {"file": upload}, follow=True)
    assert page.redirect_chain[-1][0] == detail
    assert "新记已付款 2 笔，支付失败 1 笔" in page.text and "本批次已全部对账" in page.text
    batch = PayoutBatch.objects.get(pk=approved_batch.pk)
    assert (batch.status, batch.paid_count, batch.failed_count) == (B.RECONCILED, 2, 1)
    assert batch.paid_amount + batch.failed_amount == total
    assert Payout.objects.get(pk=lines[2].pk).bank_reason == "AC01 账号错误"
    failed_page = client.get(reverse("payouts:failed_queue")).text
    assert lines[2].reference in failed_page and lines[2].reveal_bank_account() not in failed_page
