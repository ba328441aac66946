"""`huzhu import-roster FILE --unit CODE --year 2026 --plan hospitalization [--valid-only]`."""
import sys
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from huzhu.core.errors import DomainError
from huzhu.core.idnumbers import normalize
from huzhu.core.scopes import PROVINCE
from huzhu.enrollment import queries, services
from huzhu.enrollment.models import Enrollment, ImportJob
from huzhu.members.models import MemberUnit
from huzhu.plans.queries import plan_year as find_plan_year

BAD_INPUT = 2


class Command(BaseCommand):
    help = "导入单位参互名册（XLSX 或 CSV）：校验每一行，全部正确才导入，或用 --valid-only 只导入正确的行"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="单位的统一社会信用代码")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--plan", required=True, choices=["hospitalization", "women_health"])
        parser.add_argument("--valid-only", action="store_true", help="只导入正确的行（默认：有错误行则不导入）")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="办理日期（默认今天），用于补录")

    def handle(self, *args, file: Path, unit: str, year: int, plan: str, valid_only: bool, as_of, **options):
        today = as_of or timezone.localdate()
        if not file.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=BAD_INPUT)
        member_unit = MemberUnit.objects.filter(credit_code=normalize(unit)).first()
        if member_unit is None:
            raise CommandError(f"统一社会信用代码为 {unit} 的单位不存在", returncode=BAD_INPUT)
        plan_year = find_plan_year(plan, year)
        if plan_year is None:
            raise CommandError(f"{year}年度的 {plan} 方案不存在", returncode=BAD_INPUT)
        try:
            enrollment = self._draft(member_unit, plan_year, today)
            job = services.create_import_job(actor=None, scope=PROVINCE, enrollment=enrollment, file_name=file.name,
                                             path=file)
            started = time.monotonic()
            job = services.validate_import(job_id=job.pk, today=today, progress=self._bar)
            self._bar(job, final=True)
            if job.status == ImportJob.Status.FAILED:
                raise CommandError(job.message, returncode=BAD_INPUT)
            self._report_errors(job)
            if job.error_count and not valid_only:
                services.discard_import(actor=None, scope=PROVINCE, job=job)
                raise CommandError(f"{job.error_count}行有错误，未导入任何数据。修正后重试，或加 --valid-only 只导入正确的行",
                                   returncode=BAD_INPUT)
            policy = ImportJob.Policy.VALID_ONLY if valid_only else ImportJob.Policy.ALL_OR_NOTHING
            job = services.commit_import(actor=None, job_id=job.pk, policy=policy, today=today)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=BAD_INPUT) from exc
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{member_unit.name} {plan_year}：共{job.total}行，导入{job.imported_count}人"
            f"（新登记职工{job.new_worker_count}人），错误{job.error_count}行；"
            f"参互#{enrollment.pk} 共{Enrollment.objects.get(pk=enrollment.pk).headcount}人；"
            f"用时{seconds:.1f}秒（{job.total / max(seconds, 1e-6):,.0f}行/秒）")

    def _draft(self, unit, plan_year, today) -> Enrollment:
        """The unit's open draft for the plan year, or a new one (annual, else mid-year)."""
        draft = (Enrollment.objects.filter(unit=unit, plan_year=plan_year, status=Enrollment.Status.DRAFT)
                 .order_by("-pk").first())
        return draft or services.start_enrollment(actor=None, scope=PROVINCE, unit=unit, plan_year=plan_year,
                                                  today=today)

    def _bar(self, job: ImportJob, final: bool = False) -> None:
        width = 30
        filled = width if final else int(width * job.percent / 100)
        sys.stderr.write(f"\r校验 [{'#' * filled}{'.' * (width - filled)}] {job.done:,}/{job.total:,} 行"
                         f"  错误 {job.error_count:,}" + ("\n" if final else ""))
        sys.stderr.flush()

    def _report_errors(self, job: ImportJob, limit: int = 20) -> None:
        for error in queries.import_error_sample(job, limit):
            self.stderr.write(error.message())
        if job.error_count > limit:
            self.stderr.write(f"……另有{job.error_count - limit}行错误")
