"""The State Council's holiday schedule for the review clock: read the association's CSV (the command and
the web page share it), enter a year, and open claims get new deadlines."""
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor
from huzhu.core.errors import ValidationFailed
from huzhu.core.spreadsheets import csv_row
from huzhu.plans.terms import PlanYearTerms

from .. import review_clock, workflow
from ..models import Claim, OfficialDay

# The file format: the headers, and 类型 休 (a public holiday) or 班 (an adjusted working day, 调休上班).
HEADERS = ("日期", "类型", "名称")
KINDS = {"休": False, "班": True}
MAX_FILE_BYTES = 64 * 1024  # a year's schedule is a few dozen lines
NAME_LENGTH: int = OfficialDay._meta.get_field("name").max_length  # type: ignore[assignment]  # a CharField has one
# 2027-02-06; also 2027/2/6, the way Excel writes a date back into a CSV.
DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


class ScheduleDay(NamedTuple):
    """One entered day; `row` is its line in the CSV (the header is line 1) when it came from a file."""

    on: date
    is_working: bool
    name: str = ""
    row: int | None = None


@dataclass(frozen=True)
class ScheduleResult:
    year: int
    holidays: int
    working_days: int
    deadlines_moved: int


def schedule_template_csv() -> bytes:
    """The empty CSV to fill in: the headers, UTF-8 with a BOM so that Excel shows them in Chinese."""
    return ("\ufeff" + ",".join(HEADERS) + "\r\n").encode("utf-8")


def schedule_csv(days: Iterable[OfficialDay]) -> bytes:
    """Entered days in the upload format, to change and enter again (an upload replaces the whole year)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(csv_row((day.on.isoformat(), "班" if day.is_working else "休", day.name)) for day in days)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _refused(code: str, reason: str, *, row: int | None, field: str | None = None) -> ValidationFailed:
    """The error for one line of the file: its row and column first, so the user finds it at once."""
    if row is None:
        message = reason
    elif field is None:
        message = _("第 %(row)s 行：%(reason)s") % {"row": row, "reason": reason}
    else:
        message = _("第 %(row)s 行“%(field)s”：%(reason)s") % {"row": row, "field": field, "reason": reason}
    return ValidationFailed(code, message, field="on", row=row)


def read_official_days(content: bytes) -> list[ScheduleDay]:
    """The days of a schedule CSV (UTF-8 or GB18030, headers 日期,类型,名称); refuses the first bad line naming its row,
    column and reason. Whether the days fit the year is checked by `set_official_days`."""
    if len(content) > MAX_FILE_BYTES:
        raise ValidationFailed("file_too_large", _("文件过大：一年的节假日安排只有几十行，请检查是否选错了文件"))
    text = _decoded(content)
    if not text.strip():
        raise ValidationFailed("empty_file", _("文件是空的：请下载模板，填写表头下面的日期后再上传"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise _refused("bad_csv", _("不是有效的 CSV：%(problem)s") % {"problem": exc}, row=reader.line_num) from None
    header = tuple(cell.strip() for cell in rows[0][:len(HEADERS)])
    if header != HEADERS:
        raise _refused("wrong_headers", _("表头应为“%(expected)s”，文件中是“%(found)s”") % {
            "expected": ",".join(HEADERS), "found": ",".join(cell.strip() for cell in rows[0])}, row=1)
    days = [_read_row(number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    if not days:
        raise ValidationFailed("no_days", _("文件只有表头，没有日期：请在表头下面每行填写一天"))
    return days


def _decoded(content: bytes) -> str:
    """The file's text: UTF-8, or GB18030 as Excel's plain "CSV" saves it on Chinese Windows.

    The Chinese headers tell the encoding: a file whose header line is UTF-8 but a later line is
    not was put together from two sources, and that line is named.
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = content[:exc.start].count(b"\n") + 1
        if row > 1:
            raise _refused("not_utf8", _("这一行不是 UTF-8 编码，与表头不同。请在 Excel 中“另存为”，"
                                         "文件类型选“CSV UTF-8（逗号分隔）”"), row=row) from None
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise ValidationFailed("unknown_encoding", _("文件的编码无法识别。请在 Excel 中“另存为”，"
                                                     "文件类型选“CSV UTF-8（逗号分隔）”")) from None


