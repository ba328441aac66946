"""Staged roster rows (`ImportRow`) in bulk: written by COPY / executemany, moved on by INSERT … SELECT.

Validation stages every row of a chunk at once (valid rows with their ID number and phone encrypted
and blind-indexed, bad rows with the reason) and then corrects the few rows the database objects to.
The import moves the valid rows into workers, employments and coverages without bringing them
back into Python. Callers hold the transaction.
"""
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from huzhu.core.bulk import RowSource, insert_rows, update_rows
from huzhu.members.models import Worker
from huzhu.members.services import PREPARED_WORKER_COLUMNS
from huzhu.plans.models import PlanYear

from ..models import Coverage, Enrollment, ImportJob, ImportRow
from .history import consecutive_years_params, consecutive_years_sql

# Column order of the tuples `stage_rows` takes.
STAGED_COLUMNS = ("job_id", "row_no", "name", "id_number_index", "id_number_encrypted", "id_number_masked", "gender",
                  "birth_on", "phone_encrypted", "phone_index", "phone_masked", "kind", "ethnicity", "started_on",
                  "worker_id", "error_field", "error")


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
            " phone_masked = '', kind = '', ethnicity = '',"
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


def insert_coverages(*, job: ImportJob, enrollment: Enrollment, previous: PlanYear | None,
                     contribution_amount: Decimal, subsidy_amount: Decimal) -> int:
    """A pending coverage in `enrollment` for every valid row's worker (registered by now); returns the count.

    Consecutive years follow the one rule of history.consecutive_years_sql. The coverages are
    pending, so no later year counts them yet (payment recomputes those). In worker order, so the
    indexes by worker fill page by page.
    """
    ops = connection.ops
    money = Coverage._meta.get_field("contribution_amount")
    sql = f"""
        INSERT INTO {_table(Coverage)} (worker_id, plan_year_id, unit_id, enrollment_id, league_id, county_id,
            status, consecutive_years, contribution_amount, subsidy_amount, created_at)
        SELECT w.id, %s, %s, %s, %s, %s, %s, {consecutive_years_sql("w.id")}, %s, %s, %s
        FROM {_table(ImportRow)} r
        JOIN {_table(Worker)} w ON w.id_number_index = r.id_number_index
        WHERE r.job_id = %s AND r.error = ''
        ORDER BY w.id"""
    params = (enrollment.plan_year_id, enrollment.unit_id, enrollment.pk, enrollment.unit.league_id,
              enrollment.unit.county_id, Coverage.Status.PENDING, *consecutive_years_params(previous),
              ops.adapt_decimalfield_value(contribution_amount, money.max_digits, money.decimal_places),
              ops.adapt_decimalfield_value(subsidy_amount, money.max_digits, money.decimal_places),
              ops.adapt_datetimefield_value(timezone.now()), job.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount

