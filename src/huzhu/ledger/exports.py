"""XLSX and CSV exports of the ledger tables: Chinese headers, openpyxl write-only (rows streamed to a file),
CSV streamed line by line."""
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from huzhu.core.money import format_yuan
from huzhu.core.spreadsheets import csv_row, xlsx_row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> FileResponse:
    """Write rows one by one into a write-only workbook on disk and send it as a download."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(headers))
    with translation.override(settings.LANGUAGE_CODE):  # labels in the rows match the Chinese headers
        for row in rows:
            sheet.append(xlsx_row(sheet, list(row)))  # a memo or a unit name never runs as a formula
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def trial_balance_rows(balance) -> Iterable[Sequence]:
    for row in balance.rows:
        yield (row.account.code, row.account.name, row.account.get_type_display(), row.debit_amount,
               row.credit_amount, row.direction, abs(row.balance_amount))
    yield ("", "合计", "", balance.debit_amount, balance.credit_amount, "", None)


TRIAL_BALANCE_HEADERS = ("科目代码", "科目名称", "类别", "借方发生额", "贷方发生额", "余额方向", "余额")
STATEMENT_HEADERS = ("记账日期", "分录号", "摘要", "来源", "分录类型", "借方", "贷方", "余额方向", "余额")
BUDGET_HEADERS = ("单位", "层级", "科目代码", "预算金额", "已分配", "已使用", "结余", "执行率")


def statement_rows(postings) -> Iterable[Sequence]:
    for posting in postings.iterator(chunk_size=2000):
        running = posting.running_amount
        yield (posting.entry.posted_on, posting.entry_id, posting.entry.memo,
               f"{posting.entry.cause_type}:{posting.entry.cause_id or ''}", _entry_type(posting.entry),
               posting.amount if posting.amount > 0 else None, -posting.amount if posting.amount < 0 else None,
               "平" if running == 0 else ("借" if running > 0 else "贷"), abs(running))


def _entry_type(entry) -> str:
    if entry.is_prior_year_adjustment:
        return "往年调整"
    return "调整" if entry.is_adjustment else ""


def budget_rows(rows) -> Iterable[Sequence]:
    for row in rows:
        yield (row.name, row.level, row.account.code if row.account else "", row.budget_amount,
               row.allocated_amount, row.used_amount, row.balance_amount,
               row.execution_rate)


def _csv_value(value):
    if isinstance(value, Decimal):
        return format_yuan(value)  # two decimals, as every amount on the wire
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def csv_chunks(headers: Sequence[str], rows: Iterable[Sequence], *, encoding: str = "utf-8-sig",
               lines_per_chunk: int = 500) -> Iterator[bytes]:
    """A CSV file in pieces: the header, then rows (amounts with two decimals, dates ISO); `utf-8-sig` writes
    the BOM Excel needs, `gb18030` is what Windows accounting tools read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    first = True
    for count, row in enumerate(rows, start=1):
        writer.writerow(csv_row([_csv_value(value) for value in row]))  # a memo never runs as a formula
        if count % lines_per_chunk == 0:
            yield _encode(_take(buffer), encoding, first=first)
            first = False
    yield _encode(_take(buffer), encoding, first=first)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _encode(text: str, encoding: str, *, first: bool) -> bytes:
    # only the first piece carries the BOM
    return text.encode(encoding if first or encoding != "utf-8-sig" else "utf-8")


def csv_response(filename: str, chunks: Iterator[bytes], *, charset: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=f"text/csv; charset={charset}")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _amount_cells(sheet, row: list, amount_columns: set[int]) -> list:
    cells = xlsx_row(sheet, row)
    for index in amount_columns:
        if isinstance(cells[index], Decimal):
            cell = WriteOnlyCell(sheet, value=cells[index])
            cell.number_format = "0.00"
            cells[index] = cell
    return cells


def xlsx_sheets_response(filename: str, sheets: Sequence[tuple[str, Sequence[str], Callable[[], Iterable[Sequence]]]],
                         *, amount_headers: Sequence[str] = ()) -> FileResponse:
    """Several sheets in one write-only workbook, written in order (a later sheet may total an earlier one's rows)."""
    workbook = Workbook(write_only=True)
    with translation.override(settings.LANGUAGE_CODE):
        for title, headers, rows in sheets:
            sheet = workbook.create_sheet(title[:31])
            sheet.append(list(headers))
            amounts = {index for index, header in enumerate(headers) if header in amount_headers}
            for row in rows():
                sheet.append(_amount_cells(sheet, list(row), amounts))
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
