"""Settlement-feed imports: stage the file in committed chunks, then match and act, chunk by chunk.

Staging parses each row (pure rules), computes blind indexes in batches and COPYs the rows into
SettlementRow, committing the job's progress with each chunk: memory stays flat and a crashed run
resumes from `done`. Matching then walks the staged rows by row number in chunks, each one a few
set-based look-ups (workers by blind index, open consents, active coverages) and one transaction
that records the outcomes, makes the claims (claims_from_settlements) and moves the watermark, so
a resumed run never acts twice. A serial is acted on once scheme-wide (a partial unique index):
re-importing a file records every row as a duplicate and changes nothing else.
"""
import logging
import shutil
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.bulk import insert_rows, large_load
from huzhu.core.crypto import blind_index_many
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.core.files import dir_under_var, file_digest, save_upload
from huzhu.enrollment.roster_files import RosterFileProblem, open_roster
from huzhu.regions.queries import scope_of

from .. import queries, rules
from ..models import DataSharingAgreement, SettlementImport, SettlementRow
from ..workflow import SETTLEMENT_IMPORT, JobAction
from . import matching

log = logging.getLogger(__name__)
CHUNK = 5000
Progress = Callable[[SettlementImport], None]
J = SettlementImport.Status
Outcome = SettlementRow.Outcome

STAGED_COLUMNS = ("job_id", "row_no", "serial", "outcome", "recorded", "is_reversal", "reverses_serial",
                  "reversal_result", "id_index", "id_masked", "gender", "claim_type", "hospital_code", "hospital_name",
                  "admitted_on", "discharged_on", "settled_on", "diagnosis_code", "insurance_kind",
                  *rules.AMOUNT_COLUMNS.values(), "error_field", "error_reason")


def upload_dir() -> Path:
    return dir_under_var("settlements")



def may_import(actor: Actor) -> bool:
    """Only the association (or the system acting for the province) imports settlement feeds."""
    return queries.may_write(scope_of(actor))


def _agreement_for(agreement_id: int | None, today: date) -> DataSharingAgreement:
    if agreement_id is not None:
        agreement = DataSharingAgreement.objects.filter(pk=agreement_id).first()
        if agreement is None:
            raise ValidationFailed("no_agreement", _("医保数据共享协议#%(id)s不存在") % {"id": agreement_id},
                                   field="agreement")
        if not agreement.covers(today):
            raise ValidationFailed("agreement_not_active", _("协议“%(agreement)s”今天不在有效期内") % {
                "agreement": agreement}, field="agreement")
        return agreement
    active = list(DataSharingAgreement.objects.filter(starts_on__lte=today, ends_on__gte=today)[:2])
    if not active:
        raise ValidationFailed("no_agreement", _("没有今天有效的医保数据共享协议，请先登记协议"), field="agreement")
    if len(active) > 1:
        raise ValidationFailed("agreement_ambiguous", _("有多份有效的医保数据共享协议，请指定导入依据的协议"),
                               field="agreement")
    return active[0]


@transaction.atomic
def create_settlement_import(*, actor: Actor, file_name: str, upload=None, path: Path | None = None,
                             agreement_id: int | None = None, mode: str = SettlementImport.Mode.VALID,
                             source: str = SettlementImport.Source.PAGE, keep_file: bool = True,
                             today: date | None = None) -> SettlementImport:
    """Accept a settlement file under an agreement in force; its type and header are checked at once.

    `upload` (a file object) is copied under var/settlements; `path` (the CLI, the drop folder) is
    read in place, or moved there when `keep_file` is False.
    """
    today = today or timezone.localdate()
    if not may_import(actor):
        raise PermissionDenied(_("只有协会可以导入医保结算数据"))
    if mode not in SettlementImport.Mode.values:
        raise ValidationFailed("invalid_mode", _("导入方式应为 all（全部正确才导入）或 valid（只导入正确的行）"),
                               field="mode")
    agreement = _agreement_for(agreement_id, today)
    if upload is not None:
        stored = save_upload(upload, upload_dir())
    elif path is not None:
        stored = Path(path).resolve()
    else:
        raise ValidationFailed("no_file", _("请选择要导入的结算数据文件"), field="file")
    try:
        with open_roster(stored, file_name, header=rules.map_feed_header) as reader:
            total = reader.total
    except (RosterFileProblem, rules.FeedHeaderProblem) as exc:
        if upload is not None:
            stored.unlink(missing_ok=True)
        raise ValidationFailed("bad_file", rules.mask_message(str(exc)), field="file") from exc
    job = SettlementImport.objects.create(
        agreement=agreement, source=source, mode=mode, file_name=file_name[:200], stored_path=str(stored),
        file_sha256=file_digest(stored), total=total, created_by=user_of(actor))
    record_event(actor=actor, action="create_settlement_import", object_type="SettlementImport", object_id=job.pk,
                 after={"agreement": agreement.pk, "file_name": job.file_name, "rows": total, "mode": mode,
                        "source": source})
    return job


