"""Bank statements (银行对账单/交易明细) as the big banks export them: layouts, the header, one row at a time.

A layout names, per field, the header text(s) a bank uses; the association keeps one per bank
(`BankStatementLayout`), starting from the defaults below. The reader streams the file (CSV in
UTF-8 or GB18030, XLSX read-only), finds the header row under the bank's preamble (account, period…)
and yields each data row as a credit, a debit (ignored, counted) or a row error naming row, column
and reason. No database here: the service stores what this returns.
"""
import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

import openpyxl

from huzhu.core.money import FEN
from huzhu.core.translation import TranslatableError, gettext_noop

from .rules import normalize_text, parse_cell_date

# The fields a layout maps; each holds header alternatives separated by "|".
FIELDS = ("booked_on", "serial", "credit", "debit", "direction", "payer_name", "payer_account", "remark")
FIELD_LABELS = {
    "booked_on": gettext_noop("交易日期"), "serial": gettext_noop("交易流水号"),
    "credit": gettext_noop("贷方发生额（收入）"), "debit": gettext_noop("借方发生额（支出）"),
    "direction": gettext_noop("借贷标志"), "payer_name": gettext_noop("对方户名"),
    "payer_account": gettext_noop("对方账号"), "remark": gettext_noop("摘要/用途/附言"),
}
REQUIRED = ("booked_on", "credit", "payer_name")
HEADER_SEARCH_ROWS = 30  # the header is found within the first rows (banks put the account and period above it)

# Defaults for the big banks' 对公账户交易明细 exports; the association corrects them once on the layouts page.
# `debit` blank: the credit column is a signed amount (negative = debit); `direction` set: a 借/贷 column decides.
DEFAULT_LAYOUTS: dict[str, dict[str, str]] = {
    "icbc": {"bank_name": "中国工商银行", "booked_on": "交易日期|交易时间", "serial": "交易流水号|凭证号",
             "credit": "贷方发生额", "debit": "借方发生额", "direction": "",
             "payer_name": "对方单位名称|对方户名", "payer_account": "对方账号", "remark": "摘要|用途|附言|个性化信息"},
    "ccb": {"bank_name": "中国建设银行", "booked_on": "交易时间|记账日期|交易日期",
            "serial": "账户明细编号-交易流水号|交易流水号", "credit": "贷方发生额（收入）|贷方发生额",
            "debit": "借方发生额（支取）|借方发生额", "direction": "", "payer_name": "对方户名",
            "payer_account": "对方账号", "remark": "摘要|备注|用途"},
    "abc": {"bank_name": "中国农业银行", "booked_on": "交易日期|交易时间", "serial": "交易流水号|流水号",
            "credit": "收入金额", "debit": "支出金额", "direction": "", "payer_name": "对方户名|对方账户名称",
            "payer_account": "对方账号", "remark": "交易用途|摘要|附言"},
    "boc": {"bank_name": "中国银行", "booked_on": "交易日期", "serial": "交易流水号|流水号",
            "credit": "交易金额|贷方发生额", "debit": "", "direction": "",
            "payer_name": "付款人名称|对方户名", "payer_account": "付款人账号|对方账号", "remark": "用途|附言|摘要"},
    "bocom": {"bank_name": "交通银行", "booked_on": "交易日期", "serial": "流水号|交易流水号",
              "credit": "贷方发生额", "debit": "借方发生额", "direction": "借贷标志",
              "payer_name": "对方户名", "payer_account": "对方账号", "remark": "摘要|附言|用途"},
}
_CREDIT_MARKS = ("贷", "收", "C", "CR", "+")


class UnreadableStatement(TranslatableError):
    """The file is not a statement this layout reads (format, encoding, header)."""


@dataclass(frozen=True)
class StatementCredit:
    row_no: int
    booked_on: date
    serial: str
    amount: Decimal
    payer_name: str
    payer_account: str
    remark: str


@dataclass(frozen=True)
class StatementDebit:
    row_no: int


@dataclass(frozen=True)
class RowError:
    row_no: int
    column: str  # the header of the offending column
    reason: str


def alternatives(value: str) -> list[str]:
    """The header texts of one layout field ("交易日期|交易时间")."""
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def _header_key(text: object) -> str:
    # Banks add spaces, full-width brackets and English ("交易日期[ Transaction Date ]"): compare the Chinese head.
    value = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(text or "")))
    return re.split(r"\[", value, maxsplit=1)[0]


def map_columns(header: list, layout: Mapping[str, str]) -> dict[str, list[int]] | None:
    """Column positions of each field in a header row, or None when a required field is missing."""
    keys = [_header_key(cell) for cell in header]
    positions: dict[str, list[int]] = {}
    for field in FIELDS:
        wanted = [_header_key(text) for text in alternatives(layout.get(field, ""))]
        found = [keys.index(text) for text in wanted if text in keys]
        if field == "remark":
            positions[field] = sorted(set(found))  # every remark-like column, joined
        elif found:
            positions[field] = [found[0]]
    if any(field not in positions for field in REQUIRED):
        return None
    return positions


