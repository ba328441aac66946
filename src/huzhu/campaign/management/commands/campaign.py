"""`huzhu campaign progress --year 2027` prints the progress table; `huzhu campaign snapshot` records a day."""
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huzhu.campaign import queries, reports, services
from huzhu.core.scopes import PROVINCE

BAD_INPUT = 2


class Command(BaseCommand):
    help = "参互推进：打印参互进度表（progress），或记录每日进度快照（snapshot）"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        progress = actions.add_parser("progress", help="打印各盟市（或某盟市各旗县）的参互进度")
        progress.add_argument("--year", type=int, required=True, help="保障年度，如 2027")
        progress.add_argument("--plan", default="hospitalization", choices=["hospitalization", "women_health"])
        progress.add_argument("--league", default="", help="盟市区划代码：列出其各旗县")
        progress.add_argument("--as-of", type=date.fromisoformat, default=None, help="截至日期（默认今天）")
        snapshot = actions.add_parser("snapshot", help="记录进度快照（同一天重复运行会覆盖当天的快照）")
        snapshot.add_argument("--year", type=int, default=None, help="默认：参互期包含当天的所有年度方案")
        snapshot.add_argument("--plan", default="hospitalization", choices=["hospitalization", "women_health"])
        snapshot.add_argument("--on", type=date.fromisoformat, default=None, help="快照日期（默认今天）")
        snapshot.add_argument("--backfill", action="store_true", help="补齐参互期开始至该日期之间缺少的每日快照")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _plan_year(self, plan: str, year: int, today: date):
        plan_year = queries.plan_year_for(plan, year, today=today)
        if plan_year is None:
            raise CommandError(f"{year}年度的 {plan} 方案不存在", returncode=BAD_INPUT)
        return plan_year

    def _progress(self, *, year: int, plan: str, league: str, as_of: date | None, **options):
        today = as_of or timezone.localdate()
        plan_year = self._plan_year(plan, year, today)
        if league and not queries.all_divisions().filter(pk=league, level="league").exists():
            raise CommandError(f"盟市区划代码 {league} 不存在", returncode=BAD_INPUT)
        rows, total = queries.progress_table(PROVINCE, plan_year, as_of=today, league_code=league)
        window = queries.window_of(plan_year)
        self.stdout.write(f"{plan_year} 参互进度（截至 {today:%Y-%m-%d}；参互期 {window.opens_on:%Y-%m-%d} 至 "
                          f"{window.closes_on:%Y-%m-%d}，剩余 {window.days_left(today)} 天）")
        cells = [reports.progress_cells(r) for r in [*rows, total]]
        self.stdout.write(reports.text_table(reports.PROGRESS_HEADERS, cells))
        if any(r.target_is_default for r in rows):
            self.stdout.write("* 未下达目标，按“稳中有增”以上年实际为目标")

    def _snapshot(self, *, year: int | None, plan: str, on: date | None, backfill: bool, **options):
        today = on or timezone.localdate()
        if year is None and not backfill:
            done = services.snapshot_open_campaigns(actor=None, today=today)
            for plan_year, rows in done:
                self.stdout.write(f"{plan_year}：{today:%Y-%m-%d} 快照 {rows} 行")
            if not done:
                self.stdout.write(f"{today:%Y-%m-%d} 没有处于参互期的年度方案，未记录快照")
            return
        if year is None:
            raise CommandError("--backfill 需要同时指定 --year", returncode=BAD_INPUT)
        plan_year = self._plan_year(plan, year, today)
        window = queries.window_of(plan_year)
        days = [today]
        if backfill:
            last = min(today, window.closes_on)
            days = [window.opens_on + timedelta(days=n) for n in range((last - window.opens_on).days + 1)]
        total = sum(services.take_snapshot(actor=None, plan_year=plan_year, on=day) for day in days)
        self.stdout.write(f"{plan_year}：{len(days)} 天快照，共 {total} 行")
