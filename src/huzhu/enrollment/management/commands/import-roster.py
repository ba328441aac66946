"""`huzhu import-roster FILE --unit CODE --year 2026 --plan hospitalization [--valid-only]`.

An interrupted run (killed, database restarted) leaves its job where its last committed chunk
left it: `--resume JOB` carries it on, and a re-run of the same file for the same unit and plan
year finds that job by the file's hash and carries it on too (`--restart` starts over instead).
"""
import sys
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.errors import DomainError
from huzhu.core.files import file_digest
from huzhu.core.idnumbers import normalize
from huzhu.enrollment import services
from huzhu.enrollment.models import Enrollment, ImportJob
from huzhu.enrollment.queries import imports as import_queries
from huzhu.members.models import MemberUnit
from huzhu.plans.queries import plan_year as find_plan_year

BAD_INPUT = 2
S = ImportJob.Status


class Command(BaseCommand):
    help = ("导入单位参互名册（XLSX 或 CSV）：校验每一行，全部正确才导入，或用 --valid-only 只导入正确的行；"
            "中断后用 --resume 任务号 继续")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--unit", help="单位的统一社会信用代码")
        parser.add_argument("--year", type=int)
        parser.add_argument("--plan", choices=["hospitalization", "women_health"])
        parser.add_argument("--valid-only", action="store_true", help="只导入正确的行（默认：有错误行则不导入）")
        parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                            help="办理日期（默认今天），用于补录")
        parser.add_argument("--resume", type=int, metavar="JOB", help="继续执行被中断的导入任务")
        parser.add_argument("--restart", action="store_true",
                            help="同一文件有未完成的导入任务时，放弃它并重新开始（默认继续执行它）")

    def handle(self, *args, file: Path | None, unit: str | None, year: int | None, plan: str | None,
               valid_only: bool, as_of, resume: int | None, restart: bool, **options):
        today = as_of or timezone.localdate()
        if file is not None and not file.is_file():
            raise CommandError(f"文件不存在：{file}", returncode=BAD_INPUT)
        started = time.monotonic()
        try:
            if resume is not None:
                job, new_draft = self._resumed(resume, file), False
            else:
                job, new_draft = self._job(file, unit, year, plan, today, restart)
            job = self._finish(job, valid_only, today, new_draft)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=BAD_INPUT) from exc
        seconds = time.monotonic() - started
        enrollment = Enrollment.objects.select_related("unit", "plan_year").get(pk=job.enrollment_id)
        self.stdout.write(
            f"{enrollment.unit.name} {enrollment.plan_year}：共{job.total}行，导入{job.imported_count}人"
            f"（新登记职工{job.new_worker_count}人），错误{job.error_count}行；"
            f"参互#{enrollment.pk} 共{enrollment.headcount}人；"
            f"用时{seconds:.1f}秒（{job.total / max(seconds, 1e-6):,.0f}行/秒）")

    def _resumed(self, job_id: int, file: Path | None) -> ImportJob:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"导入任务#{job_id}不存在", returncode=BAD_INPUT)
        if job.status in (S.FAILED, S.DISCARDED):
            raise CommandError(f"导入任务#{job_id}为“{job.get_status_display()}”，不能继续：{job.message}",
                               returncode=BAD_INPUT)
        if file is not None and job.file_sha256 and file_digest(file) != job.file_sha256:
            raise CommandError(f"文件与导入任务#{job_id}当初导入的文件内容不同，不能继续；请去掉 --resume 重新导入",
                               returncode=BAD_INPUT)
        if job.status != S.DONE and not Path(job.stored_path).is_file():
            raise CommandError(f"导入任务#{job_id}的文件已不在原处：{job.stored_path}", returncode=BAD_INPUT)
        return job

    def _job(self, file, unit, year, plan, today, restart) -> tuple[ImportJob, bool]:
        if file is None or not (unit and year and plan):
            raise CommandError("请给出名册文件和 --unit、--year、--plan（或用 --resume 任务号 继续）",
                               returncode=BAD_INPUT)
        member_unit = MemberUnit.objects.filter(credit_code=normalize(unit)).first()
        if member_unit is None:
            raise CommandError(f"统一社会信用代码为 {unit} 的单位不存在", returncode=BAD_INPUT)
        plan_year = find_plan_year(plan, year)
        if plan_year is None:
            raise CommandError(f"{year}年度的 {plan} 方案不存在", returncode=BAD_INPUT)
        unfinished = import_queries.unfinished_import_job(unit=member_unit, plan_year=plan_year, file_sha256=file_digest(file))
        if unfinished is not None and not restart:
            self.stderr.write(f"发现同一文件未完成的导入任务#{unfinished.pk}（{unfinished.get_status_display()}，"
                              f"已校验{unfinished.done:,}/{unfinished.total:,}行），继续执行；要重新开始请加 --restart")
            return self._resumed(unfinished.pk, file), False
        if unfinished is not None:
            services.discard_import(actor=SYSTEM_ACTOR, job=unfinished)
        # The draft and the job together: a file refused before its job exists leaves no empty draft.
        with transaction.atomic():
            draft = self._open_draft(member_unit, plan_year)
            enrollment = draft or services.start_enrollment(actor=SYSTEM_ACTOR, unit=member_unit,
                                                            plan_year=plan_year, today=today)
            job = services.create_import_job(actor=SYSTEM_ACTOR, enrollment=enrollment, file_name=file.name,
                                             path=file)
        for warning in filter(None, job.message.split("；")):
            self.stderr.write(f"注意：{warning}")
        return job, draft is None

    def _finish(self, job: ImportJob, valid_only: bool, today, new_draft: bool) -> ImportJob:
        if job.status in (S.QUEUED, S.VALIDATING):
            job = services.validate_import(job_id=job.pk, today=today, progress=self._bar)
            self._bar(job, final=True)
        if job.status == S.FAILED:
            services.discard_import(actor=SYSTEM_ACTOR, job=job, drop_empty_draft=new_draft)
            raise CommandError(job.message, returncode=BAD_INPUT)
        if job.status == S.DONE:
            return job
        self._report_errors(job)
        if job.error_count and not valid_only:
            services.discard_import(actor=SYSTEM_ACTOR, job=job, drop_empty_draft=new_draft)
            raise CommandError(f"{job.error_count}行有错误，未导入任何数据。修正后重试，或加 --valid-only 只导入正确的行",
                               returncode=BAD_INPUT)
        policy = ImportJob.Policy.VALID_ONLY if valid_only else ImportJob.Policy.ALL_OR_NOTHING
        return services.commit_import(actor=None, job_id=job.pk, policy=policy, today=today)

    def _open_draft(self, unit, plan_year) -> Enrollment | None:
        """The unit's open draft for the plan year, if it has one."""
        return (Enrollment.objects.filter(unit=unit, plan_year=plan_year, status=Enrollment.Status.DRAFT)
                .order_by("-pk").first())

    def _bar(self, job: ImportJob, final: bool = False) -> None:
        width = 30
        filled = width if final else int(width * job.percent / 100)
        sys.stderr.write(f"\r校验 [{'#' * filled}{'.' * (width - filled)}] {job.done:,}/{job.total:,} 行"
                         f"  错误 {job.error_count:,}" + ("\n" if final else ""))
        sys.stderr.flush()

    def _report_errors(self, job: ImportJob, limit: int = 20) -> None:
        for error in import_queries.import_error_sample(job, limit):
            self.stderr.write(error.message())
        if job.error_count > limit:
            self.stderr.write(f"……另有{job.error_count - limit}行错误")
