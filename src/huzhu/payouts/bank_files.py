"""Bank files: write the payment file (CSV, XLSX) row by row; read the bank's return file (CSV, XLSX).

The payment file carries the clear account number (the bank needs it); pages show masked numbers
only. Writing streams: rows come from the database in chunks and leave as they are made.
"""
import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from huzhu.core import spreadsheets
from huzhu.core.money import quantize_money

from . import rules
from .models import Payout, PayoutBatch

MAX_RETURN_FILE_BYTES = 20 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReturnFileProblem(ValueError):
    """The return file as a whole cannot be read (message in the active language, Chinese by default)."""


# ---------------------------------------------------------------- the payment file


def bank_file_rows(batch: PayoutBatch) -> Iterator[tuple]:
    """One row per live payout of the batch, clear account included, in reference order."""
    payouts = (Payout.objects.filter(batch=batch).exclude(status=Payout.Status.CANCELLED)
               .only("reference", "payee_name", "bank_account_encrypted", "bank_name", "amount", "claim_id")
               .order_by("pk"))
    for number, payout in enumerate(payouts.iterator(chunk_size=2000), start=1):
        yield (number, payout.payee_name, payout.reveal_bank_account(), payout.bank_name, quantize_money(payout.amount),
               payout.reference, f"职工互助保障补助金 申领#{payout.claim_id}")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (Excel opens it), yielded a line at a time for StreamingHttpResponse."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode()
    yield writer.writerow(headers).encode()
    for row in rows:
        yield writer.writerow(spreadsheets.csv_row(row)).encode()


def xlsx_file(title: str, headers: Sequence[str], rows: Iterable[Sequence], *, text_columns: Sequence[int] = (),
              money_columns: Sequence[int] = ()):
    """A write-only workbook spooled to a temporary file (rows streamed into it), rewound for sending.

    `text_columns` stay text so Excel never turns a 19-digit account into 6.2E+18; text that looks
    like a formula (a payee name `=HYPERLINK(…)`) stays text too (core.spreadsheets).
    `money_columns` are number cells shown with two decimals, so Excel's SUM adds them.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
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