def parse_amount(value: object) -> Decimal:
    """A bank's amount cell: 1,234.50, ¥1234.5, (12.00) or blank (zero); refuses text and more than two decimals."""
    if value is None or value == "":
        return Decimal("0.00")
    if isinstance(value, float):
        value = repr(value)  # openpyxl gives floats; their shortest repr is what the bank wrote
    text = normalize_text(value).replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    if text in ("", "-", "--"):
        return Decimal("0.00")
    negative = text.startswith("(") and text.endswith(")")
    try:
        amount = Decimal(text.strip("()"))
    except InvalidOperation as exc:
        raise ValueError(gettext_noop("金额格式不正确")) from exc
    if not amount.is_finite() or amount != amount.quantize(FEN):
        raise ValueError(gettext_noop("金额最多两位小数"))
    return -amount.quantize(FEN) if negative else amount.quantize(FEN)


def table_rows(stream: IO[bytes], file_name: str = "") -> Iterator[tuple[int, list]]:
    """(row number from 1, cells) of a CSV (UTF-8 or GB18030, decided on the first 64 KB) or an XLSX, streamed."""
    head = stream.read(65536)
    stream.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return _xlsx_rows(stream)
    if b"\x00" in head[:4096] or head.startswith((b"%PDF", b"\xd0\xcf\x11\xe0")):
        raise UnreadableStatement(gettext_noop("“%(name)s”不是CSV或Excel（.xlsx）文件（旧版.xls请另存为.xlsx）"),
                                  {"name": file_name or "文件"})
    encoding = "gb18030"
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        pass
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    return _csv_rows(text)


def _csv_rows(text: io.TextIOWrapper) -> Iterator[tuple[int, list]]:
    try:
        # Statements often end cells with a tab so Excel keeps long serials as text: strip it.
        for row_no, cells in enumerate(csv.reader(text), start=1):
            yield row_no, [cell.strip() for cell in cells]
    except UnicodeDecodeError as exc:
        raise UnreadableStatement(gettext_noop("CSV文件的编码无法识别，请另存为“CSV UTF-8”格式")) from exc
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list]]:
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableStatement(gettext_noop("文件已损坏，无法作为Excel（.xlsx）打开")) from exc
    try:
        for row_no, values in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield row_no, ["" if value is None else value for value in values]
    finally:
        workbook.close()


def _cell(cells: list, positions: dict[str, list[int]], field: str) -> object:
    at = positions.get(field) or []
    return cells[at[0]] if at and at[0] < len(cells) else ""


def _text(cells: list, positions: dict[str, list[int]], field: str, limit: int) -> str:
    value = _cell(cells, positions, field)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)[:limit]


def read_statement(rows: Iterator[tuple[int, list]], layout: Mapping[str, str]
                   ) -> Iterator[StatementCredit | StatementDebit | RowError]:
    """Every data row below the header as a credit, a debit or an error; blank and summary rows are skipped."""
    header: list = []
    positions = None
    for row_no, cells in rows:
        if positions is None:
            if row_no > HEADER_SEARCH_ROWS:
                break
            positions = map_columns(cells, layout)
            header = cells
            continue
        if not any(str(cell).strip() for cell in cells):
            continue
        if (row := _row(row_no, cells, positions, header)) is not None:
            yield row
    if positions is None:
        labels = "、".join(f"{FIELD_LABELS[f]}（{layout.get(f, '')}）" for f in REQUIRED)
        raise UnreadableStatement(gettext_noop("前%(rows)s行中找不到表头：需要的列为%(columns)s。请在“对账单格式”页核对该银行的列名"),
                                  {"rows": HEADER_SEARCH_ROWS, "columns": labels})


def _row(row_no: int, cells: list, positions: dict[str, list[int]], header: list
         ) -> StatementCredit | StatementDebit | RowError | None:
    def column(field: str) -> str:
        return normalize_text(header[positions[field][0]]) if positions.get(field) else FIELD_LABELS[field]

    raw_date = _cell(cells, positions, "booked_on")
    if not str(raw_date).strip() or normalize_text(raw_date).startswith(("合计", "总计", "本页", "小计")):
        return None  # a totals line at the end: neither credit, debit nor error
    try:
        credit = parse_amount(_cell(cells, positions, "credit"))
    except ValueError as exc:
        return RowError(row_no, column("credit"), str(exc))
    try:
        debit = parse_amount(_cell(cells, positions, "debit")) if positions.get("debit") else Decimal("0.00")
    except ValueError as exc:
        return RowError(row_no, column("debit"), str(exc))
    if positions.get("direction"):
        mark = _text(cells, positions, "direction", 10).upper()
        is_credit = mark.startswith(_CREDIT_MARKS)
        amount = abs(credit or debit)
    else:
        is_credit = credit > 0 and not debit
        amount = credit
    if not is_credit or amount <= 0:
        return StatementDebit(row_no)
    try:
        booked_on = parse_cell_date(raw_date)
    except ValueError as exc:
        return RowError(row_no, column("booked_on"), str(exc))
    payer_name = _text(cells, positions, "payer_name", 100)
    if not payer_name:
        return RowError(row_no, column("payer_name"), gettext_noop("收入笔的对方户名为空"))
    remark = " ".join(normalize_text(cells[i]) for i in positions.get("remark", []) if i < len(cells)
                      and normalize_text(cells[i]))
    return StatementCredit(row_no=row_no, booked_on=booked_on, serial=_text(cells, positions, "serial", 60),
                           amount=amount, payer_name=payer_name,
                           payer_account=_text(cells, positions, "payer_account", 40), remark=remark[:300])
