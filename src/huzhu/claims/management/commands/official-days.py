"""`huzhu official-days --year 2027 FILE.csv`: enter a year's holiday schedule for the review clock.

The CSV has the headers 日期,类型,名称 (类型: 休 for a public holiday, 班 for an adjusted working day),
e.g. `2027-02-06,休,春节`; the web page /claims/official-days/ takes the same file. The year's earlier
entries are replaced; open claims get new deadlines. Without FILE it lists what is entered for the year.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.claims import queries
from huzhu.claims.services import read_official_days, set_official_days
from huzhu.core.errors import DomainError


class Command(BaseCommand):
    help = "录入某年的法定节假日和调休上班日（审核时限按此计算）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("file", nargs="?", type=Path, help="CSV：日期,类型,名称（类型：休 / 班）")

    def handle(self, *args, year: int, file: Path | None, **options):
        if file is None:
            for day in queries.official_days_of(year):
                self.stdout.write(f"{day.on} {'班' if day.is_working else '休'} {day.name}")
            return
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        try:
            result = set_official_days(actor=None, year=year, days=read_official_days(content))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{year} 年：{result.holidays} 个节假日，{result.working_days} 个调休上班日；"
                          f"{result.deadlines_moved} 件在办申领的办结期限已重新计算。")
