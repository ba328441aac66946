"""`huzhu official-days --year 2027 FILE.csv`: enter a year's holiday schedule for the review clock.

The CSV has the headers 日期,类型,名称 (类型: 休 for a public holiday, 班 for an adjusted working day),
e.g. `2027-02-06,休,春节`. The year's earlier entries are replaced; open claims get new deadlines.
Without FILE it lists what is entered for the year.
"""
import csv
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.claims.models import OfficialDay
from huzhu.claims.services import set_official_days
from huzhu.core.errors import DomainError

HEADERS = ("日期", "类型", "名称")
KINDS = {"休": False, "班": True}


def read_schedule(path: Path) -> list[tuple[date, bool, str]]:
    """The file's rows; a CommandError naming the row and field for anything it cannot read."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"无法读取 {path}：{exc}") from exc
    if not rows or tuple(cell.strip() for cell in rows[0][:3]) != HEADERS:
        raise CommandError(f"第 1 行应为表头：{','.join(HEADERS)}")
    days = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = [cell.strip() for cell in row] + ["", "", ""]
        try:
            on = date.fromisoformat(cells[0])
        except ValueError:
            raise CommandError(f"第 {number} 行“日期”：{cells[0]!r} 不是 YYYY-MM-DD 格式的日期") from None
        if cells[1] not in KINDS:
            raise CommandError(f"第 {number} 行“类型”：应为“休”或“班”，而不是 {cells[1]!r}")
        days.append((on, KINDS[cells[1]], cells[2][:30]))
    return days


class Command(BaseCommand):
    help = "录入某年的法定节假日和调休上班日（审核时限按此计算）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("file", nargs="?", type=Path, help="CSV：日期,类型,名称（类型：休 / 班）")

    def handle(self, *args, year: int, file: Path | None, **options):
        if file is None:
            for day in OfficialDay.objects.filter(on__year=year):
                self.stdout.write(f"{day.on} {'班' if day.is_working else '休'} {day.name}")
            return
        try:
            result = set_official_days(actor=None, year=year, days=read_schedule(file))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{year} 年：{result.holidays} 个节假日，{result.working_days} 个调休上班日；"
                          f"{result.deadlines_moved} 件在办申领的办结期限已重新计算。")