def _read_row(number: int, row: list[str]) -> ScheduleDay:
    cells = [cell.strip() for cell in row] + ["", "", ""]
    written, kind, name = cells[:3]
    match = DATE.fullmatch(written)
    try:
        on = date(int(match[1]), int(match[2]), int(match[3])) if match else None
    except ValueError:
        on = None
    if on is None:
        raise _refused("bad_date", _("“%(text)s”不是日期，请写成 2027-02-06 这样的格式") % {"text": written},
                       row=number, field=HEADERS[0])
    if kind not in KINDS:
        raise _refused("bad_kind", _("应为“休”（放假）或“班”（调休上班），而不是“%(text)s”") % {"text": kind},
                       row=number, field=HEADERS[1])
    if len(name) > NAME_LENGTH:
        raise _refused("name_too_long", _("名称不能超过 %(count)s 个字") % {"count": NAME_LENGTH},
                       row=number, field=HEADERS[2])
    return ScheduleDay(on, KINDS[kind], name, number)


def _check_days(year: int, days: list[ScheduleDay]) -> None:
    """Refuse the first day (in the order given) outside the year, a 班 on a weekday, or a day entered twice.

    A 休 on a weekend changes nothing but is accepted: the State Council's notice lists holidays as
    runs of days (春节 2月6日至12日), and a clerk copying it should not have to leave out the weekend.
    """
    seen: dict[date, ScheduleDay] = {}
    for day in days:
        if day.on.year != year:
            raise _refused("day_outside_year", _("%(day)s 不在 %(year)s 年内") % {"day": day.on, "year": year},
                           row=day.row, field=HEADERS[0])
        if day.is_working and day.on.weekday() < 5:
            raise _refused("day_not_an_exception",
                           _("%(day)s 是周一至周五，本来就上班：“班”只用于周末调休上班的日子") % {"day": day.on},
                           row=day.row, field=HEADERS[0])
        if day.on in seen:
            first = seen[day.on].row
            reason = (_("%(day)s 与第 %(first)s 行重复") % {"day": day.on, "first": first} if first is not None
                      else _("%(day)s 录入了两次") % {"day": day.on})
            raise _refused("day_repeated", reason, row=day.row, field=HEADERS[0])
        seen[day.on] = day


def _described(days: Iterable[tuple[date, bool, str]]) -> list[str]:
    """Days as the audit log shows them: `2027-02-06 休 春节`."""
    return [f"{on} {'班' if is_working else '休'} {name}".rstrip() for on, is_working, name in days]


@transaction.atomic
def set_official_days(*, actor: Actor, year: int, days: Iterable[ScheduleDay | tuple[date, bool, str]]) -> ScheduleResult:
    """Replace the year's entered schedule with `days` (date, is_working, name) and move the deadlines of
    open claims whose documents were complete from the year before on (a deadline can run into the year)."""
    days = list[ScheduleDay](ScheduleDay(*day) for day in days)
    _check_days(year, days)
    days.sort()
    earlier = OfficialDay.objects.filter(on__year=year)
    before = _described(earlier.values_list("on", "is_working", "name"))
    earlier.delete()
    OfficialDay.objects.bulk_create([OfficialDay(on=day.on, is_working=day.is_working, name=day.name) for day in days])
    review_clock.forget_entered_days()
    transaction.on_commit(review_clock.forget_entered_days)
    moved = _move_deadlines(since=date(year - 1, 1, 1))
    holidays = sum(1 for day in days if not day.is_working)
    record_event(actor=actor, action="claims.official_days_set", object_type="official_days", object_id=year,
                 before={"days": before},
                 after={"days": _described(day[:3] for day in days), "holidays": holidays,
                        "working_days": len(days) - holidays, "deadlines_moved": moved})
    return ScheduleResult(year, holidays, len(days) - holidays, moved)


def _move_deadlines(*, since: date) -> int:
    """Recompute due_on of open claims with complete documents since `since`; how many changed."""
    claims = list(Claim.objects.filter(status__in=workflow.OPEN_STATUSES, documents_complete_on__gte=since,
                                       due_on__isnull=False)
                  .select_related("plan_year__current_version"))
    terms_of: dict[int, PlanYearTerms] = {}
    due_of: dict[tuple, date] = {}  # open claims share few distinct deadlines: count each once
    changed = []
    for claim in claims:
        terms = terms_of.setdefault(claim.plan_year_id, claim.plan_year.terms)
        key = (claim.documents_complete_on, terms.review_days_simple, terms.review_days_complex, claim.complex_case)
        if key not in due_of:
            due_of[key] = review_clock.due_on(key[0],  # type: ignore[arg-type]  # filtered: documents are complete
                                               simple_days=key[1], complex_days=key[2], complex_case=key[3])
        due = due_of[key]
        if due != claim.due_on:
            claim.due_on = due
            changed.append(claim)
    Claim.objects.bulk_update(changed, ["due_on"], batch_size=1000)
    return len(changed)
