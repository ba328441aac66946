"""Roster imports: a job validates a file in committed chunks, then imports in one transaction.

Why two phases: validation (parsing, checksums, encryption, look-ups) is where the time goes, so
it runs in chunks that commit their staged rows and the job's progress — a page can poll it,
and a crashed job resumes from `done`. Nothing reaches the domain tables until the user picks a
policy; then one transaction moves the staged rows into workers, employments and coverages, so
a failure leaves the database exactly as before.
"""
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.bulk import large_load
from huzhu.core.crypto import blind_index_many, encrypt_texts, rotation_under_way
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.core.files import dir_under_var, file_digest, save_upload
from huzhu.core.idnumbers import mask_mobile
from huzhu.members import services as member_services
from huzhu.members.models import MemberUnit, Worker
from huzhu.regions.queries import scope_of

from .. import queries, rules
from ..models import Enrollment, ImportJob, ImportRow
from ..queries import imports as import_queries
from ..roster_files import RosterFileProblem, open_roster
from . import staging
from .coverages import insert_coverages
from .workflow import IMPORT_JOB, JobAction, S, ensure_editable, ensure_in_scope, move_job, refresh_totals

log = logging.getLogger(__name__)
CHUNK = 5000
Progress = Callable[[ImportJob], None]


def import_dir() -> Path:
    return dir_under_var("imports")



def _default_kind(unit: MemberUnit) -> str:
    # Gig workers join through a regional or industry union acting as their unit.
    gig_unit = unit.kind in (MemberUnit.Kind.REGIONAL_UNION, MemberUnit.Kind.INDUSTRY_UNION)
    return Worker.Kind.GIG if gig_unit else Worker.Kind.EMPLOYEE


@transaction.atomic
def create_import_job(*, actor: Actor, enrollment: Enrollment, file_name: str, upload=None,
                      path: Path | None = None) -> ImportJob:
    """Accept a roster file for a draft enrollment; the file type and header are checked at once.

    Pass `upload` (a file object, copied under var/imports and deleted after import) or `path`
    (a file on disk, used in place — the CLI).
    """
    scope = scope_of(actor)
    ensure_in_scope(scope, enrollment)
    ensure_editable(enrollment, actor)
    if upload is not None:
        stored = save_upload(upload, import_dir())
    elif path is not None:
        stored = Path(path).resolve()  # a resumed run may start in another directory
    else:
        raise ValidationFailed("no_file", _("请选择要导入的名册文件"), field="file")
    try:
        with open_roster(stored, file_name) as reader:
            total, warnings = reader.total, reader.warnings
    except RosterFileProblem as exc:
        if upload is not None:
            stored.unlink(missing_ok=True)
        raise ValidationFailed("bad_file", str(exc), field="file") from exc
    job = ImportJob.objects.create(enrollment=enrollment, file_name=file_name[:200], stored_path=str(stored),
                                   file_sha256=file_digest(stored), total=total, message="；".join(warnings),
                                   created_by=user_of(actor))
    record_event(actor=actor, action="create_import_job", object_type="ImportJob", object_id=job.pk,
                 after={"enrollment": enrollment.pk, "file_name": job.file_name, "rows": total})
    return job


def validate_import(*, job_id: int, today: date | None = None, chunk_size: int | None = None,
                    progress: Progress | None = None) -> ImportJob:
    """Validate every row of the job's file into staged rows, chunk by chunk (resumable, idempotent)."""
    today = today or timezone.localdate()
    chunk_size = chunk_size or int(getattr(settings, "HUZHU_IMPORT_CHUNK_ROWS", CHUNK))
    job = ImportJob.objects.select_related("enrollment__unit", "enrollment__plan_year__current_version").get(pk=job_id)
    if job.status == ImportJob.Status.QUEUED:
        try:
            move_job(job, JobAction.VALIDATE, updated_at=timezone.now())
        except Conflict:  # another worker took it first
            job.refresh_from_db()
            return job
    elif job.status != ImportJob.Status.VALIDATING:  # VALIDATING: a run that stopped resumes from `done`
        return job
    enrollment = job.enrollment
    validator = rules.RowValidator(rules.RowContext(terms=enrollment.plan_year.terms, enrolled_on=today,
                                                    today=today, default_kind=_default_kind(enrollment.unit)))
    try:
        with large_load(), open_roster(Path(job.stored_path), job.file_name) as reader:
            chunk: list[tuple[int, dict]] = []
            for row in reader.rows(skip=job.done):
                chunk.append(row)
                if len(chunk) >= chunk_size:
                    _stage_chunk(job, validator, chunk)
                    chunk = []
                    if progress:
                        progress(job)
            if chunk:
                _stage_chunk(job, validator, chunk)
    except RosterFileProblem as exc:
        return _fail(job, str(exc))
    except OSError as exc:
        log.exception("roster file unreadable")
        return _fail(job, f"名册文件无法读取：{exc.strerror or exc}")
    if job.done == 0:
        return _fail(job, "文件中只有表头，没有数据行")
    job.total = job.done
    move_job(job, JobAction.VALIDATED, total=job.total, updated_at=timezone.now())
    if progress:
        progress(job)
    return job