def run_settlement_import(*, job_id: int, actor: Actor = None, today: date | None = None,
                          chunk_size: int | None = None, progress: Progress | None = None) -> SettlementImport:
    """Stage, then match and act on a job's file; resumable and safe to run twice."""
    today = today or timezone.localdate()
    chunk_size = chunk_size or int(getattr(settings, "HUZHU_SETTLEMENT_CHUNK_ROWS", CHUNK))
    job = stage_settlements(job_id=job_id, today=today, chunk_size=chunk_size, progress=progress)
    if job.status == J.STAGED:
        job = _decide(job, actor)
    if job.status == J.MATCHING:
        job = matching.match_settlements(job=job, actor=actor, today=today, chunk_size=chunk_size, progress=progress,
                                        finish=lambda done: finish(done, actor))
    return job


def stage_settlements(*, job_id: int, today: date, chunk_size: int = CHUNK,
                      progress: Progress | None = None) -> SettlementImport:
    """Read the file into staged rows, chunk by chunk (each chunk and the progress commit together)."""
    job = SettlementImport.objects.get(pk=job_id)
    if job.status == J.QUEUED:
        with transaction.atomic():
            SETTLEMENT_IMPORT.move(actor=None, record=job, action=JobAction.STAGE, audited=False)
    elif job.status != J.STAGING:
        return job
    try:
        with large_load(), open_roster(Path(job.stored_path), job.file_name, header=rules.map_feed_header) as reader:
            chunk: list[tuple[int, dict]] = []
            for row in reader.rows(skip=job.done):
                chunk.append(row)
                if len(chunk) >= chunk_size:
                    _stage_chunk(job, chunk, today)
                    chunk = []
                    if progress:
                        progress(job)
            if chunk:
                _stage_chunk(job, chunk, today)
    except (RosterFileProblem, rules.FeedHeaderProblem) as exc:
        return _fail(job, rules.mask_message(str(exc)))
    except OSError as exc:
        log.exception("settlement file unreadable")
        return _fail(job, _("结算数据文件无法读取：%(reason)s") % {"reason": exc.strerror or exc})
    if job.done == 0:
        return _fail(job, _("文件中只有表头，没有数据行"))
    with transaction.atomic():
        SETTLEMENT_IMPORT.move(actor=None, record=job, action=JobAction.STAGED, audited=False,
                               updates={"total": job.done})
    if progress:
        progress(job)
    return job


def _fail(job: SettlementImport, message: str) -> SettlementImport:
    with transaction.atomic():
        SETTLEMENT_IMPORT.move(actor=None, record=job, action=JobAction.FAIL, note=message[:200],
                               updates={"message": message[:500]})
    return job


