"""Roster files: recognise the type, stream rows from XLSX or CSV, write the template and error report.

Reading is streaming (openpyxl read-only mode, the csv module) so memory stays flat for a
million rows; every problem with the file as a whole is a RosterFileProblem in Chinese.

An XLSX file is a zip of XML parts, and a small one can ask for unbounded work: members that
inflate a thousandfold, a sheet that declares A1:XFD1048576, a styles or shared-strings part
that openpyxl holds in memory whole, an entity that expands a billion times. So before anything
parses it, the archive's members (sizes, compression ratio, DOCTYPE) and the sheet's real rows
and cells (a byte scan) are checked against the bounds below, and rows are then read as the
sheet has them, never padded to a declared size.
"""
import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._reader import WorkSheetParser

from huzhu.core.spreadsheets import xlsx_row

from .rules import REQUIRED_COLUMNS, TEMPLATE_COLUMNS, HeaderProblem, RowError, map_header

MAX_FILE_BYTES = 200 * 1024 * 1024
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Bounds of one roster workbook; each can be set in settings as HUZHU_ROSTER_<NAME>. A roster is
# at most a million people of a few columns; the rest is room for notes columns and formatting.
LIMITS = {
    "MAX_ROWS": 1_000_000,  # rows of the sheet (XML rows, formatted empty ones included), header too
    "MAX_COLUMNS": 50,  # the last column that may hold a value
    "MAX_CELLS": 20_000_000,  # cells of all sheets (XML cells, formatted empty ones included)
    "MAX_UNCOMPRESSED_BYTES": 1024 * 1024 * 1024,  # all members inflated
    "MAX_COMPRESSION_RATIO": 100,  # for members over 1 MB; Excel's own XML compresses 5-20 times
    "MAX_SHARED_STRINGS_BYTES": 256 * 1024 * 1024,  # openpyxl holds the shared strings in memory
    "MAX_STYLES_BYTES": 2 * 1024 * 1024,  # and builds every style: about 20,000 formats
    "MAX_MEMBERS": 1000,
    "MAX_SHEETS": 50,
}
_RATIO_FLOOR_BYTES = 1024 * 1024
# Sheets of our own template that are not roster data (roster_files.template_xlsx).
_TEMPLATE_NOTES_SHEETS = {"填写说明"}


def limit(name: str) -> int:
    return int(getattr(settings, f"HUZHU_ROSTER_{name}", LIMITS[name]))


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
        check_archive(path)
        return "xlsx"
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8")):
        raise RosterFileProblem(f"“{file_name or path.name}”不是Excel（.xlsx）或CSV文件，可能只是改了扩展名")
    _text_encoding(head)
    return "csv"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f}MB"


def check_archive(path: Path) -> None:
    """Refuse a workbook whose zip members inflate past the bounds, or whose XML declares a DOCTYPE.

    Only the central directory is read, then the first bytes of each XML part: nothing is parsed.
    Python's zipfile never inflates a member past its declared size, so the sizes are a real bound.
    """
    refuse = _("Excel文件超出导入限制：%(reason)s。请把名册复制到新建的工作簿（只粘贴数值）后再导入")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > limit("MAX_MEMBERS"):
                raise RosterFileProblem(refuse % {"reason": _("压缩包内有%(count)s个部件") % {"count": len(members)}})
            total = 0
            for member in members:
                if member.flag_bits & 0x1:
                    raise RosterFileProblem(_("Excel文件已加密，请取消密码保护后再导入"))
                total += member.file_size
                _check_member_size(member, refuse)
            if total > limit("MAX_UNCOMPRESSED_BYTES"):
                raise RosterFileProblem(refuse % {"reason": _("解压后共%(size)s，超过上限%(limit)s") % {
                    "size": _megabytes(total), "limit": _megabytes(limit("MAX_UNCOMPRESSED_BYTES"))}})
            for member in members:
                if not member.is_dir() and _declares_doctype(archive, member):
                    raise RosterFileProblem(_("Excel文件中的“%(part)s”含有文档类型声明（DOCTYPE），"
                                              "正常的Excel文件不会有，可能是恶意构造的文件，已拒绝导入")
                                            % {"part": member.filename})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise RosterFileProblem(_("文件已损坏，无法作为Excel（.xlsx）打开")) from exc