def _fail(job: ImportJob, message: str) -> ImportJob:
    return move_job(job, JobAction.FAIL, note=message, message=message, updated_at=timezone.now())


def _stage_chunk(job: ImportJob, validator: rules.RowValidator, chunk: list[tuple[int, dict]]) -> None:
    """Validate a chunk: pure row checks, then one COPY of the staged rows, then set-based cross-checks.

    The staged rows, the corrections the database asks for and the job's progress commit together,
    so a resumed job starts exactly after the last chunk.
    """
    enrollment = job.enrollment
    results = [validator(row_no, cells) for row_no, cells in chunk]
    valid = [result for result in results if isinstance(result, rules.RosterRow)]
    indexes = dict(zip((row.row_no for row in valid), blind_index_many(row.id_number for row in valid), strict=True))
    first_row: dict[str, int] = {}
    for i, result in enumerate(results):
        if isinstance(result, rules.RosterRow):
            first = first_row.setdefault(indexes[result.row_no], result.row_no)
            if first != result.row_no:  # the same person earlier in this chunk
                results[i] = _error(result, "身份证号", f"与第{first}行重复")
    valid = [result for result in results if isinstance(result, rules.RosterRow)]
    sealed = dict(zip((row.row_no for row in valid), encrypt_texts([row.id_number for row in valid]), strict=True))
    phones = _phone_columns(valid)
    with transaction.atomic():
        # Claim the chunk: the job must still be where this run left it. Another run that resumed
        # the job (or a purge) moved it on, and this chunk is theirs or void: stage nothing twice.
        if not ImportJob.objects.select_for_update().filter(
                pk=job.pk, status=ImportJob.Status.VALIDATING, done=job.done).exists():
            raise Conflict("job_moved", _("导入任务#%(job)s已由另一次运行继续或已被清除，本次运行停止") % {"job": job.pk})
        staging.stage_rows(_staged(job.pk, result, indexes, sealed, phones) for result in results)
        conflicts = import_queries.staged_row_conflicts(job, enrollment.plan_year, first_row_no=chunk[0][0],
                                                 last_row_no=chunk[-1][0])
        if rotation_under_way():
            conflicts = _with_workers_under_previous_key(job, valid, conflicts)
        bad = [(c.pk, *reason) for c in conflicts if (reason := _conflict(c, enrollment))]
        staging.mark_rows_invalid(bad)
        failed = {pk for pk, _field, _reason in bad}
        staging.link_workers([(c.pk, c.worker_id) for c in conflicts if c.worker_id and c.pk not in failed])
        job.done += len(chunk)
        job.valid_count += len(valid) - len(bad)
        job.error_count += len(chunk) - len(valid) + len(bad)
        ImportJob.objects.filter(pk=job.pk).update(done=job.done, valid_count=job.valid_count,
                                                   error_count=job.error_count, updated_at=timezone.now())


def _with_workers_under_previous_key(job: ImportJob, valid: list[rules.RosterRow],
                                     conflicts: list[import_queries.StagedConflict]) -> list[import_queries.StagedConflict]:
    """During a key rotation (or suite switch) a registered worker may still carry the previous index: look those up too."""
    found = {c.row_no: c for c in conflicts}
    waiting = [row for row in valid if not (found.get(row.row_no) and found[row.row_no].worker_id)]
    by_old_index = dict(zip(blind_index_many((row.id_number for row in waiting), previous=True), waiting,
                            strict=True))
    workers = import_queries.registered_workers(by_old_index)
    if not workers:
        return conflicts
    covered = queries.live_coverages(job.enrollment.plan_year, worker_ids=[w[0] for w in workers.values()])
    rows = {by_old_index[index].row_no: (by_old_index[index], worker) for index, worker in workers.items()}
    for row_no, pk in job.rows.filter(row_no__in=list(rows)).values_list("row_no", "pk"):
        row, (worker_id, name, unit_id, unit_name) = rows[row_no]
        earlier, hit = found.get(row_no), covered.get(worker_id)
        found[row_no] = import_queries.StagedConflict(
            pk, row_no, row.name, earlier.earlier_row_no if earlier else None, worker_id, name, unit_id, unit_name,
            hit.enrollment_id if hit else None, hit.unit_id if hit else None, hit.unit_name if hit else None)
    return sorted(found.values(), key=lambda c: c.row_no)


