"""The province dashboard over N coverages and M claims, against a plain aggregate of a bare table.

Loads N coverages over eight plan years (units, workers and coverages written straight with COPY;
default 10,000,000), then M claims with the demo claim generator (default 1,000,000: its share of
coverages sets the rate), refreshes the summaries, and times each dashboard query cold (no app
cache) and warm (cached), with the ratio to `SELECT plan_year, count(*), sum(amount) GROUP BY` over
a bare table holding the same N rows, measured in the same run.
Usage: .venv/bin/python bench/dashboard.py [N] [M]    e.g. bench/dashboard.py 200000 20000
(DATABASE_URL selects PostgreSQL; the scale target is PostgreSQL.)
"""
import os
import sys
import time
from datetime import date

from _setup import django_for_bench

django_for_bench("dashboard")

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from huzhu.core.bulk import insert_rows  # noqa: E402
from huzhu.core.scopes import PROVINCE, Scope  # noqa: E402
from huzhu.demo.claims import generate_demo_claims  # noqa: E402
from huzhu.enrollment.models import Coverage, Enrollment  # noqa: E402
from huzhu.members.models import MemberUnit, Worker  # noqa: E402
from huzhu.plans.models import PlanYear  # noqa: E402
from huzhu.plans.services import install_default_plans  # noqa: E402
from huzhu.regions.models import Division  # noqa: E402
from huzhu.reports import queries  # noqa: E402
from huzhu.reports.services import refresh_summaries  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_COVERAGES", 10_000_000))
M = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("BENCH_CLAIMS", 1_000_000))
YEARS = list(range(2019, 2027))
PER_UNIT = 80


