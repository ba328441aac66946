"""Bank files: write the payment file (CSV, XLSX, TXT in a bank's layout) row by row; read the bank's return file.

The payment file carries the clear account number (the bank needs it); pages show masked numbers
only. Writing streams: rows come from the database in chunks and leave as they are made. A bank's
layout (columns, headers, encoding, delimiter) is a `BankFileTemplate` (bank_layouts.py); the
ISO 20022 files are in iso20022.py.
"""
import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from huzhu.core import spreadsheets
from huzhu.core.money import ZERO, quantize_money

from . import bank_layouts, iso20022, rules
from .models import BankFileTemplate, Payout, PayoutBatch

MAX_RETURN_FILE_BYTES = 20 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReturnFileProblem(ValueError):
    """The return file as a whole cannot be read (message in the active language, Chinese by default)."""


# ---------------------------------------------------------------- the payment file


def _live_payouts(batch: PayoutBatch):
    return Payout.objects.filter(batch=batch).exclude(status=Payout.Status.CANCELLED).order_by("pk")


def payee_lines(batch: PayoutBatch) -> Iterator[bank_layouts.PayeeLine]:
    """One line per live payout of the batch, clear account included, in the order of the file (serial from 1)."""
    payouts = _live_payouts(batch).only("reference", "payee_name", "bank_account_encrypted", "bank_name", "amount",
                                        "claim_id")
    for number, payout in enumerate(payouts.iterator(chunk_size=2000), start=1):
        yield bank_layouts.PayeeLine(
            serial=number, payee_name=payout.payee_name, account=payout.reveal_bank_account(),
            bank_name=payout.bank_name, amount=quantize_money(payout.amount), reference=payout.reference,
            purpose=f"职工互助保障补助金 申领#{payout.claim_id}", batch_reference=batch.number)


def bank_file_rows(batch: PayoutBatch) -> Iterator[tuple]:
    """One row per live payout of the batch in the generic layout (rules.BANK_FILE_HEADERS)."""
    for line in payee_lines(batch):
        yield (line.serial, line.payee_name, line.account, line.bank_name, line.amount, line.reference, line.purpose)


@dataclass(frozen=True)
class BankFile:
    """A payment file ready to send: either chunks to stream or a spooled file, with its name and type."""

    file_name: str
    content_type: str
    chunks: Iterator[bytes] | None = None
    spool: object = None


def template_file(batch: PayoutBatch, template: BankFileTemplate) -> BankFile:
    """The batch's payment file in the template's layout: columns in order, headers, encoding, delimiter."""
    columns = template.layout_columns()
    header = bank_layouts.headers(columns) if template.has_header else None
    rows = (bank_layouts.row(columns, line) for line in payee_lines(batch))
    name = f"bank-file-{batch.number}-{template.pk}.{template.extension}"
    if template.file_type == BankFileTemplate.FileType.XLSX:
        spool = xlsx_file(template.sheet_name or "银行代发", header, rows,
                          text_columns=bank_layouts.text_positions(columns),
                          money_columns=bank_layouts.money_positions(columns))
        return BankFile(name, XLSX_TYPE, spool=spool)
    content_type = "text/csv" if template.file_type == BankFileTemplate.FileType.CSV else "text/plain"
    encoding = template.encoding
    return BankFile(name, f"{content_type}; charset={'utf-8' if encoding.startswith('utf-8') else encoding}",
                    chunks=delimited_chunks(header, rows, delimiter=template.delimiter or ",", encoding=encoding))


