"""Consecutive years in a plan (连续参互年数): the stored figure always follows the enrollment history.

DOMAIN: the daily allowance depends on the worker's consecutive year in the plan. The rule is
written here once, as SQL, so that a roster import (INSERT … SELECT) and every other path
apply the same expression: a coverage counts one more year than the worker's active (paid)
coverage in the same plan the year before, else 1. A coverage that becomes active changes the
following years of its worker, so they are recomputed after it, one statement per plan year
(set-based: never a query per coverage). Claims already decided keep the figure they were
decided on (claims are append-only); a claim decided later reads the recomputed one.
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection

from huzhu.plans.models import PlanYear

from ..models import Coverage

_CHUNK = 500  # enrollment ids per statement


def _table() -> str:
    return connection.ops.quote_name(Coverage._meta.db_table)


def consecutive_years_sql(worker: str) -> str:
    """The rule as an SQL expression for the row whose worker id is `worker`.

    Its parameters, in order: the id of the previous plan year of the same plan (None when
    there is none) and the active status. (The unary plus keeps SQLite on the worker index,
    see queries/imports.py staged_row_conflicts.)
    """
    return (f"(COALESCE((SELECT p.consecutive_years FROM {_table()} p WHERE p.worker_id = {worker}"
            f" AND +p.plan_year_id = %s AND p.status = %s), 0) + 1)")


def consecutive_years_params(previous: PlanYear | int | None) -> tuple:
    """The parameters of consecutive_years_sql for a plan year whose previous year is `previous`."""
    return (getattr(previous, "pk", previous), Coverage.Status.ACTIVE)


def refresh_consecutive_years(*, plan_year: PlanYear, enrollment_ids: Sequence[int]) -> int:
    """Apply the rule to the enrollments' coverages and to their workers' later years of the plan.

    Call it after coverages are inserted or paid. Returns the number of coverages changed.
    """
    chain = list(PlanYear.objects.filter(plan_id=plan_year.plan_id, year__gte=plan_year.year - 1)
                 .order_by("year").values_list("pk", "year"))
    previous_of = {year: pk for pk, year in chain}
    later = [(pk, previous_of.get(year - 1)) for pk, year in chain if year > plan_year.year]
    table, rule = _table(), consecutive_years_sql(f"{_table()}.worker_id")
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(enrollment_ids), _CHUNK):
            ids = list(enrollment_ids[start:start + _CHUNK])
            marks = ", ".join(["%s"] * len(ids))
            params = consecutive_years_params(previous_of.get(plan_year.year - 1))
            cursor.execute(f"UPDATE {table} SET consecutive_years = {rule}"
                           f" WHERE enrollment_id IN ({marks}) AND status <> %s AND consecutive_years <> {rule}",
                           (*params, *ids, Coverage.Status.CANCELLED, *params))
            changed += cursor.rowcount
            for year_id, previous_id in later:
                params = consecutive_years_params(previous_id)
                cursor.execute(
                    f"UPDATE {table} SET consecutive_years = {rule}"
                    f" WHERE +plan_year_id = %s AND status <> %s AND consecutive_years <> {rule}"
                    f" AND worker_id IN (SELECT e.worker_id FROM {table} e WHERE e.enrollment_id IN ({marks}))",
                    (*params, year_id, Coverage.Status.CANCELLED, *params, *ids))
                changed += cursor.rowcount
                # Only `plan_year` moved: once a later year is unchanged, so are the years after it.
                if cursor.rowcount == 0:
                    break
    return changed


def recompute_all_consecutive_years(plan_years: Iterable[tuple[int, str, int]]) -> int:
    """Apply the rule to every coverage, plan by plan in year order; `plan_years` = (id, plan, year) rows.

    One statement per plan year. Used to bring rows stored before the rule was kept up to date.
    """
    by_plan: dict[str, dict[int, int]] = defaultdict(dict)
    for pk, plan, year in plan_years:
        by_plan[plan][year] = pk
    table, rule = _table(), consecutive_years_sql(f"{_table()}.worker_id")
    changed = 0
    with connection.cursor() as cursor:
        for years in by_plan.values():
            for year in sorted(years):
                params = consecutive_years_params(years.get(year - 1))
                cursor.execute(f"UPDATE {table} SET consecutive_years = {rule}"
                               f" WHERE +plan_year_id = %s AND status <> %s AND consecutive_years <> {rule}",
                               (*params, years[year], Coverage.Status.CANCELLED, *params))
                changed += cursor.rowcount
    return changed