def _check_member_size(member: zipfile.ZipInfo, refuse: str) -> None:
    name = member.filename.lower()
    for suffix, bound, what in (("sharedstrings.xml", "MAX_SHARED_STRINGS_BYTES", _("共享字符串表")),
                                ("styles.xml", "MAX_STYLES_BYTES", _("样式表"))):
        if name.endswith(suffix) and member.file_size > limit(bound):
            raise RosterFileProblem(refuse % {"reason": _("%(what)s解压后%(size)s，超过上限%(limit)s") % {
                "what": what, "size": _megabytes(member.file_size), "limit": _megabytes(limit(bound))}})
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > _RATIO_FLOOR_BYTES and ratio > limit("MAX_COMPRESSION_RATIO"):
        raise RosterFileProblem(refuse % {"reason": _("“%(part)s”压缩比为%(ratio)s倍（解压后%(size)s），"
                                                      "远超正常表格") % {
            "part": member.filename, "ratio": f"{ratio:,.0f}", "size": _megabytes(member.file_size)}})


_PROLOGUE_BYTES = 64 * 1024


def _declares_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Whether an XML part has a DOCTYPE (entities, external references) before its root element.

    A DOCTYPE can only stand in the prologue, so the first bytes tell. A part that is not XML
    (a picture) is skipped; an XML part whose prologue does not end in 64 KiB counts as declaring.
    """
    with archive.open(member) as handle:
        head = handle.read(_PROLOGUE_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head.startswith(b"<"):
        return False
    position = 0
    while True:
        position = head.find(b"<", position)
        if position < 0 or position + 1 >= len(head):
            return len(head) >= _PROLOGUE_BYTES - 4  # prologue runs past what we read
        marker = head[position + 1:position + 2]
        if marker == b"?":  # declaration or processing instruction
            end = head.find(b"?>", position)
        elif head.startswith(b"<!--", position):
            end = head.find(b"-->", position)
        elif marker == b"!":  # <!DOCTYPE (any case) and anything else of DTD kind
            return True
        else:  # the root element: the prologue is over
            return False
        if end < 0:
            return True
        position = end + 2


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

    def __init__(self, header: dict[str, int], rows: Iterator[tuple[int, list]], total: int,
                 warnings: list[str] | None = None):
        self.header = header
        self._rows = rows
        self.total = total
        self.warnings = warnings or []

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


HeaderMap = Callable[[Iterable[object]], dict[str, int]]


@contextmanager
def open_roster(path: Path, file_name: str = "", *, header: HeaderMap = map_header):
    """Open a roster file for streaming; raises RosterFileProblem for a bad file.

    `header` maps the header row to column positions (raising HeaderProblem or RosterFileProblem):
    the roster's by default; another tabular feed (the medical-insurance settlements) passes its own.
    """
    kind = sniff(path, file_name)
    if kind == "xlsx":
        with _open_xlsx(path, header) as reader:
            yield reader
    else:
        with _open_csv(path, header) as reader:
            yield reader


_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')
_DIMENSION = re.compile(rb"<(?:\w+:)?(dimension|sheetData)[\s>/]")
# openpyxl parses a sheet that has no <dimension> whole to size it, keeping every cell's element.
_UNSIZED_MAX_CELLS = 200_000


class SheetScan:
    """A sheet's real size, counted in its XML bytes before any parser sees them."""

    def __init__(self, part: str):
        self.part, self.rows, self.cells, self.merged, self.sized = part, 0, 0, None, None