def pain001_file(batch: PayoutBatch, *, debtor: iso20022.Debtor, created_at, execution_on) -> BankFile:
    """The batch as an ISO 20022 pain.001.001.09 credit transfer (MsgId = the batch number)."""
    amounts = list(_live_payouts(batch).values_list("amount", flat=True).iterator(chunk_size=5000))
    spool = iso20022.pain001_file(message_id=batch.number, created_at=created_at, execution_on=execution_on,
                                  debtor=debtor, lines=payee_lines(batch), count=len(amounts),
                                  total=sum((quantize_money(a) for a in amounts), ZERO))
    return BankFile(f"pain001-{batch.number}.xml", iso20022.XML_TYPE, spool=spool)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (Excel opens it), yielded a line at a time for StreamingHttpResponse."""
    return delimited_chunks(headers, rows, delimiter=",", encoding="utf-8-sig")


def delimited_chunks(headers: Sequence[str] | None, rows: Iterable[Sequence], *, delimiter: str,
                     encoding: str) -> Iterator[bytes]:
    """A delimited text file (CSV, a bank's '|' TXT) in `encoding`, a line at a time; no header when None."""
    writer = csv.writer(_Echo(), delimiter=delimiter)
    if encoding == "utf-8-sig":
        yield "\ufeff".encode()
        encoding = "utf-8"
    if headers is not None:
        yield writer.writerow(headers).encode(encoding)
    for row in rows:
        yield writer.writerow(spreadsheets.csv_row(row)).encode(encoding)


def xlsx_file(title: str, headers: Sequence[str] | None, rows: Iterable[Sequence], *, text_columns: Sequence[int] = (),
              money_columns: Sequence[int] = ()):
    """A write-only workbook spooled to a temporary file (rows streamed into it), rewound for sending.

    `text_columns` stay text so Excel never turns a 19-digit account into 6.2E+18; text that looks
    like a formula (a payee name `=HYPERLINK(…)`) stays text too (core.spreadsheets).
    `money_columns` are number cells shown with two decimals, so Excel's SUM adds them.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(spreadsheets.xlsx_row(
            sheet, [str(value) if index in text_columns else _money_cell(sheet, value) if index in money_columns
                    else value for index, value in enumerate(row)]))
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


def _money_cell(sheet, amount):
    cell = WriteOnlyCell(sheet, value=amount)  # a Decimal: a number cell, exact to the fen
    cell.number_format = "0.00"
    return cell


def return_template_rows(batch: PayoutBatch, *, result: str = "成功") -> Iterator[tuple]:
    """The return file a bank would send if every line had `result` (for tests and the demo)."""
    for reference, amount in (Payout.objects.filter(batch=batch).exclude(status=Payout.Status.CANCELLED)
                              .order_by("pk").values_list("reference", "amount").iterator(chunk_size=2000)):
        yield (reference, f"{amount:.2f}", result, "" if result == "成功" else "账户不存在")


# ---------------------------------------------------------------- the return file


def read_return_file(content: bytes, file_name: str = "") -> list[rules.ReturnLine]:
    """Every non-empty data line of a return file (CSV in UTF-8 or GB18030, or XLSX)."""
    if not content:
        raise ReturnFileProblem(_("回盘文件是空的"))
    if len(content) > MAX_RETURN_FILE_BYTES:
        raise ReturnFileProblem(_("回盘文件超过 %(megabytes)sMB") % {"megabytes": MAX_RETURN_FILE_BYTES // 1024 // 1024})
    try:
        rows = spreadsheets.table_rows(content, file_name)
        header_row = next(rows, None)
    except spreadsheets.UnreadableTable as exc:
        raise ReturnFileProblem(_(exc.msgid) % exc.params) from exc
    if header_row is None:
        raise ReturnFileProblem(_("回盘文件没有内容"))
    try:
        header = rules.map_return_header(header_row[1])
    except ValueError as exc:
        raise ReturnFileProblem(str(exc)) from exc
    lines = []
    for row_no, cells in rows:
        if all(cell is None or not str(cell).strip() for cell in cells):
            continue
        lines.append(rules.read_return_line(row_no, header, cells))
    if not lines:
        raise ReturnFileProblem(_("回盘文件只有表头，没有数据行"))
    return lines




def read_layout_return_file(content: bytes, file_name: str, layout: bank_layouts.ReturnLayout, *,
                            delimiter: str = ",") -> list[bank_layouts.KeyedLine]:
    """Every non-empty data line of a return file in a template's layout (XLSX, or delimited text in UTF-8 or GB18030)."""
    if not content:
        raise ReturnFileProblem(_("回盘文件是空的"))
    if len(content) > MAX_RETURN_FILE_BYTES:
        raise ReturnFileProblem(_("回盘文件超过 %(megabytes)sMB") % {"megabytes": MAX_RETURN_FILE_BYTES // 1024 // 1024})
    try:
        rows = spreadsheets.table_rows(content, file_name, delimiter=delimiter)
        header_cells = None
        if layout.has_header:
            first = next(rows, None)
            if first is None:
                raise ReturnFileProblem(_("回盘文件没有内容"))
            header_cells = first[1]
    except spreadsheets.UnreadableTable as exc:
        raise ReturnFileProblem(_(exc.msgid) % exc.params) from exc
    try:
        positions = layout.positions(header_cells)
    except ValueError as exc:
        raise ReturnFileProblem(str(exc)) from exc
    lines = [bank_layouts.read_line(layout, row_no, positions, cells) for row_no, cells in rows
             if not all(cell is None or not str(cell).strip() for cell in cells)]
    if not lines:
        raise ReturnFileProblem(_("回盘文件没有数据行"))
    return lines


def return_indexes(batch: PayoutBatch, *, by_account: bool) -> tuple[dict[str, str], dict[str, list]]:
    """{serial: reference} in the file's order, and {clear account: [(reference, amount)]} when asked (decrypts)."""
    serials: dict[str, str] = {}
    accounts: dict[str, list] = {}
    payouts = _live_payouts(batch).only("reference", "amount", "bank_account_encrypted")
    for number, payout in enumerate(payouts.iterator(chunk_size=2000), start=1):
        serials[str(number)] = payout.reference
        if by_account:
            accounts.setdefault(payout.reveal_bank_account(), []).append((payout.reference, payout.amount))
    return serials, accounts


def debtor() -> iso20022.Debtor:
    """The association's paying account, from settings HUZHU_PAYER_NAME / _ACCOUNT / _BANK_CODE."""
    return iso20022.Debtor(name=settings.HUZHU_PAYER_NAME, account="".join(settings.HUZHU_PAYER_ACCOUNT.split()),
                           bank_code=settings.HUZHU_PAYER_BANK_CODE)