def _phone_columns(valid: list[rules.RosterRow]) -> dict[int, tuple[str, str, str]]:
    """{row number: (ciphertext, blind index, masked form)} of the valid rows that have a phone (batch crypto)."""
    with_phone = [row for row in valid if row.phone]
    numbers = [row.phone for row in with_phone]
    return {row.row_no: (token, index, mask_mobile(row.phone)) for row, token, index in
            zip(with_phone, encrypt_texts(numbers), blind_index_many(numbers), strict=True)}


_NO_PHONE = ("", "", "")


def _staged(job_id: int, result: rules.RosterRow | rules.RowError, indexes: dict[int, str],
            sealed: dict[int, str], phones: dict[int, tuple[str, str, str]]) -> tuple:
    """A staged row in staging.STAGED_COLUMNS order."""
    if isinstance(result, rules.RowError):
        return (job_id, result.row_no, result.name[:50], "", "", result.masked[:18], "", None, *_NO_PHONE, "", "",
                None, None, result.field[:20], result.reason[:300], "")
    return (job_id, result.row_no, result.name, indexes[result.row_no], sealed[result.row_no], result.masked,
            result.gender, result.birth_on, *phones.get(result.row_no, _NO_PHONE), result.kind, result.ethnicity,
            result.started_on, None, "", "", result.data_consent)


def _error(row: rules.RosterRow, field: str, reason: str) -> rules.RowError:
    return rules.RowError(row.row_no, field, reason, name=row.name, masked=row.masked)


def _conflict(found: import_queries.StagedConflict, enrollment: Enrollment) -> tuple[str, str] | None:
    """Why a staged row cannot join: an earlier row, a registered worker elsewhere, another coverage."""
    if found.earlier_row_no is not None:
        return "身份证号", f"与第{found.earlier_row_no}行重复"
    if found.worker_id:
        if found.worker_name != found.name:
            return "姓名", f"与该身份证号已登记的姓名“{found.worker_name}”不一致"
        if found.worker_unit_id not in (None, enrollment.unit_id):
            return "身份证号", f"该职工现为“{found.worker_unit_name}”在职职工，须原单位先登记离职"
    if found.covered_enrollment_id:
        if found.covered_enrollment_id == enrollment.pk:
            return "身份证号", "已在本次参互名单中"
        where = "本单位另一笔参互" if found.covered_unit_id == enrollment.unit_id else f"“{found.covered_unit_name}”"
        return "身份证号", f"已在{where}参加{enrollment.plan_year}，同一人每年度只能参互一次"
    return None


def check_import_commit(*, job: ImportJob, policy: str, resuming: bool = False) -> None:
    """Refuse a commit the job cannot take: not validated yet, no policy, or bad rows under "all".

    `resuming`: the commit run itself, which may also take up an import that died (IMPORTING).
    """
    ready = (ImportJob.Status.VALIDATED, ImportJob.Status.IMPORTING) if resuming else (ImportJob.Status.VALIDATED,)
    if job.status not in ready:
        raise Conflict("job_not_ready", _("导入任务当前为“%(status)s”，不能导入") % {"status": job.get_status_display()})
    if policy not in ImportJob.Policy.values:
        raise ValidationFailed("invalid_policy", _("请选择导入方式（all：全部正确才导入；valid_only：只导入正确的行）"),
                               field="policy")
    if policy == ImportJob.Policy.ALL_OR_NOTHING and job.error_count:
        raise ValidationFailed("rows_invalid", _("文件中有%(n)s行错误，请下载错误明细修正后重新上传，或选择“只导入正确的行”") % {
            "n": job.error_count}, field="policy")
    if not job.valid_count:
        raise ValidationFailed("nothing_valid", _("文件中没有可以导入的正确行"), field="policy")


