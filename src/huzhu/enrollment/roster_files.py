"""Roster files: recognise the type, stream rows from XLSX or CSV, write the template and error report.

Reading is streaming (openpyxl read-only mode, the csv module) so memory stays flat for a
million rows; every problem with the file as a whole is a RosterFileProblem in Chinese.
"""
import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from huzhu.core.spreadsheets import xlsx_row

from .rules import REQUIRED_COLUMNS, TEMPLATE_COLUMNS, HeaderProblem, RowError, map_header

MAX_FILE_BYTES = 200 * 1024 * 1024
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class RosterFileProblem(ValueError):
    """The file as a whole cannot be read as a roster."""


def sniff(path: Path, file_name: str = "") -> str:
    """'xlsx' or 'csv' from the content (not the name); RosterFileProblem otherwise."""
    size = path.stat().st_size
    if size == 0:
        raise RosterFileProblem("文件是空的（0字节），请选择填好的名册文件")
    if size > MAX_FILE_BYTES:
        raise RosterFileProblem(f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB，请拆分后分批导入")
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(_XLS_MAGIC):
        raise RosterFileProblem("这是旧版Excel（.xls）文件，请在Excel中“另存为”.xlsx格式后再导入")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise RosterFileProblem("文件已损坏，无法作为Excel（.xlsx）打开") from exc
        if "xl/workbook.xml" not in names:
            raise RosterFileProblem("文件是压缩包而不是Excel（.xlsx）表格，请上传.xlsx或.csv名册")
        return "xlsx"
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")):
        raise RosterFileProblem(f"“{file_name or path.name}”不是Excel（.xlsx）或CSV文件，可能只是改了扩展名")
    _text_encoding(head)
    return "csv"


def _text_encoding(head: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise RosterFileProblem("CSV文件的编码无法识别，请另存为“CSV UTF-8”格式")


class RosterReader:
    """Header positions, an estimated row count, and the data rows as (row number, cells)."""

    def __init__(self, header: dict[str, int], rows: Iterator[tuple[int, list]], total: int):
        self.header = header
        self._rows = rows
        self.total = total

    def rows(self, skip: int = 0) -> Iterator[tuple[int, dict[str, object]]]:
        """Non-empty data rows; `skip` leaves out that many (to resume a job)."""
        names = tuple(self.header)
        positions = tuple(self.header.values())
        width = max(positions) + 1
        pick = itemgetter(*positions) if len(positions) > 1 else lambda values: (values[positions[0]],)
        seen = 0
        for row_no, values in self._rows:
            for value in values:  # blank rows are skipped; most rows stop at their first cell
                if value is not None and (not isinstance(value, str) or value.strip()):
                    break
            else:
                continue
            seen += 1
            if seen <= skip:
                continue
            if len(values) < width:
                values = list(values) + [None] * (width - len(values))
            yield row_no, dict(zip(names, pick(values)))


@contextmanager
def open_roster(path: Path, file_name: str = ""):
    """Open a roster file for streaming; raises RosterFileProblem for a bad file."""
    kind = sniff(path, file_name)
    if kind == "xlsx":
        with _open_xlsx(path) as reader:
            yield reader
    else:
        with _open_csv(path) as reader:
            yield reader


def _merged_cells(path: Path, sheet_xml: str) -> str | None:
    """The first merged range of a sheet, found by scanning its XML in chunks (read-only mode hides them)."""
    pattern = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')
    with zipfile.ZipFile(path) as archive, archive.open(sheet_xml) as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            match = pattern.search(tail + chunk)
            if match:
                return match[1].decode()
            tail = chunk[-200:]
    return None


def _first_sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        sheets = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise RosterFileProblem("Excel文件中没有工作表")
    return sheets[0]


@contextmanager
def _open_xlsx(path: Path):
    handle = path.open("rb")  # a file object: openpyxl would judge a path by its extension
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        handle.close()
        raise RosterFileProblem("Excel文件无法打开（可能已损坏或被加密），请重新保存后再试") from exc
    try:
        sheet = workbook.worksheets[0]
        merged = _merged_cells(path, _first_sheet_xml(path))
        if merged:
            raise RosterFileProblem(f"表格中有合并单元格（{merged}），请取消合并、每行填一名职工后再导入")
        rows = sheet.iter_rows(values_only=True)
        numbered = ((i, list(values)) for i, values in enumerate(rows, start=1))
        header = _header(numbered)
        total = max(0, (sheet.max_row or 0) - 1)
        yield RosterReader(header, numbered, total)
    finally:
        workbook.close()
        handle.close()


@contextmanager
def _open_csv(path: Path):
    with path.open("rb") as raw:
        encoding = _text_encoding(raw.read(8192))
    total = max(0, _count_lines(path) - 1)
    with path.open(encoding=encoding, newline="", errors="strict") as handle:
        try:
            rows = csv.reader(handle)
            numbered = ((i, values) for i, values in enumerate(rows, start=1))
            header = _header(numbered)
            yield RosterReader(header, _decode_errors(numbered), total)
        except UnicodeDecodeError as exc:
            raise RosterFileProblem("CSV文件中有无法识别的字符，请另存为“CSV UTF-8”格式") from exc
        except csv.Error as exc:
            raise RosterFileProblem(f"CSV格式错误：{exc}") from exc


def _decode_errors(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise RosterFileProblem("CSV文件中有无法识别的字符，请另存为“CSV UTF-8”格式") from exc


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
    return count


def _header(rows: Iterator[tuple[int, list]]) -> dict[str, int]:
    for _row_no, values in rows:
        if any(v not in (None, "") for v in values):
            try:
                return map_header(values)
            except HeaderProblem as exc:
                raise RosterFileProblem(str(exc)) from exc
    raise RosterFileProblem("文件中没有内容（没有表头，也没有数据行）")


# --- files we write -----------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FDE8E7")


def template_xlsx() -> bytes:
    """The roster template: Chinese headers, an example row, ID and phone columns formatted as text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    sheet.append(list(TEMPLATE_COLUMNS))
    for cell in sheet[1]:
        cell.font = _HEADER_FONT
        if cell.value in REQUIRED_COLUMNS:
            cell.fill = _REQUIRED_FILL
    sheet.append(["张三", "150203198503020011", "13900000000", "在职职工", "2020-01-01", "汉族", "示例行，导入前请删除"])
    for letter, width in zip("ABCDEFG", (12, 22, 15, 18, 12, 8, 24), strict=True):
        sheet.column_dimensions[letter].width = width
        for row in range(2, 2001):
            if letter in "BC":
                sheet[f"{letter}{row}"].number_format = "@"
    notes = workbook.create_sheet("填写说明")
    for line in ("姓名、身份证号必填；身份证号请按文本填写（18位，末位可为X）。",
                 "人员类别：在职职工 或 新就业形态劳动者，不填按在职职工。",
                 "入职日期写成2020-01-01；手机号为11位。",
                 "不要合并单元格，不要使用公式，每行填一名职工。"):
        notes.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    """The roster template as UTF-8 CSV (with BOM, so Excel shows the Chinese headers)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_COLUMNS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def error_report_xlsx(errors: Iterable[RowError]) -> bytes:
    """One line per bad row: row number, name, masked ID number, field and reason (streamed)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("错误明细")
    sheet.append(["行号", "姓名", "身份证号（脱敏）", "出错字段", "原因"])
    for error in errors:
        sheet.append(xlsx_row(sheet, [error.row_no, error.name, error.masked, error.field, error.reason]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