def _scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetScan:
    scan = SheetScan(part)
    with archive.open(part) as handle:
        carry = b""
        while chunk := handle.read(1 << 20):
            buffer = carry + chunk
            cut = buffer.rfind(b"<")  # every tag starts with "<": none is cut in two
            if cut < 0:
                carry = b""
                continue
            scan_bytes, carry = buffer[:cut], buffer[cut:]
            _count(scan, scan_bytes)
        _count(scan, carry)
    return scan


def _count(scan: SheetScan, data: bytes) -> None:
    scan.rows += len(_ROW.findall(data))
    scan.cells += len(_CELL.findall(data))
    if scan.sized is None and (found := _DIMENSION.search(data)):
        scan.sized = found[1] == b"dimension"
    if scan.merged is None and (found := _MERGED.search(data)):
        scan.merged = found[1].decode()


def _check_scans(first: SheetScan, title: str, scans: list[SheetScan]) -> None:
    refuse = _("Excel文件超出导入限制：%(reason)s。请把名册复制到新建的工作簿（只粘贴数值）后再导入")
    if first.rows > limit("MAX_ROWS"):
        raise RosterFileProblem(refuse % {"reason": _(
            "工作表“%(sheet)s”有%(rows)s行（设置了格式的空行也算），一次最多导入%(limit)s行，请删除多余的行或拆分成多个文件")
            % {"sheet": title, "rows": f"{first.rows:,}", "limit": f"{limit('MAX_ROWS'):,}"}})
    cells = sum(scan.cells for scan in scans)
    if cells > limit("MAX_CELLS"):
        raise RosterFileProblem(refuse % {"reason": _(
            "共有%(cells)s个单元格（设置了格式的空单元格也算），上限为%(limit)s个")
            % {"cells": f"{cells:,}", "limit": f"{limit('MAX_CELLS'):,}"}})
    for scan in scans:
        if not scan.sized and scan.cells > _UNSIZED_MAX_CELLS:
            raise RosterFileProblem(_("Excel文件的工作表缺少尺寸信息，且有%(cells)s个单元格，无法安全读取；"
                                      "请用Excel或WPS打开后重新保存再导入") % {"cells": f"{scan.cells:,}"})
    if first.merged:
        raise RosterFileProblem(f"表格中有合并单元格（{first.merged}），请取消合并、每行填一名职工后再导入")


_UNREADABLE = (ParseError, zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError, AttributeError,
               EOFError, OSError, zlib.error)


def _sheet_rows(workbook, sheet) -> Iterator[tuple[int, list]]:
    """(row number, values) of the rows the sheet really has, never padded to its declared size.

    openpyxl's read-only rows are padded to the declared dimension (A1:XFD1048576 makes 17
    billion cells), so rows come from its sheet parser directly (openpyxl 3.1, pinned).
    """
    width = limit("MAX_COLUMNS")
    try:
        with workbook._archive.open(sheet._worksheet_path) as source:
            parser = WorkSheetParser(source, sheet._shared_strings, data_only=False, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats,
                                     timedelta_formats=workbook._timedelta_formats)
            for row_no, cells in parser.parse():
                values: list = [None] * width
                for cell in cells:
                    column = cell["column"]
                    if column <= width:
                        values[column - 1] = cell["value"]
                    elif cell["value"] not in (None, ""):
                        raise RosterFileProblem(_(
                            "工作表“%(sheet)s”的%(cell)s单元格有内容：名册最多%(limit)s列（到%(last)s列），"
                            "请删除多余的列后再导入") % {"sheet": sheet.title, "cell": f"{get_column_letter(column)}{row_no}",
                                                "limit": width, "last": get_column_letter(width)})
                yield row_no, values
    except RosterFileProblem:
        raise
    except _UNREADABLE as exc:
        raise RosterFileProblem(_("Excel文件的内容无法读取（文件可能已损坏），请用Excel另存为后再导入")) from exc


