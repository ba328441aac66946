"""`huzhu report refresh|annual|export`: rebuild the summaries, write the annual PDF, export the tables."""
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from huzhu.core.errors import NotFound
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.plans.models import PlanYear
from huzhu.reports import annual, exports, queries, services


def _scope(region: str, unit: int | None) -> Scope:
    try:
        return queries.view_scope(PROVINCE, region=region, unit=unit)
    except NotFound:
        raise CommandError(f"区划或单位不存在：{region or unit}") from None


class Command(BaseCommand):
    help = "统计报表：刷新汇总（refresh）、年度报告 PDF（annual）、导出 Excel（export）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="重建汇总表（可重复运行）")
        refresh.add_argument("--year", type=int, help="只刷新该年度（默认全部年度）")
        for name, helptext in (("annual", "生成年度报告 PDF"), ("export", "导出统计表为 Excel")):
            p = sub.add_parser(name, help=helptext)
            p.add_argument("--year", type=int, required=name == "annual", help="年度")
            p.add_argument("--out", required=True, help="输出文件")
            p.add_argument("--plan", default="", choices=["", *queries.PLAN_LABELS], help="项目（默认全部）")
            p.add_argument("--region", default="", help="盟市或旗县区划代码（默认全区）")
            p.add_argument("--unit", type=int, help="单位编号")
            if name == "export":
                p.add_argument("--table", action="append", choices=list(exports.TABLES),
                               help="只导出这些表（可重复；默认全部）")

    def handle(self, *args, action: str, **options):
        if action == "refresh":
            years = PlanYear.objects.order_by("year", "plan_id")
            if options.get("year"):
                years = years.filter(year=options["year"])
                if not years.exists():
                    raise CommandError(f"没有 {options['year']} 年度的方案")
            rows = services.refresh_summaries(actor=None, plan_years=years,
                                              progress=lambda line: sys.stderr.write(line + "\n"))
            self.stdout.write(self.style.SUCCESS(f"汇总已刷新：{rows:,} 行"))
            return
        scope = _scope(options["region"], options.get("unit"))
        out = Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"输出目录不存在：{out.parent}")
        if action == "annual":
            if not PlanYear.objects.filter(year=options["year"]).exists():
                raise CommandError(f"没有 {options['year']} 年度的方案")
            out.write_bytes(annual.render_annual_pdf(scope, year=options["year"], plan=options["plan"]))
            self.stdout.write(self.style.SUCCESS(f"年度报告已写入 {out}"))
            return
        board = queries.dashboard(scope, queries.Filters(plan=options["plan"], year=options.get("year")))
        names = options.get("table") or list(exports.TABLES)
        exports.write_workbook(out, (exports.TABLES[name](board) for name in names))
        self.stdout.write(self.style.SUCCESS(f"已导出 {len(names)} 张表到 {out}"))
