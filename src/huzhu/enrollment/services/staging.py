"""Staged roster rows (`ImportRow`) in bulk: written by COPY / executemany, moved on by INSERT … SELECT.

Validation stages every row of a chunk at once (valid rows with their ID number and phone encrypted
and blind-indexed, bad rows with the reason) and then corrects the few rows the database objects to.
The import moves the valid rows into workers, employments and coverages without bringing them
back into Python. Callers hold the transaction.
"""
from collections.abc import Iterable, Sequence

from django.db import connection

from huzhu.core.bulk import RowSource, insert_rows, update_rows
from huzhu.members.models import Worker
from huzhu.members.services import PREPARED_WORKER_COLUMNS

from ..models import Enrollment, ImportJob, ImportRow

# Column order of the tuples `stage_rows` takes.
STAGED_COLUMNS = ("job_id", "row_no", "name", "id_number_index", "id_number_encrypted", "id_number_masked", "gender",
                  "birth_on", "phone_encrypted", "phone_index", "phone_masked", "kind", "ethnicity", "started_on",
                  "worker_id", "error_field", "error", "data_consent")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def stage_rows(rows: Iterable[Sequence]) -> int:
    """Write staged rows (tuples in STAGED_COLUMNS order) in one COPY / executemany."""
    return insert_rows(ImportRow._meta.db_table, STAGED_COLUMNS, rows)


def mark_rows_invalid(errors: Sequence[tuple[int, str, str]]) -> None:
    """Turn staged rows (pk, field, reason) into bad rows; their personal data beyond name and mask is dropped."""
    if not errors:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_table(ImportRow)} SET error_field = %s, error = %s, id_number_index = '',"
            " id_number_encrypted = '', gender = '', birth_on = NULL, phone_encrypted = '', phone_index = '',"
            " phone_masked = '', kind = '', ethnicity = '', data_consent = '',"
            " started_on = NULL, worker_id = NULL WHERE id = %s",
            [(field[:20], reason[:300], pk) for pk, field, reason in errors])


def link_workers(links: Sequence[tuple[int, int]]) -> None:
    """Record on staged rows (pk, worker id) the registered worker each one names (a few statements)."""
    update_rows(ImportRow._meta.db_table, "id", ["worker_id"], list(links))


def new_people(job: ImportJob) -> RowSource:
    """The valid rows of people not registered as workers, as members.PREPARED_WORKER_COLUMNS."""
    return RowSource(f"SELECT {', '.join(PREPARED_WORKER_COLUMNS)} FROM {_table(ImportRow)}"
                     " WHERE job_id = %s AND error = '' AND worker_id IS NULL", (job.pk,))


def registered_people(job: ImportJob) -> RowSource:
    """The registered workers the valid rows name, as one column `worker_id`."""
    return RowSource(f"SELECT worker_id FROM {_table(ImportRow)}"
                     " WHERE job_id = %s AND error = '' AND worker_id IS NOT NULL", (job.pk,))


def consent_answers(job: ImportJob) -> RowSource:
    """The valid rows that answer the consent column, as (worker_id, answer "Y"/"N"), for
    members.services.apply_roster_consents (the workers are registered by now)."""
    return RowSource(f"SELECT w.id AS worker_id, r.data_consent AS answer FROM {_table(ImportRow)} r"
                     f" JOIN {_table(Worker)} w ON w.id_number_index = r.id_number_index"
                     " WHERE r.job_id = %s AND r.error = '' AND r.data_consent <> ''", (job.pk,))


def coverage_source(job: ImportJob, enrollment: Enrollment) -> RowSource:
    """A coverage in `enrollment` for every valid row's worker (registered by now), as
    coverages.SOURCE_COLUMNS: the roster import hands it to coverages.insert_coverages."""
    unit = enrollment.unit
    return RowSource(f"SELECT w.id AS worker_id, %s AS enrollment_id, %s AS unit_id, %s AS league_id,"
                     f" %s AS county_id FROM {_table(ImportRow)} r"
                     f" JOIN {_table(Worker)} w ON w.id_number_index = r.id_number_index"
                     " WHERE r.job_id = %s AND r.error = ''",
                     (enrollment.pk, unit.pk, unit.league_id, unit.county_id, job.pk))