def _stage_chunk(job: SettlementImport, chunk: list[tuple[int, dict]], today: date) -> None:
    results = [rules.read_row(row_no, cells, today=today) for row_no, cells in chunk]
    lines = [r for r in results if isinstance(r, rules.SettlementLine)]
    indexes = dict(zip((line.row_no for line in lines), blind_index_many(line.id_number for line in lines),
                       strict=True))
    with transaction.atomic():
        # The chunk is this run's only while the job is where it left it: a second run stages nothing twice.
        if not SettlementImport.objects.select_for_update().filter(pk=job.pk, status=J.STAGING,
                                                                   done=job.done).exists():
            raise Conflict("job_moved", _("导入任务#%(job)s已由另一次运行继续，本次运行停止") % {"job": job.pk})
        insert_rows(SettlementRow._meta.db_table, STAGED_COLUMNS, (_staged(job.pk, r, indexes) for r in results))
        errors = len(results) - len(lines)
        job.done += len(chunk)
        job.error_count += errors
        SettlementImport.objects.filter(pk=job.pk).update(done=job.done, error_count=job.error_count,
                                                          updated_at=timezone.now())


_NO_AMOUNTS = (None,) * len(rules.AMOUNT_COLUMNS)


def _staged(job_id: int, result: rules.SettlementLine | rules.RowError, indexes: dict[int, str]) -> tuple:
    """A staged row in STAGED_COLUMNS order: never the ID number or the name."""
    if isinstance(result, rules.RowError):
        return (job_id, result.row_no, result.serial, Outcome.ERROR, False, False, "", "", "", result.masked, "", "", "", "",
                None, None, None, "", "", *_NO_AMOUNTS, result.field[:20], result.reason[:300])
    line = result
    return (job_id, line.row_no, line.serial, Outcome.PENDING, False, line.is_reversal, line.reverses_serial, "",
            indexes[line.row_no], line.masked, line.gender, line.claim_type, line.hospital_code, line.hospital_name,
            line.admitted_on, line.discharged_on, line.settled_on, line.diagnosis_code, line.insurance_kind,
            *(line.amounts[field] for field in rules.AMOUNT_COLUMNS.values()), "", "")


def _decide(job: SettlementImport, actor: Actor) -> SettlementImport:
    """All-or-nothing with a bad row: refuse the file (nothing acted on); otherwise start matching."""
    with transaction.atomic():
        if job.mode == SettlementImport.Mode.ALL and job.error_count:
            message = _("文件中有%(n)s行错误，按“全部正确才导入”未导入任何数据；请下载错误明细，修正后重新导入，"
                        "或选择“只导入正确的行”") % {"n": job.error_count}
            SETTLEMENT_IMPORT.move(actor=actor, record=job, action=JobAction.REFUSE, note=message[:200],
                                   updates={"message": message})
            # The staged facts of the valid rows are not kept for a refused file: only the report.
            job.rows.exclude(outcome=Outcome.ERROR).delete()
        else:
            SETTLEMENT_IMPORT.move(actor=actor, record=job, action=JobAction.MATCH, audited=False)
    return job


def finish(job: SettlementImport, actor: Actor) -> None:
    """Count the outcomes (one GROUP BY), write the summary, move the job to done; inside a transaction."""
    counts = matching.outcome_counts(job)
    fields = {"duplicate_count": counts.get(Outcome.DUPLICATE, 0), "matched_count": counts.get(Outcome.MATCHED, 0),
              "unmatched_count": counts.get(Outcome.UNMATCHED, 0), "ambiguous_count": counts.get(Outcome.AMBIGUOUS, 0),
              "not_consented_count": counts.get(Outcome.NOT_CONSENTED, 0), "no_coverage_count": counts.get(Outcome.NO_COVERAGE, 0),
              "outside_count": counts.get(Outcome.OUTSIDE, 0), "reversal_count": counts.get(Outcome.REVERSAL, 0),
              "refused_count": counts.get(Outcome.REFUSED, 0), "error_count": counts.get(Outcome.ERROR, 0)}
    acted = job.total - fields["duplicate_count"] - fields["error_count"]
    if acted == 0 and fields["duplicate_count"]:
        message = _("文件中%(n)s行此前均已导入，本次没有任何变化") % {"n": fields["duplicate_count"]}
    else:
        message = _("已匹配%(matched)s行，生成申领%(claims)s笔；冲销%(reversals)s行；重复%(duplicates)s行；"
                    "错误%(errors)s行") % {"matched": fields["matched_count"], "claims": job.claims_created,
                                         "reversals": fields["reversal_count"], "duplicates": fields["duplicate_count"],
                                         "errors": fields["error_count"]}
    SETTLEMENT_IMPORT.move(actor=actor, record=job, action=JobAction.FINISH, audited=False,
                           updates={**fields, "message": message})
    record_bulk_event(actor=actor, action="import_settlements", object_type="SettlementImport", object_ids=[job.pk],
                      summary={**fields, "claims_created": job.claims_created, "agreement": job.agreement_id})
    stored = Path(job.stored_path)
    if stored.parent == upload_dir():
        transaction.on_commit(lambda: stored.unlink(missing_ok=True))


