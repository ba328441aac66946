"""Cells that stay text: what every XLSX and CSV writer passes its values through.

OWASP CSV injection: a spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@`
(tab and carriage return too) as a formula, so a worker name like `=HYPERLINK(…)` typed at any
door would go live in a bank file or a report. Text that begins so is written as text: in XLSX a
string cell with Excel's quote prefix (never a formula cell), in CSV with a leading `'`.
Numbers (int, Decimal, float, dates) stay numbers, negative amounts included; so does text that
is a plain number (`-12.50`), which no program reads as a formula.
"""
import re
from collections.abc import Iterable, Sequence

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