def _other_sheets(workbook, first, others, header: HeaderMap = map_header) -> list[str]:
    """A warning for each other sheet with content; a refusal for one that holds a roster too."""
    warnings = []
    for sheet in others:
        for _row_no, values in _sheet_rows(workbook, sheet):
            if all(value in (None, "") for value in values):
                continue
            try:
                header(values)
            except (HeaderProblem, RosterFileProblem):
                if sheet.title not in _TEMPLATE_NOTES_SHEETS:
                    warnings.append(_("只导入了第一个工作表“%(first)s”，工作表“%(sheet)s”中的内容未导入")
                                    % {"first": first.title, "sheet": sheet.title})
            else:
                raise RosterFileProblem(_(
                    "工作表“%(sheet)s”中也有名册：一次只导入第一个工作表“%(first)s”。请把名单合并到第一个工作表，"
                    "或把每个工作表另存为单独的文件分别导入") % {"sheet": sheet.title, "first": first.title})
            break
    return warnings


@contextmanager
def _open_xlsx(path: Path, header_map: HeaderMap = map_header):
    handle = path.open("rb")  # a file object: openpyxl would judge a path by its extension
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
    except (InvalidFileException, *_UNREADABLE) as exc:
        handle.close()
        raise RosterFileProblem("Excel文件无法打开（可能已损坏或被加密），请重新保存后再试") from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise RosterFileProblem("Excel文件中没有工作表")
        if len(sheets) > limit("MAX_SHEETS"):
            raise RosterFileProblem(_("Excel文件有%(count)s个工作表，名册文件最多%(limit)s个")
                                    % {"count": len(sheets), "limit": limit("MAX_SHEETS")})
        try:
            scans = [_scan_sheet(workbook._archive, sheet._worksheet_path.lstrip("/")) for sheet in sheets]
        except _UNREADABLE as exc:
            raise RosterFileProblem(_("Excel文件的内容无法读取（文件可能已损坏），请用Excel另存为后再导入")) from exc
        first = sheets[0]
        _check_scans(scans[0], first.title, scans)
        warnings = _other_sheets(workbook, first, sheets[1:], header_map)
        numbered = _sheet_rows(workbook, first)
        header = _header(numbered, header_map)
        yield RosterReader(header, numbered, max(0, scans[0].rows - 1), warnings)
    finally:
        workbook.close()
        handle.close()


@contextmanager
def _open_csv(path: Path, header_map: HeaderMap = map_header):
    with path.open("rb") as raw:
        encoding = _text_encoding(raw.read(8192))
    total = max(0, _count_lines(path) - 1)
    with path.open(encoding=encoding, newline="", errors="strict") as handle:
        try:
            rows = csv.reader(handle)
            numbered = ((i, values) for i, values in enumerate(rows, start=1))
            header = _header(numbered, header_map)
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


def _header(rows: Iterator[tuple[int, list]], header_map: HeaderMap = map_header) -> dict[str, int]:
    for _row_no, values in rows:
        if any(v not in (None, "") for v in values):
            try:
                return header_map(values)
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
    sheet.append(["张三", "150203198503020011", "13900000000", "在职职工", "2020-01-01", "汉族", "示例行，导入前请删除",
                  "是"])
    for letter, width in zip("ABCDEFGH", (12, 22, 15, 18, 12, 8, 24, 18), strict=True):
        sheet.column_dimensions[letter].width = width
        for row in range(2, 2001):
            if letter in "BC":
                sheet[f"{letter}{row}"].number_format = "@"
    notes = workbook.create_sheet("填写说明")
    for line in ("姓名、身份证号必填；身份证号请按文本填写（18位，末位可为X）。",
                 "人员类别：在职职工 或 新就业形态劳动者，不填按在职职工。",
                 "入职日期写成2020-01-01；手机号为11位。",
                 "同意医保数据比对（可不填）：职工同意用医保结算数据免申即享互助补助金的填“是”，不同意的填“否”"
                 "（也可填1/0、Y/N）；不填则不改变其现有授权。填“否”会撤回本单位此前为其登记的授权，"
                 "职工本人或代办点登记的授权不受影响。",
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