# --- the drop folder and the retention purge ---------------------------------------------------

def drop_dir() -> Path | None:
    value = getattr(settings, "HUZHU_SETTLEMENT_DROP_DIR", "")
    return Path(value) if value else None


def import_dropped_files(*, actor: Actor, today: date | None = None) -> list[SettlementImport]:
    """Import every file waiting in the drop folder; each is moved to processed/ (or failed/ with a note)."""
    folder = drop_dir()
    if folder is None or not folder.is_dir():
        return []
    jobs = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        stamp = timezone.now().strftime("%Y%m%d%H%M%S")
        try:
            moved = _move_aside(path, folder / "processing", stamp)
            job = create_settlement_import(actor=actor, file_name=path.name, path=moved, today=today,
                                           source=SettlementImport.Source.DROP)
        except (ValidationFailed, PermissionDenied) as exc:
            failed = _move_aside(moved, folder / "failed", "")
            failed.with_name(failed.name + ".txt").write_text(exc.message, encoding="utf-8")
            continue
        job = run_settlement_import(job_id=job.pk, actor=actor, today=today)
        done = _move_aside(moved, folder / "processed", "")
        SettlementImport.objects.filter(pk=job.pk).update(stored_path=str(done))
        jobs.append(job)
    return jobs


def _move_aside(path: Path, target: Path, stamp: str) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    destination = target / (f"{stamp}-{path.name}" if stamp else path.name)
    shutil.move(str(path), destination)
    return destination


def purge_raw_settlements(*, actor: Actor, now: datetime | None = None) -> int:
    """Blank the raw facts of rows older than their agreement's retention days; returns the rows purged.

    Kept: serial (idempotency), outcome, worker and claim links. Blanked: masked ID, hospital,
    dates, diagnosis, amounts, error text. Set-based: one UPDATE per agreement.
    """
    now = now or timezone.now()
    purged = 0
    for agreement in DataSharingAgreement.objects.all():
        cutoff = now - timedelta(days=agreement.retention_days)
        jobs = SettlementImport.objects.filter(agreement=agreement, created_at__lt=cutoff, raw_purged_at__isnull=True)
        job_ids = list(jobs.values_list("pk", flat=True))
        if not job_ids:
            continue
        with transaction.atomic():
            count = SettlementRow.objects.filter(job_id__in=job_ids).update(
                id_index="", id_masked="", gender="", hospital_code="", hospital_name="", admitted_on=None,
                discharged_on=None, settled_on=None, diagnosis_code="", insurance_kind="", error_reason="",
                **{field: None for field in rules.AMOUNT_COLUMNS.values()})
            SettlementImport.objects.filter(pk__in=job_ids).update(raw_purged_at=now)
            record_event(actor=actor, action="purge_raw_settlements", object_type="DataSharingAgreement",
                         object_id=agreement.pk, after={"jobs": job_ids, "rows": count})
        for path in jobs.model.objects.filter(pk__in=job_ids).values_list("stored_path", flat=True):
            if path and Path(path).parent == upload_dir():
                Path(path).unlink(missing_ok=True)
        purged += count
    return purged


def error_rows(job: SettlementImport) -> Iterable[SettlementRow]:
    """The job's bad rows in file order (streamed)."""
    return job.rows.filter(outcome=Outcome.ERROR).order_by("row_no").iterator(chunk_size=2000)
