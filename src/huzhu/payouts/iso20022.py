"""ISO 20022 bank files: pain.001.001.09 (credit transfer initiation) out, pain.002 (payment status report) in.

The pain.001 is written element by element with lxml's incremental writer into a spooled file,
so a batch of 100,000 lines never sits in memory as one tree; nothing is concatenated as text.
The pain.002 is parsed by lxml with entities unresolved, no DTD, no network and huge trees off: a
document with a DOCTYPE (an XML bomb, an external entity) is refused before it is parsed.
Its lines become `rules.ReturnLine`s, checked and applied by the code every return file uses.
"""
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from huzhu.core.money import ZERO, format_yuan

from . import bank_layouts, rules

PAIN_001 = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
PAIN_002 = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
PAIN_002_PREFIX = "urn:iso:std:iso:20022:tech:xsd:pain.002."
XML_TYPE = "application/xml"
CURRENCY = "CNY"
# TxSts (ExternalPaymentTransactionStatus1Code): settled or accepted for settlement = paid; rejected = failed.
PAID_STATUSES = frozenset({"ACSC", "ACCP", "ACSP", "ACCC"})
FAILED_STATUSES = frozenset({"RJCT"})
MAX_PAIN_002_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Debtor:
    """The association's account the bank debits (settings HUZHU_PAYER_*)."""

    name: str
    account: str
    bank_code: str  # CNAPS 联行号 of the account's branch


def _max(text: str, length: int) -> str:
    return (text or "").strip()[:length]