def _ids(model, count: int) -> int:
    """The first of `count` fresh primary keys (rows are written with explicit ids)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        first = cursor.fetchone()[0] + 1
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [first + count])
    return first


def _db(value):
    return value if connection.vendor == "postgresql" or value is None else str(value)


def load(n: int) -> None:
    """Units, workers and n coverages over YEARS (each worker covered every year), straight into the tables."""
    started = time.perf_counter()
    workers = max(1, n // len(YEARS))
    units = max(1, workers // PER_UNIT)
    counties = list(Division.objects.filter(level="county").values_list("code", "parent_id"))
    now = _db(timezone.now())
    unit0, worker0 = _ids(MemberUnit, units), _ids(Worker, workers)
    insert_rows(MemberUnit._meta.db_table,
                ["id", "name", "credit_code", "kind", "sector", "league_id", "county_id", "has_union",
                 "eligible_headcount", "female_headcount", "contact_name", "contact_phone", "created_at"],
                ((unit0 + i, f"基准单位{i}", f"B{i:017d}", "enterprise", "", counties[i % len(counties)][1],
                  counties[i % len(counties)][0], True, PER_UNIT, PER_UNIT // 2, "", "", now) for i in range(units)))
    unit_region = {unit0 + i: counties[i % len(counties)] for i in range(units)}
    insert_rows(Worker._meta.db_table,
                ["id", "name", "id_number_encrypted", "id_number_index", "id_number_masked", "gender", "birth_on",
                 "ethnicity", "phone_encrypted", "kind", "unit_id", "league_id", "county_id", "bank_name",
                 "bank_account_encrypted", "bank_account_masked", "created_at"],
                ((worker0 + i, "职工", "x", f"{i:032d}", "1502**********0000", "MF"[i % 2],
                  _db(date(1970 + i % 35, 1 + i % 12, 1 + i % 28)), "", "", "employee", unit0 + i % units,
                  unit_region[unit0 + i % units][1], unit_region[unit0 + i % units][0], "", "", "", now)
                 for i in range(workers)))
    print(f"  {units:,} units, {workers:,} workers in {time.perf_counter() - started:.1f} s", flush=True)
    plan_years = {p.year: p for p in PlanYear.objects.filter(plan_id="hospitalization", year__in=YEARS)}
    for offset, year in enumerate(YEARS):
        plan_year, terms = plan_years[year], plan_years[year].terms
        enrollment0 = _ids(Enrollment, units)
        insert_rows(Enrollment._meta.db_table,
                    ["id", "unit_id", "plan_year_id", "kind", "is_renewal", "status", "league_id", "county_id",
                     "headcount", "contribution_amount", "subsidy_amount", "due_amount", "paid_amount", "paid_on",
                     "bank_reference", "created_at"],
                    ((enrollment0 + i, unit0 + i, plan_year.pk, "annual", offset > 0, "paid",
                      unit_region[unit0 + i][1], unit_region[unit0 + i][0], PER_UNIT, _db(0), _db(0), _db(0),
                      _db(0), _db(date(year - 1, 11, 15)), "BENCH", now) for i in range(units)))
        coverage0 = _ids(Coverage, workers)
        insert_rows(Coverage._meta.db_table,
                    ["id", "worker_id", "plan_year_id", "unit_id", "enrollment_id", "league_id", "county_id",
                     "status", "certificate_no", "starts_on", "ends_on", "consecutive_years", "contribution_amount",
                     "subsidy_amount", "created_at"],
                    ((coverage0 + i, worker0 + i, plan_year.pk, unit0 + i % units, enrollment0 + i % units,
                      unit_region[unit0 + i % units][1], unit_region[unit0 + i % units][0], "active",
                      f"{year}-{coverage0 + i}", _db(terms.protection_start_on), _db(terms.protection_end_on),
                      offset + 1, _db(terms.contribution_amount), _db(terms.subsidy_amount), now)
                     for i in range(workers)))
        print(f"  {year}: {workers:,} coverages ({time.perf_counter() - started:.1f} s)", flush=True)


def timed(label: str, function, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def bare_aggregate(n: int) -> float:
    """The floor: one GROUP BY over a bare table of n rows, no indexes, no joins."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_coverage")
        cursor.execute("CREATE TABLE bench_bare_coverage (plan_year integer, county varchar(6), unit integer, "
                       "amount numeric(14, 2))")
    with transaction.atomic():
        insert_rows("bench_bare_coverage", ["plan_year", "county", "unit", "amount"],
                    ((i % len(YEARS), "150203", i % 10_000, _db(100)) for i in range(n)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE bench_bare_coverage")

        def run():
            cursor.execute("SELECT plan_year, COUNT(*), SUM(amount) FROM bench_bare_coverage GROUP BY plan_year")
            cursor.fetchall()

        run()  # warm the buffers as the dashboard's tables are
        return timed("bare", run, repeat=3)


def main() -> None:
    install_default_plans(years=YEARS)
    print(f"dashboard bench: {N:,} coverages, {M:,} claims ({connection.vendor})", flush=True)
    if Coverage.objects.count() >= N:  # a re-run over the same database keeps the loaded coverages
        print("  coverages already loaded", flush=True)
    else:
        with transaction.atomic():
            load(N)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    now = timezone.make_aware(timezone.datetime(2026, 11, 29, 12))
    rate = M / max(N, 1)
    for year in YEARS:
        plan_year = PlanYear.objects.get(plan_id="hospitalization", year=year)
        summary = generate_demo_claims(plan_year=plan_year, seed=1, rate=rate, now=now)
        print(f"  {year}: {summary.claims:,} claims{' (already there)' if summary.skipped else ''}"
              f" ({time.perf_counter() - started:.0f} s)", flush=True)
    claims_seconds = time.perf_counter() - started
    print(f"  demo claims: {claims_seconds:.1f} s", flush=True)
    refresh = timed("refresh", lambda: refresh_summaries(actor=None))
    bare = bare_aggregate(N)
    filters = queries.Filters(year=2026)
    county = Division.objects.filter(level="county").order_by("code").values_list("code", flat=True).first()
    scopes = [("province", PROVINCE), ("league 150200", Scope("league", "150200", role="office")),
              ("county " + county, Scope("county", county, role="agency"))]
    print(f"refresh summaries (all years): {refresh:.2f} s")
    print(f"bare GROUP BY over {N:,} rows: {bare * 1000:.1f} ms")
    print(f"{'query':<28}{'ms':>10}{'x bare':>10}")
    for label, scope in scopes:
        cache.clear()
        cold = timed(label, lambda scope=scope: queries.dashboard(scope, filters))
        warm = timed(label, lambda scope=scope: queries.dashboard(scope, filters), repeat=5)
        for kind, seconds in (("cold", cold), ("warm", warm)):
            print(f"{label + ' ' + kind:<28}{seconds * 1000:>10.1f}{seconds / bare:>10.2f}")
    cache.clear()
    view = queries.view_scope(PROVINCE)
    ids = queries.plan_years_of("")
    source = queries._Summary(view, ids)
    year_ids = [pk for pk, (_, y) in ids.items() if y == 2026]
    for label, function in (("by year (summary)", source.by_year),
                            ("leagues (summary)", lambda: source.children(year_ids, "league_id")),
                            ("statuses (summary)", lambda: source.claims(year_ids)),
                            ("diagnoses (summary)", lambda: source.diagnoses(year_ids)),
                            ("review steps (summary)", lambda: source.steps(year_ids)),
                            ("overdue (live)", lambda: queries.aggregates.overdue_claims(
                                view, list(ids), date(2026, 11, 29)))):
        seconds = timed(label, function, repeat=3)
        print(f"{label:<28}{seconds * 1000:>10.1f}{seconds / bare:>10.2f}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_coverage")


if __name__ == "__main__":
    main()
