"""Reads of roster import jobs: their rows, errors and preview, and the staged rows' conflicts with
the database (one query each, joined by blind index; no round trip per row)."""
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from huzhu.core.scopes import Scope
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear

from .. import rules
from ..models import Coverage, Enrollment, ImportJob, ImportRow


def import_jobs_of(enrollment: Enrollment) -> QuerySet[ImportJob]:
    return enrollment.import_jobs.order_by("-created_at", "-pk")


def unfinished_import_job(*, unit, plan_year, file_sha256: str) -> ImportJob | None:
    """The newest job an interruption left unfinished for this file in the unit's draft of the plan year."""
    return (ImportJob.objects.filter(
        enrollment__unit=unit, enrollment__plan_year=plan_year, enrollment__status=Enrollment.Status.DRAFT,
        file_sha256=file_sha256,
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.VALIDATING, ImportJob.Status.VALIDATED,
                    ImportJob.Status.IMPORTING])
        .order_by("-created_at", "-pk").first())


def import_job_for(scope: Scope, pk: int) -> ImportJob:
    """One import job whose enrollment lies inside the scope, or 404."""
    qs = scope.filter(ImportJob.objects.select_related("enrollment__unit", "enrollment__plan_year__plan"),
                      league="enrollment__league_id", county="enrollment__county_id", unit="enrollment__unit_id")
    return get_object_or_404(qs, pk=pk)


def import_errors(job: ImportJob) -> Iterator[rules.RowError]:
    """The job's bad rows in file order, streamed."""
    rows = (job.rows.exclude(error="").order_by("row_no")
            .values_list("row_no", "error_field", "error", "name", "id_number_masked"))
    for row_no, field, reason, name, masked in rows.iterator(chunk_size=5000):
        yield rules.RowError(row_no, field, reason, name=name, masked=masked)


def import_error_rows(job: ImportJob) -> QuerySet[ImportRow]:
    """The job's bad rows in file order (the API pages through them)."""
    return job.rows.exclude(error="").order_by("row_no", "pk")


def import_error_sample(job: ImportJob, limit: int = 20) -> list[rules.RowError]:
    result = []
    for error in import_errors(job):
        result.append(error)
        if len(result) >= limit:
            break
    return result


def import_preview(job: ImportJob, limit: int = 50) -> list[ImportRow]:
    """The job's first staged rows in file order, good and bad alike: what the import would write."""
    return list(job.rows.order_by("row_no", "pk")[:limit])


def import_error_summary(job: ImportJob) -> list[tuple[str, int]]:
    """Error counts per field, most frequent first."""
    rows = job.rows.exclude(error="").values("error_field").annotate(n=Count("pk")).order_by("-n")
    return [(r["error_field"], r["n"]) for r in rows]


@dataclass(frozen=True)
class StagedConflict:
    """A valid staged row that repeats an earlier row of the file or names a registered worker."""

    pk: int
    row_no: int
    name: str
    earlier_row_no: int | None
    worker_id: int | None
    worker_name: str | None
    worker_unit_id: int | None
    worker_unit_name: str | None
    covered_enrollment_id: int | None  # the worker's live coverage of the plan year, if any
    covered_unit_id: int | None
    covered_unit_name: str | None


def staged_row_conflicts(job: ImportJob, plan_year: PlanYear, *, first_row_no: int,
                         last_row_no: int) -> list[StagedConflict]:
    """Valid staged rows of a row range with an earlier valid row of the same person or a registered worker.

    One query, joined in the database by blind index: a fresh roster costs no round trip per row.
    """
    # The unary plus keeps a planner without statistics (SQLite) on the index by person, not the
    # one by row number or plan year, which would scan the whole job or year once per row.
    sql = f"""
        SELECT r.id, r.row_no, r.name, e.row_no, w.id, w.name, w.unit_id, wu.name, c.enrollment_id, c.unit_id, cu.name
        FROM {_table(ImportRow)} r
        LEFT JOIN {_table(ImportRow)} e ON e.job_id = r.job_id AND e.id_number_index = r.id_number_index
             AND e.error = '' AND +e.row_no < r.row_no
        LEFT JOIN {_table(Worker)} w ON w.id_number_index = r.id_number_index
        LEFT JOIN {_table(MemberUnit)} wu ON wu.id = w.unit_id
        LEFT JOIN {_table(Coverage)} c ON c.worker_id = w.id AND +c.plan_year_id = %s AND c.status <> %s
        LEFT JOIN {_table(MemberUnit)} cu ON cu.id = c.unit_id
        WHERE r.job_id = %s AND r.row_no BETWEEN %s AND %s AND r.error = ''
          AND (e.id IS NOT NULL OR w.id IS NOT NULL)
        ORDER BY r.row_no"""
    with connection.cursor() as cursor:
        cursor.execute(sql, (plan_year.pk, Coverage.Status.CANCELLED, job.pk, first_row_no, last_row_no))
        return [StagedConflict(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class StagedChange:
    """A valid staged row whose person was registered, deleted or enrolled since validation."""

    pk: int
    row_no: int
    staged_worker_id: int | None
    worker_id: int | None  # the registered worker now (None: not registered)
    covered_unit_name: str | None  # a unit whose live coverage of the plan year now holds the worker


def staged_rows_changed(job: ImportJob, plan_year: PlanYear) -> list[StagedChange]:
    """The job's valid staged rows that no longer match the database (one query over the whole job)."""
    sql = f"""
        SELECT r.id, r.row_no, r.worker_id, w.id, cu.name
        FROM {_table(ImportRow)} r
        LEFT JOIN {_table(Worker)} w ON w.id_number_index = r.id_number_index
        LEFT JOIN {_table(Coverage)} c ON c.worker_id = w.id AND +c.plan_year_id = %s AND c.status <> %s
        LEFT JOIN {_table(MemberUnit)} cu ON cu.id = c.unit_id
        WHERE r.job_id = %s AND r.error = ''
          AND (c.id IS NOT NULL OR COALESCE(r.worker_id, 0) <> COALESCE(w.id, 0))
        ORDER BY r.row_no"""
    with connection.cursor() as cursor:
        cursor.execute(sql, (plan_year.pk, Coverage.Status.CANCELLED, job.pk))
        return [StagedChange(*row) for row in cursor.fetchall()]


def registered_workers(indexes: Iterable[str]) -> dict[str, tuple[int, str, int | None, str | None]]:
    """Blind index → (worker id, name, unit id, unit name) of the registered workers carrying those indexes."""
    found: dict[str, tuple[int, str, int | None, str | None]] = {}
    values = list(indexes)
    for start in range(0, len(values), 5000):
        found.update({row[0]: row[1:] for row in Worker.objects.filter(id_number_index__in=values[start:start + 5000])
                      .values_list("id_number_index", "pk", "name", "unit_id", "unit__name")})
    return found


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)