def commit_import(*, actor: Actor, job_id: int, policy: str, today: date | None = None,
                  progress: Progress | None = None) -> ImportJob:
    """Import the staged rows in one transaction: all rows (refused if any row is bad) or the valid ones."""
    today = today or timezone.localdate()
    job = ImportJob.objects.select_related("enrollment__unit", "enrollment__plan_year__current_version").get(pk=job_id)
    if job.status == ImportJob.Status.DONE:
        return job
    # An IMPORTING job is a run that died (worker killed, database restarted): it committed nothing,
    # the rows and DONE are one transaction. The row lock below makes a still-running first run win.
    check_import_commit(job=job, policy=policy, resuming=True)
    move_job(job, JobAction.IMPORT, actor=actor, policy=policy, updated_at=timezone.now())
    try:
        with large_load(), transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status == ImportJob.Status.DONE:  # another run finished while we waited
                return locked
            imported, new_workers, late = _commit_rows(actor, job, policy, today, progress)
    except (ValidationFailed, Conflict) as exc:  # refused before writing: the job can be committed again
        _move_after_refusal(job, JobAction.REOPEN, actor, exc.message)
        raise
    except IntegrityError as exc:
        message = "导入时与其他人同时办理的参互冲突，未导入任何数据，请重新校验后再试"
        _move_after_refusal(job, JobAction.FAIL, actor, message)
        raise Conflict("import_conflict", message) from exc
    except DatabaseError:
        # The connection dropped mid-import: nothing was written. Leave the job ready to run again
        # (if the database is back; if not, the IMPORTING status is resumed by the next run).
        log.exception("roster import %s interrupted", job.pk)
        try:
            message = "导入被中断（数据库连接断开），未导入任何数据，可重新执行导入"
            move_job(job, JobAction.REOPEN, actor=actor, note=message, message=message)
        except (DatabaseError, Conflict):
            pass
        raise
    job.refresh_from_db()
    if Path(job.stored_path).parent == import_dir():
        Path(job.stored_path).unlink(missing_ok=True)
    return job


def _move_after_refusal(job: ImportJob, action: str, actor, message: str) -> None:
    try:
        move_job(job, action, actor=actor, note=message, message=message)
    except Conflict:  # another run moved the job meanwhile: its status stands, and so does the refusal
        pass


def _commit_rows(actor, job: ImportJob, policy: str, today: date, progress: Progress | None):
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related(
        "unit", "plan_year__current_version").get(pk=job.enrollment_id)
    ensure_editable(enrollment, actor)
    unit, plan_year = enrollment.unit, enrollment.plan_year
    # Someone may have registered, deleted or enrolled these people since validation: check again, set-based.
    changes = import_queries.staged_rows_changed(job, plan_year)
    late = [c for c in changes if c.covered_unit_name]
    if late and policy == ImportJob.Policy.ALL_OR_NOTHING:
        first = late[0]
        raise ValidationFailed("rows_invalid", _("校验后已在“%(unit)s”参加%(plan_year)s（第%(row)s行），未导入任何数据") % {
            "unit": first.covered_unit_name, "plan_year": plan_year, "row": first.row_no}, row=first.row_no)
    staging.mark_rows_invalid([(c.pk, "身份证号", f"校验后已在“{c.covered_unit_name}”参加{plan_year}") for c in late])
    # A row validated against a registered worker who cannot be found by its index now: the worker
    # was deleted, or a key rotation has not yet reached the worker or the staged row.
    lost = next((c for c in changes if c.staged_worker_id and not c.worker_id), None)
    if lost:
        raise Conflict("rows_changed", _("第%(row)s行的职工在校验后已被删除或变更（如数据密钥轮换尚未完成），"
                                   "未导入任何数据，请稍后重试或重新上传名册") % {"row": lost.row_no}, row=lost.row_no)
    staging.link_workers([(c.pk, c.worker_id) for c in changes if c.worker_id and not c.covered_unit_name])
    _report(progress, job, 0)
    member_services.employ_registered_workers(actor=actor, unit=unit, source=staging.registered_people(job),
                                              started_on=today)
    new_workers = member_services.register_prepared_workers(actor=actor, unit=unit, source=staging.new_people(job),
                                                            today=today)
    _report(progress, job, new_workers)
    imported = insert_coverages(plan_year=plan_year, rows=staging.coverage_source(job, enrollment))
    _report(progress, job, imported)
    member_services.apply_roster_consents(actor=actor, unit=unit, source=staging.consent_answers(job))
    refresh_totals(enrollment)
    job.rows.filter(error="").delete()  # staged personal data is not kept once imported
    IMPORT_JOB.move(actor=actor, record=job, action=JobAction.FINISH, updates=dict(
        imported_count=imported, new_worker_count=new_workers,
        error_count=job.error_count + len(late), valid_count=job.valid_count - len(late), done=job.total,
        message=f"已导入{imported}人（新登记职工{new_workers}人）"
        + (f"，另有{len(late)}行在导入时发现已在其他单位参互" if late else "")))
    record_bulk_event(actor=actor, action="import_roster", object_type="Enrollment", object_ids=[enrollment.pk],
                      summary={"job": job.pk, "imported": imported, "new_workers": new_workers,
                               "skipped": job.error_count + len(late), "policy": policy})
    return imported, new_workers, len(late)


def _report(progress: Progress | None, job: ImportJob, done: int) -> None:
    if progress:
        job.done = done
        progress(job)


@transaction.atomic
def discard_import(*, actor: Actor, job: ImportJob, drop_empty_draft: bool = False) -> ImportJob:
    """"Import nothing until fixed": drop the job's staged rows and file; the enrollment is unchanged.

    `drop_empty_draft` (the CLI, for a draft it started for this file) also deletes the draft
    when nothing else is in it, so a refused file leaves no empty enrollment behind.
    """
    scope = scope_of(actor)
    ensure_in_scope(scope, job.enrollment)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.IMPORTING):
        raise Conflict("job_finished", _("该导入任务已执行，不能放弃"))
    if drop_empty_draft and _is_empty_draft(job.enrollment, job):
        enrollment_pk = job.enrollment_id
        _unlink_upload_on_commit(job)
        job.rows.all().delete()
        Enrollment.objects.filter(pk=enrollment_pk).delete()  # its status changes and this job go with it
        record_event(actor=actor, action="discard_import", object_type="ImportJob", object_id=job.pk,
                     after={"status": "discarded", "enrollment_deleted": enrollment_pk})
        job.status = ImportJob.Status.DISCARDED
        return job
    if job.status == ImportJob.Status.DISCARDED:  # discarded already: nothing more to do
        return job
    checked = IMPORT_JOB.check(actor=actor, record=job, action=JobAction.DISCARD)
    job.rows.all().delete()
    IMPORT_JOB.move(actor=actor, record=job, action=JobAction.DISCARD, checked=checked,
                    updates={"message": "已放弃，未导入任何数据", "updated_at": timezone.now()})
    _unlink_upload_on_commit(job)
    record_event(actor=actor, action="discard_import", object_type="ImportJob", object_id=job.pk,
                 after={"status": "discarded"})
    job.refresh_from_db()
    return job



def _is_empty_draft(enrollment: Enrollment, job: ImportJob) -> bool:
    return (enrollment.status == S.DRAFT and not enrollment.coverages.exists()
            and not enrollment.import_jobs.exclude(pk=job.pk).exists())


def _unlink_upload_on_commit(job: ImportJob) -> None:
    """Delete an uploaded copy once the transaction commits (a CLI file on disk is the user's own)."""
    if job.stored_path and Path(job.stored_path).parent == import_dir():
        path = Path(job.stored_path)
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


_UNFINISHED = (ImportJob.Status.QUEUED, ImportJob.Status.VALIDATING, ImportJob.Status.VALIDATED,
               ImportJob.Status.IMPORTING)


def purge_abandoned_imports(*, actor: Actor, now: datetime | None = None) -> int:
    """Drop the staged rows (personal data) and file of every import job left untouched too long.

    "Too long" is HUZHU_IMPORT_STAGING_TTL_HOURS since the job last moved: an unfinished job is
    marked discarded, a failed one keeps its status and message. Returns the jobs purged.
    """
    now = now or timezone.now()
    hours = settings.HUZHU_IMPORT_STAGING_TTL_HOURS
    cutoff = now - timedelta(hours=hours)
    has_rows = Exists(ImportRow.objects.filter(job_id=OuterRef("pk")))
    stale = (ImportJob.objects.filter(updated_at__lt=cutoff)
             .filter(Q(status__in=_UNFINISHED) | Q(has_rows, status=ImportJob.Status.FAILED)))
    purged = 0
    for job_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            # skip_locked: a job whose import is running right now holds its row lock; leave it.
            job = stale.select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None:
                continue
            rows = job.rows.all().delete()[0]
            before = job.status
            if IMPORT_JOB.transition_for(before, JobAction.EXPIRE) is not None:
                message = _("超过%(hours)s小时未完成，暂存的名册数据已清除，未导入任何数据；请重新上传") % {"hours": hours}
                IMPORT_JOB.move(actor=actor, record=job, action=JobAction.EXPIRE, note=message,
                                updates={"message": message, "updated_at": now})
            else:  # a failed job keeps its status and message
                ImportJob.objects.filter(pk=job.pk).update(updated_at=now)
            _unlink_upload_on_commit(job)
            record_event(actor=actor, action="purge_abandoned_import", object_type="ImportJob", object_id=job.pk,
                         before={"status": before, "updated_at": job.updated_at.isoformat()},
                         after={"status": job.status, "rows_deleted": rows})
            purged += 1
    return purged