def pain001_file(*, message_id: str, created_at: datetime, execution_on: date, debtor: Debtor,
                 lines: Iterable[bank_layouts.PayeeLine], count: int, total: Decimal):
    """The batch as one pain.001.001.09 message (MsgId = the batch number, one PmtInf), spooled and rewound.

    `count` and `total` go into both headers before the lines are written; the caller computes them
    from the same payouts and the writer checks the lines add up to them (an exact Decimal sum).
    """
    spool = tempfile.TemporaryFile()
    ns = PAIN_001

    def tag(name: str) -> str:
        return f"{{{ns}}}{name}"

    def sub(parent, name: str, text: str | None = None, **attributes):
        element = etree.SubElement(parent, tag(name), **attributes)
        if text is not None:
            element.text = text
        return element

    def write(xf, name: str, text: str) -> None:
        with xf.element(tag(name)):
            xf.write(text)

    def account(parent, name: str, number: str) -> None:
        # Chinese accounts are not IBANs: Id/Othr/Id carries the account number.
        sub(sub(sub(sub(parent, name), "Id"), "Othr"), "Id", number)

    written, written_total = 0, ZERO
    with etree.xmlfile(spool, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(tag("Document"), nsmap={None: ns}), xf.element(tag("CstmrCdtTrfInitn")):
            header = etree.Element(tag("GrpHdr"), nsmap={None: ns})
            sub(header, "MsgId", _max(message_id, 35))
            sub(header, "CreDtTm", created_at.isoformat(timespec="seconds"))
            sub(header, "NbOfTxs", str(count))
            sub(header, "CtrlSum", format_yuan(total))
            sub(sub(header, "InitgPty"), "Nm", _max(debtor.name, 140))
            xf.write(header)
            with xf.element(tag("PmtInf")):
                write(xf, "PmtInfId", _max(message_id, 35))
                write(xf, "PmtMtd", "TRF")
                write(xf, "BtchBookg", "true")
                write(xf, "NbOfTxs", str(count))
                write(xf, "CtrlSum", format_yuan(total))
                head = etree.Element(tag("PmtHead"), nsmap={None: ns})  # a holder: its children are written
                service = sub(sub(head, "PmtTpInf"), "CtgyPurp")
                sub(service, "Cd", "BENE")  # ExternalCategoryPurpose1Code: benefit payment
                sub(sub(head, "ReqdExctnDt"), "Dt", execution_on.isoformat())
                sub(sub(head, "Dbtr"), "Nm", _max(debtor.name, 140))
                account(head, "DbtrAcct", debtor.account)
                member = sub(sub(sub(head, "DbtrAgt"), "FinInstnId"), "ClrSysMmbId")
                sub(sub(member, "ClrSysId"), "Cd", "CNAPS")
                sub(member, "MmbId", _max(debtor.bank_code, 35))
                sub(head, "ChrgBr", "SLEV")
                for child in head:
                    xf.write(child)
                for line in lines:
                    xf.write(_transaction(line, tag, sub, account, ns))
                    written += 1
                    written_total += line.amount
                    if written % 2000 == 0:
                        xf.flush()
    if (written, written_total) != (count, total):
        raise RuntimeError(f"pain.001 {message_id}: {written} lines {written_total} written, headers say {count} {total}")
    spool.seek(0)
    return spool


def _transaction(line: bank_layouts.PayeeLine, tag, sub, account, ns):
    transfer = etree.Element(tag("CdtTrfTxInf"), nsmap={None: ns})
    payment_id = sub(transfer, "PmtId")
    sub(payment_id, "InstrId", _max(line.reference, 35))
    sub(payment_id, "EndToEndId", _max(line.reference, 35))
    sub(sub(transfer, "Amt"), "InstdAmt", format_yuan(line.amount), Ccy=CURRENCY)
    if line.bank_name:
        sub(sub(sub(transfer, "CdtrAgt"), "FinInstnId"), "Nm", _max(line.bank_name, 140))
    sub(sub(transfer, "Cdtr"), "Nm", _max(line.payee_name, 140))
    account(transfer, "CdtrAcct", line.account)
    sub(sub(transfer, "RmtInf"), "Ustrd", _max(line.purpose, 140))
    return transfer


# ---------------------------------------------------------------- pain.002 in


class StatusReportProblem(ValueError):
    """The status report as a whole cannot be used (message in Chinese)."""


@dataclass
class StatusReport:
    """What a pain.002 says of one pain.001: its message id, the group's status and each line's."""

    original_message_id: str
    group_status: str
    lines: list[rules.ReturnLine] = field(default_factory=list)
    pending: int = 0  # lines the bank has not settled yet (PDNG, ACTC, RCVD…): left as sent


def looks_like_xml(content: bytes, file_name: str = "") -> bool:
    head = content[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or file_name.lower().endswith(".xml")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def read_pain002(content: bytes, *, all_references: Iterable[tuple[str, Decimal]] = ()) -> StatusReport:
    """The lines of a pain.002 status report; `all_references` answer a group status given without lines."""
    if not content.strip():
        raise StatusReportProblem("状态报告是空的")
    if len(content) > MAX_PAIN_002_BYTES:
        raise StatusReportProblem("状态报告文件过大")
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise StatusReportProblem("状态报告含DTD或实体声明，已拒绝（ISO 20022 报文不使用DTD）")
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise StatusReportProblem(f"状态报告不是合法的XML：{exc.msg}") from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise StatusReportProblem("状态报告含DTD，已拒绝")
    ns = etree.QName(root).namespace or ""
    if not ns.startswith(PAIN_002_PREFIX) or etree.QName(root).localname != "Document":
        raise StatusReportProblem(f"不是ISO 20022 pain.002 状态报告（命名空间“{ns or '无'}”）")

    def find(element, path: str):
        qualified = "/".join(f"{{{ns}}}{part}" for part in path.split("/"))
        return element.find(qualified) if element is not None else None

    def text(element, path: str) -> str:
        found = find(element, path)
        return (found.text or "").strip() if found is not None else ""

    report_root = find(root, "CstmrPmtStsRpt")
    group = find(report_root, "OrgnlGrpInfAndSts")
    if group is None:
        raise StatusReportProblem("状态报告缺少 OrgnlGrpInfAndSts（原报文信息）")
    report = StatusReport(original_message_id=text(group, "OrgnlMsgId"), group_status=text(group, "GrpSts"))
    if not report.original_message_id:
        raise StatusReportProblem("状态报告缺少 OrgnlMsgId（原报文标识）")
    group_reason = _reason(group, ns)
    row = 0
    for transaction in report_root.iter(f"{{{ns}}}TxInfAndSts"):
        row += 1
        status = text(transaction, "TxSts") or report.group_status
        reference = text(transaction, "OrgnlEndToEndId")
        amount_text = text(transaction, "OrgnlTxRef/Amt/InstdAmt")
        amount, amount_problem = (None, "")
        if amount_text:
            amount, amount_problem = bank_layouts.parse_amount(amount_text, in_fen=False)
        result = _result(status)
        if result is None and _is_pending(status):
            report.pending += 1
            continue
        reason = _reason(transaction, ns) or group_reason or (status if result == rules.FAILED else "")
        report.lines.append(rules.ReturnLine(row=row, reference=reference, result=result, amount=amount,
                                             reason=reason[:200], raw_result=status, amount_problem=amount_problem))
    if row == 0:
        # No line given: a final group status (or payment-information status) answers every line of the message.
        status = report.group_status or text(find(report_root, "OrgnlPmtInfAndSts"), "PmtInfSts")
        if _result(status) is None:
            raise StatusReportProblem(f"状态报告未给出交易结果（组状态“{status or '无'}”），无可对账的内容")
        for number, (reference, _amount) in enumerate(all_references, start=1):
            report.lines.append(rules.ReturnLine(row=number, reference=reference, result=_result(status), amount=None,
                                                 reason=(group_reason or status)[:200], raw_result=status))
    return report


def _result(status: str) -> str | None:
    if status in PAID_STATUSES:
        return rules.PAID
    if status in FAILED_STATUSES:
        return rules.FAILED
    return None


def _is_pending(status: str) -> bool:
    # RCVD received, ACTC technically accepted, PDNG pending, ACWP/ACFC/PART not final per line: left as sent.
    return status in {"RCVD", "ACTC", "PDNG", "ACWP", "ACFC", "PART", "ACWC"}


def _reason(element, ns: str) -> str:
    """StsRsnInf/Rsn/Cd and AddtlInf in words: 'AC01 账号不存在'."""
    information = element.find(f"{{{ns}}}StsRsnInf")
    if information is None:
        return ""
    code = information.find(f"{{{ns}}}Rsn/{{{ns}}}Cd")
    if code is None:
        code = information.find(f"{{{ns}}}Rsn/{{{ns}}}Prtry")
    parts = [code.text.strip() if code is not None and code.text else ""]
    parts += [(extra.text or "").strip() for extra in information.findall(f"{{{ns}}}AddtlInf")]
    return " ".join(part for part in parts if part)
