"""Coverage rows are created and started here only: one set-based write path for every door.

Picking workers on the desk (`add_workers`), the roster import (its staged rows, INSERT … SELECT),
the bulk `enroll_and_pay` (demo, campaign demo, tests) and the synthetic experience all hand
their rows to `insert_coverages` at once: a pending coverage in its enrollment, with the plan
year's amounts and the consecutive-years rule of history.py. Payment starts them with
`activate_coverages` (start date, end date and certificate number), many enrollments at once.
Coverages that already ran (a sample history: the synthetic experience of tests and the bench)
go in active with their own start dates and years with `insert_past_coverages`.
Callers hold the transaction and have checked who may be covered.
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from huzhu.core.bulk import RowSource, insert_rows, update_rows
from huzhu.plans.models import PlanYear

from .. import rules
from ..models import CertificateSequence, Coverage, Enrollment
from .history import consecutive_years_params, consecutive_years_sql, refresh_consecutive_years

# What a caller gives for each coverage, in this order (tuples, or the named columns of a RowSource).
SOURCE_COLUMNS = ("worker_id", "enrollment_id", "unit_id", "league_id", "county_id")
# A past coverage adds its start, its consecutive years (history before the records) and the day the worker left.
PAST_COLUMNS = (*SOURCE_COLUMNS, "starts_on", "consecutive_years", "left_on")
_CHUNK = 500


def _money(value):
    field = Coverage._meta.get_field("contribution_amount")
    return connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)


def insert_coverages(*, plan_year: PlanYear, rows: Iterable[Sequence] | RowSource) -> int:
    """Pending coverages of `plan_year`, one per row (SOURCE_COLUMNS); returns the count.

    `rows` are tuples, or a RowSource whose SELECT names SOURCE_COLUMNS (rows already in the
    database: one INSERT … SELECT, the consecutive-years rule inside it; inserted in worker
    order). A worker already covered in the plan year raises IntegrityError (the database's
    one-coverage-per-year constraint).
    """
    terms = plan_year.terms
    previous = PlanYear.objects.filter(plan_id=plan_year.plan_id, year=plan_year.year - 1).first()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    contribution, subsidy = _money(terms.contribution_amount), _money(terms.subsidy_amount)
    table = connection.ops.quote_name(Coverage._meta.db_table)
    if isinstance(rows, RowSource):
        sql = f"""
            INSERT INTO {table} (worker_id, plan_year_id, unit_id, enrollment_id, league_id, county_id,
                status, consecutive_years, contribution_amount, subsidy_amount, created_at)
            SELECT s.worker_id, %s, s.unit_id, s.enrollment_id, s.league_id, s.county_id, %s,
                {consecutive_years_sql("s.worker_id")}, %s, %s, %s
            FROM ({rows.sql}) s
            ORDER BY s.worker_id"""
        with connection.cursor() as cursor:
            cursor.execute(sql, (plan_year.pk, Coverage.Status.PENDING, *consecutive_years_params(previous),
                                 contribution, subsidy, now, *rows.params))
            return cursor.rowcount
    enrollment_ids: set[int] = set()

    def values():
        for worker_id, enrollment_id, unit_id, league_id, county_id in rows:
            enrollment_ids.add(enrollment_id)
            yield (worker_id, plan_year.pk, unit_id, enrollment_id, league_id, county_id, Coverage.Status.PENDING,
                   1, contribution, subsidy, now)

    count = insert_rows(Coverage._meta.db_table,
                        ("worker_id", "plan_year_id", "unit_id", "enrollment_id", "league_id", "county_id", "status",
                         "consecutive_years", "contribution_amount", "subsidy_amount", "created_at"), values())
    refresh_consecutive_years(plan_year=plan_year, enrollment_ids=sorted(enrollment_ids))
    return count


def insert_past_coverages(*, plan_year: PlanYear, rows: Iterable[Sequence]) -> list[int]:
    """Active coverages of `plan_year` as they ran, one per row (PAST_COLUMNS); their ids in row order.

    Each starts on its own day inside the protection period and runs to its end (DOMAIN: a worker
    who leaves stays covered); amounts are the plan year's. No certificate numbers: a sample
    history has none. A start outside the period raises ValueError naming the worker.
    """
    terms = plan_year.terms
    opens_on, ends_on = terms.protection_start_on, terms.protection_end_on
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    contribution, subsidy = _money(terms.contribution_amount), _money(terms.subsidy_amount)
    enrollment_ids: set[int] = set()

    def values():
        for worker_id, enrollment_id, unit_id, league_id, county_id, starts_on, consecutive, left_on in rows:
            if not opens_on <= starts_on <= ends_on:
                raise ValueError(f"worker {worker_id}: coverage starts on {starts_on}, outside {opens_on}–{ends_on}")
            enrollment_ids.add(enrollment_id)
            yield (worker_id, plan_year.pk, unit_id, enrollment_id, league_id, county_id, Coverage.Status.ACTIVE,
                   starts_on, ends_on, consecutive, left_on, contribution, subsidy, now)

    insert_rows(Coverage._meta.db_table,
                ("worker_id", "plan_year_id", "unit_id", "enrollment_id", "league_id", "county_id", "status",
                 "starts_on", "ends_on", "consecutive_years", "left_on", "contribution_amount", "subsidy_amount",
                 "created_at"), values())
    ids: list[int] = []
    chosen = sorted(enrollment_ids)
    for start in range(0, len(chosen), _CHUNK):
        ids.extend(Coverage.objects.filter(enrollment_id__in=chosen[start:start + _CHUNK]).values_list("pk", flat=True))
    return sorted(ids)


def reserve_certificates(year: int, county_code: str, count: int) -> int:
    """Reserve `count` consecutive certificate numbers for a year and county; returns the first."""
    try:
        with transaction.atomic():
            CertificateSequence.objects.get_or_create(year=year, county_id=county_code)
    except IntegrityError:  # created concurrently; the row now exists
        pass
    sequence = CertificateSequence.objects.select_for_update().get(year=year, county_id=county_code)
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return first


def activate_coverages(*, plan_year: PlanYear, enrollments: Sequence[Enrollment], paid_on: date) -> int:
    """Start the pending coverages of paid enrollments: the day after payment (never before the
    period) to the period's end, numbered per county in enrollment then coverage order; returns the count."""
    terms = plan_year.terms
    starts_on = rules.coverage_start(terms, paid_on)
    pending: list[tuple[int, str]] = []
    ids = [e.pk for e in enrollments]
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        order = {pk: n for n, pk in enumerate(chunk)}
        found = list(Coverage.objects.filter(enrollment_id__in=chunk, status=Coverage.Status.PENDING)
                     .values_list("pk", "enrollment_id", "county_id"))
        found.sort(key=lambda row: (order[row[1]], row[0]))
        pending.extend((pk, county) for pk, _enrollment, county in found)
    per_county: dict[str, int] = defaultdict(int)
    for _pk, county in pending:
        per_county[county] += 1
    next_number = {county: reserve_certificates(plan_year.year, county, n) for county, n in sorted(per_county.items())}
    changes = []
    for pk, county in pending:
        changes.append((pk, Coverage.Status.ACTIVE, starts_on, terms.protection_end_on,
                        rules.certificate_number(plan_year.year, county, next_number[county]), Coverage.Status.PENDING))
        next_number[county] += 1
    update_rows(Coverage._meta.db_table, "id", ["status", "starts_on", "ends_on", "certificate_no"], changes,
                expected=["status"])
    return len(changes)
