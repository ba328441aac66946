"""Invoices that must not pay: the voided (作废) and red-flushed (红冲) lists the association imports, and the
e-invoice verification service when one is configured.

A claim carrying such an invoice is refused when it is filed and again when it is submitted (a draft made before the
list came). The verification service (the finance ministry's, or a province platform's) is off by default: the
unions' intranets cannot reach it. With `HUZHU_EINVOICE_VERIFY_URL` set, each invoice is asked about at submission
(`POST` JSON `{"invoice_code", "invoice_number", "check_code", "total_amount"}`, answer
`{"status": "valid" | "void" | "red_flushed" | "not_found"}`); "void" and "red_flushed" refuse, anything else (not found,
a timeout, the service down) lets the claim go on, logged: the service may lag the hospital, and a clerk must not be
stopped by a network.
"""
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core import spreadsheets
from huzhu.core.actors import Actor
from huzhu.core.errors import PermissionDenied, ValidationFailed
from huzhu.core.identifiers import ascii_form
from huzhu.core.money import format_yuan
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import association_writes

from ..models import VoidedInvoice
from ..rules import InvoiceFacts

log = logging.getLogger(__name__)
HEADER = ("票据代码", "票据号码", "状态")
STATUS_WORDS = {"作废": VoidedInvoice.Status.VOID, "已作废": VoidedInvoice.Status.VOID, "void": VoidedInvoice.Status.VOID,
                "红冲": VoidedInvoice.Status.RED_FLUSHED, "已红冲": VoidedInvoice.Status.RED_FLUSHED,
                "已开红票": VoidedInvoice.Status.RED_FLUSHED, "冲红": VoidedInvoice.Status.RED_FLUSHED,
                "red_flushed": VoidedInvoice.Status.RED_FLUSHED}
MAX_BYTES = 20 * 1024 * 1024


def _row_error(row: int, field: str, message: str) -> ValidationFailed:
    return ValidationFailed("invalid_voided_list", _("第 %(row)s 行：%(message)s") % {"row": row, "message": message},
                            field=field, row=row)


@transaction.atomic
def import_voided_invoices(*, actor: Actor, file_name: str, content: bytes) -> int:
    """Add or update the invoices of a list (CSV/XLSX, header 票据代码,票据号码,状态); all rows or none."""
    if not association_writes(scope_of(actor)):
        raise PermissionDenied(_("只有协会可以导入作废或红冲票据清单"))
    if not content:
        raise ValidationFailed("no_file", _("请选择票据清单文件"), field="file")
    if len(content) > MAX_BYTES:
        raise ValidationFailed("file_too_large", _("清单超过 20MB"), field="file")
    try:
        rows = list(spreadsheets.table_rows(content, file_name))
    except spreadsheets.UnreadableTable as exc:
        raise ValidationFailed("bad_file", _(exc.msgid) % exc.params, field="file") from exc
    if not rows:
        raise ValidationFailed("bad_file", _("清单为空"), field="file")
    header = ["".join(str(c or "").split()).lstrip("\ufeff") for c in rows[0][1]]
    missing = [name for name in HEADER if name not in header]
    if missing:
        raise ValidationFailed("bad_file", _("清单表头缺少列：%(missing)s。表头须为：%(header)s") % {
            "missing": "、".join(missing), "header": "，".join(HEADER)}, field="file")
    at = {name: header.index(name) for name in HEADER}
    found: dict[tuple[str, str], str] = {}
    for number, cells in rows[1:]:
        cells = list(cells) + [""] * len(header)
        if not any(str(c or "").strip() for c in cells):
            continue
        code = "".join(ascii_form(str(cells[at["票据代码"]] or "")).split())
        serial = "".join(ascii_form(str(cells[at["票据号码"]] or "")).split())
        word = "".join(str(cells[at["状态"]] or "").split())
        if not (code.isdigit() and len(code) == 8):
            raise _row_error(number, "invoice_code", _("票据代码“%(value)s”应为 8 位数字") % {"value": code})
        if not (serial.isdigit() and len(serial) == 10):
            raise _row_error(number, "invoice_number", _("票据号码“%(value)s”应为 10 位数字") % {"value": serial})
        if word not in STATUS_WORDS:
            raise _row_error(number, "status", _("状态“%(value)s”应为“作废”或“红冲”") % {"value": word})
        found[(code, serial)] = STATUS_WORDS[word]
    VoidedInvoice.objects.bulk_create(
        [VoidedInvoice(code=code, number=serial, status=status, source=file_name[:200])
         for (code, serial), status in found.items()],
        update_conflicts=True, unique_fields=["code", "number"], update_fields=["status", "source", "imported_at"])
    record_event(actor=actor, action="voided_invoices_imported", object_type="VoidedInvoice",
                 object_id=f"{len(found)} rows", after={"file": file_name[:200], "count": len(found)})
    return len(found)


def refuse_voided(invoices: Iterable[InvoiceFacts], *, ask_service: bool = False) -> None:
    """ValidationFailed("invoice_voided") for the first invoice on a list (or, asked, voided by the service)."""
    invoices = list(invoices)
    if not invoices:
        return
    listed = {(v.code, v.number): v for v in VoidedInvoice.objects.filter(
        number__in=[i.number for i in invoices], code__in=[i.code for i in invoices])}
    for invoice in invoices:
        status = listed[(invoice.code, invoice.number)].status if (invoice.code, invoice.number) in listed else None
        if status is None and ask_service:
            status = verified_status(invoice)
        if status in VoidedInvoice.Status.values:
            raise ValidationFailed("invoice_voided", _("票据 %(code)s-%(number)s %(status)s，不能用于申领") % {
                "code": invoice.code, "number": invoice.number, "status": VoidedInvoice.Status(status).label},
                field="invoices")


def verified_status(invoice: InvoiceFacts) -> str | None:
    """The verification service's status of an invoice; None when it is off, unreachable or does not answer."""
    url = getattr(settings, "HUZHU_EINVOICE_VERIFY_URL", "")
    if not url:
        return None
    body = json.dumps({"invoice_code": invoice.code, "invoice_number": invoice.number, "check_code": invoice.check_code,
                       "total_amount": format_yuan(invoice.amount)}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=float(getattr(settings, "HUZHU_EINVOICE_VERIFY_TIMEOUT", 3))) as answer:
            status = json.loads(answer.read()).get("status")
    except (urllib.error.URLError, TimeoutError, ValueError, OSError) as exc:
        log.warning("e-invoice verification unavailable for %s-%s: %s", invoice.code, invoice.number, exc)
        return None
    return status if isinstance(status, str) else None
