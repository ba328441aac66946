"""`huzhu risk scan --year 2026`: re-run every risk check over a plan year in bulk (safe to repeat)."""
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from huzhu.risk import rules, services


class Command(BaseCommand):
    help = "风险防控：按年度批量重新运行全部风险检查（scan）；可重复运行，结果替换上次未核实的提示"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        scan = actions.add_parser("scan", help="批量检查某保障年度的全部申领")
        scan.add_argument("--year", type=int, required=True, help="保障年度，如 2026")
        scan.add_argument("--chunk", type=int, default=50_000, help="每批申领数（默认 50000）")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _scan(self, *, year: int, chunk: int, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度 {year} 不正确", returncode=2)
        if chunk < 1:
            raise CommandError("--chunk 应为正整数", returncode=2)
        started = time.perf_counter()

        def progress(done: int, total: int, findings: int) -> None:
            share = done / total if total else 1
            sys.stderr.write(f"\r已检查 {done:,}/{total:,} 件申领（{share:.0%}），风险提示 {findings:,} 条")
            sys.stderr.flush()

        summary = services.scan_year(actor=None, year=year, chunk=chunk, progress=progress)
        sys.stderr.write("\n")
        self.stdout.write(f"{year} 年度：检查申领 {summary.claims:,} 件，风险提示 {summary.findings:,} 条，"
                          f"用时 {time.perf_counter() - started:.1f} 秒")
        for code, label in rules.CHECK_LABELS.items():
            if summary.by_code.get(code):
                self.stdout.write(f"  {label}（{code}）：{summary.by_code[code]:,}")
