"""Cells that stay text: what every XLSX and CSV writer passes its values through.

OWASP CSV injection: a spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@`
(tab and carriage return too) as a formula, so a worker name like `=HYPERLINK(…)` typed at any
door would go live in a bank file or a report. Text that begins so is written as text: in XLSX a
string cell with Excel's quote prefix (never a formula cell), in CSV with a leading `'`.
Numbers (int, Decimal, float, dates) stay numbers, negative amounts included; so does text that
is a plain number (`-12.50`), which no program reads as a formula.
"""
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence

import openpyxl

from .translation import TranslatableError, gettext_noop

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet program would take for a formula."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value))


def csv_cell(value: object) -> object:
    """A value for csv.writer: formula-like text gets a leading `'`, everything else is unchanged."""
    return "'" + value if is_formula_like(value) else value


def csv_row(row: Iterable[object]) -> list[object]:
    return [csv_cell(value) for value in row]


def csv_dict_row(row: dict) -> dict:
    return {key: csv_cell(value) for key, value in row.items()}


def xlsx_row(sheet, row: Sequence[object]) -> list[object]:
    """A row for `sheet.append` (write-only or not): formula-like text as a quote-prefixed string cell."""
    return [_text_cell(sheet, value) if is_formula_like(value) else value for value in row]


def _text_cell(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl made it a formula ("f") because it begins with "="
    cell.quotePrefix = True  # Excel keeps it text even when someone edits the cell
    return cell


class UnreadableTable(TranslatableError):
    """An uploaded table is neither CSV nor XLSX, or cannot be decoded."""


def table_rows(content: bytes, file_name: str = "", *, delimiter: str = ",") -> Iterator[tuple[int, list]]:
    """(row number from 1, cells) of an uploaded CSV (UTF-8 or GB18030; another `delimiter` for a bank's TXT) or XLSX
    (its first sheet)."""
    if content.startswith(b"PK\x03\x04"):
        return _xlsx_rows(content)
    return _csv_rows(content, file_name, delimiter)


def _csv_rows(content: bytes, file_name: str, delimiter: str = ",") -> Iterator[tuple[int, list]]:
    if b"\x00" in content[:4096] or content.startswith((b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise UnreadableTable(gettext_noop("“%(name)s”不是CSV或Excel（.xlsx）文件"), {"name": file_name or "文件"})
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableTable(gettext_noop("CSV文件的编码无法识别，请另存为“CSV UTF-8”格式"))
    return enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableTable(gettext_noop("文件已损坏，无法作为Excel（.xlsx）打开")) from exc

    def rows() -> Iterator[tuple[int, list]]:
        try:
            sheet = workbook.worksheets[0]
            for row_no, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield row_no, ["" if value is None else value for value in values]
        finally:
            workbook.close()
    return rows()
