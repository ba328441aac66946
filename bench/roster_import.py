"""Roster import benchmark: full validation import vs a bare load of the same rows, same database and run.

    python bench/roster_import.py [--csv-rows N] [--xlsx-rows N]   (env: BENCH_CSV_ROWS, BENCH_XLSX_ROWS)

Database: DATABASE_URL when set (PostgreSQL: a fresh database test_<name> is created and dropped,
so name one nobody tests with, e.g. postgres://postgres@127.0.0.1:5432/bench_roster),
else a throwaway SQLite file under var/. The import is the real pipeline (validate_import +
commit_import: ID checksums, ages, duplicates, blind indexes, encryption, workers, employments,
coverages). The baseline loads the same rows without validation into a bare table: COPY on
PostgreSQL, executemany on SQLite.

Each CSV run also times the same rows written unvalidated into workers, employments and
coverages (what the writes alone cost; before the import, so the import writes into fuller tables).

Measured 2026-11-29 on the 2-vCPU development VM, PostgreSQL 15 with default settings
(docs/scaling.md, "Roster imports", has the conditions and the breakdown):

    PostgreSQL  CSV  1,000,000 rows  143.3 s   6,979 rows/s  bare 1.34 s  ratio 107x  unvalidated 80.0 s (60x)
    PostgreSQL  XLSX   100,000 rows   29.4 s   3,396 rows/s  bare 13.2 s  ratio 2.2x
    SQLite      CSV  1,000,000 rows  112.3 s   8,903 rows/s  bare 48.0 s  ratio 2.3x  unvalidated 27.7 s
    SQLite      XLSX   100,000 rows   36.6 s   2,733 rows/s  bare 17.3 s  ratio 2.1x

The 5x target holds on SQLite; on PostgreSQL the unvalidated writes into workers, employments and
coverages alone take 50-70x the bare COPY, and the import is 1.8x those.
"""
import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhu.settings")
SQLITE_FILE = ROOT / "var" / "bench_roster.sqlite3"
if not os.environ.get("DATABASE_URL"):
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from huzhu.core.bulk import large_load  # noqa: E402

TODAY = date(2025, 11, 1)
HEADER = ["姓名", "身份证号", "手机号", "人员类别", "入职日期"]


def people(n: int, offset: int = 0):
    """n distinct valid rows: birth dates 1975.. and 3-digit sequences (eligible for hospitalization)."""
    from huzhu.core.idnumbers import make_resident_id

    start = date(1975, 1, 1)
    for i in range(offset, offset + n):
        birth = start + timedelta(days=i // 400)
        yield [f"职工{i}", make_resident_id("150203", birth, i % 400 + 1), f"139{i % 100000000:08d}", "在职职工",
               "2020-01-01"]


def write_csv(path: Path, n: int, offset: int = 0) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(people(n, offset))


def write_xlsx(path: Path, n: int, offset: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名册")
    sheet.append(HEADER)
    for row in people(n, offset):
        sheet.append(row)
    book.save(path)


def bare_load(path: Path, kind: str) -> float:
    """Load the file's rows unvalidated into a bare table; seconds."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_roster_bare")
        cursor.execute("CREATE TABLE bench_roster_bare (name varchar(50), id_number varchar(18), phone varchar(11),"
                       " kind varchar(20), started_on varchar(10))")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and kind == "csv":
            with path.open("rb") as handle, cursor.cursor.copy(
                    "COPY bench_roster_bare FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        else:
            rows = _rows(path, kind)
            batch = []
            sql = "INSERT INTO bench_roster_bare VALUES (%s, %s, %s, %s, %s)"
            for row in rows:
                batch.append(row)
                if len(batch) >= 10000:
                    _many(cursor, sql, batch)
                    batch = []
            if batch:
                _many(cursor, sql, batch)
    connection.commit() if not connection.get_autocommit() else None
    return time.perf_counter() - started


def _many(cursor, sql, batch):
    if connection.vendor == "postgresql":
        with cursor.cursor.copy("COPY bench_roster_bare FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)
    else:
        cursor.executemany(sql, batch)


def _rows(path: Path, kind: str):
    if kind == "csv":
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            yield from reader
    else:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        next(rows)
        for row in rows:
            yield [str(v) if v is not None else None for v in row[:5]]
        book.close()


def unvalidated_load(unit, plan_year) -> float:
    """Write the bare table's rows, unvalidated, into workers, employments and coverages; seconds.

    What the import's writes cost without any of its checks: three INSERT … SELECT in one
    transaction (so the foreign keys are checked at its commit), into the same tables with the
    same indexes and constraints. The ID number is not encrypted or hashed in Python: a stand-in
    of the real ciphertext's length, and as blind index md5 on PostgreSQL (random order, like the
    real HMAC) or the number itself on SQLite. Other people than the import's (a prefix on the
    index), at their own unit; run before the import, so the import writes into the fuller tables.
    """
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.core.crypto import encrypt_text
    from huzhu.enrollment import services

    enrollment = services.start_enrollment(actor=SYSTEM_ACTOR, unit=unit, plan_year=plan_year, today=TODAY)
    index = "md5('u' || b.id_number)" if connection.vendor == "postgresql" else "'u' || b.id_number"
    cipher = "x" * len(encrypt_text("150203197501010011"))
    birth = ("CAST(substr(b.id_number, 7, 4) || '-' || substr(b.id_number, 11, 2) || '-' || substr(b.id_number, 13, 2)"
             " AS date)")
    workers = f"""
        INSERT INTO members_worker (name, id_number_encrypted, id_number_index, id_number_masked, gender, birth_on,
            ethnicity, phone_masked, kind, unit_id, league_id, county_id, bank_name, bank_account_encrypted,
            bank_account_masked, bank_account_index, created_at)
        SELECT b.name, %s, {index}, substr(b.id_number, 1, 4) || '**********' || substr(b.id_number, 15, 4),
            CASE WHEN CAST(substr(b.id_number, 17, 1) AS integer) %% 2 = 1 THEN 'M' ELSE 'F' END, {birth},
            '', b.phone, 'employee', %s, %s, %s, '', '', '', '', CURRENT_TIMESTAMP
        FROM bench_roster_bare b ORDER BY b.name"""
    employments = f"""
        INSERT INTO members_employment (worker_id, unit_id, started_on)
        SELECT w.id, %s, CAST(b.started_on AS date) FROM bench_roster_bare b
        JOIN members_worker w ON w.id_number_index = {index} ORDER BY w.id"""
    coverages = f"""
        INSERT INTO enrollment_coverage (worker_id, plan_year_id, unit_id, enrollment_id, league_id, county_id, status,
            consecutive_years, contribution_amount, subsidy_amount, created_at)
        SELECT w.id, %s, %s, %s, %s, %s, 'pending', 1, %s, %s, CURRENT_TIMESTAMP FROM bench_roster_bare b
        JOIN members_worker w ON w.id_number_index = {index} ORDER BY w.id"""
    terms = plan_year.terms
    started = time.perf_counter()
    with large_load(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(workers, (cipher, unit.pk, unit.league_id, unit.county_id))
        cursor.execute(employments, (unit.pk,))
        cursor.execute(coverages, (plan_year.pk, unit.pk, enrollment.pk, unit.league_id, unit.county_id,
                                   str(terms.contribution_amount), str(terms.subsidy_amount)))
    return time.perf_counter() - started


def full_import(path: Path, unit, plan_year) -> tuple[float, int]:
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.enrollment import services
    from huzhu.enrollment.models import Enrollment, ImportJob

    draft = Enrollment.objects.filter(unit=unit, plan_year=plan_year, status=Enrollment.Status.DRAFT).first()
    draft = draft or services.start_enrollment(actor=SYSTEM_ACTOR, unit=unit, plan_year=plan_year,
                                               today=TODAY)
    started = time.perf_counter()
    job = services.create_import_job(actor=SYSTEM_ACTOR, enrollment=draft, file_name=path.name, path=path)
    job = services.validate_import(job_id=job.pk, today=TODAY)
    validated = time.perf_counter()
    job = services.commit_import(actor=None, job_id=job.pk, policy=ImportJob.Policy.ALL_OR_NOTHING, today=TODAY)
    finished = time.perf_counter()
    assert job.status == ImportJob.Status.DONE and job.error_count == 0, (job.status, job.message)
    print(f"   validate {validated - started:.1f}s, commit {finished - validated:.1f}s", flush=True)
    return finished - started, job.imported_count


def report(label: str, rows: int, imported_seconds: float, bare_seconds: float,
           unvalidated_seconds: float | None = None) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
    print(f"{label}: {rows:,} rows  import {imported_seconds:.1f}s ({rows / imported_seconds:,.0f} rows/s)  "
          f"bare load {bare_seconds:.2f}s ({rows / bare_seconds:,.0f} rows/s)  ratio {imported_seconds / bare_seconds:.1f}x"
          f"  (peak RSS so far {peak} MiB)", flush=True)
    if unvalidated_seconds:
        print(f"      the same rows unvalidated into workers, employments and coverages {unvalidated_seconds:.1f}s"
              f" ({unvalidated_seconds / bare_seconds:.1f}x the bare load); the import is"
              f" {imported_seconds / unvalidated_seconds:.1f}x that", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv-rows", type=int, default=int(os.environ.get("BENCH_CSV_ROWS", 1_000_000)))
    parser.add_argument("--xlsx-rows", type=int, default=int(os.environ.get("BENCH_XLSX_ROWS", 100_000)))
    args = parser.parse_args()
    test_db = None
    if connection.vendor == "postgresql":
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    try:
        from huzhu.conftest import make_unit
        from huzhu.plans.services import install_default_plans

        install_default_plans(years=(2026,))
        from huzhu.plans.queries import plan_year as find_plan_year

        plan_year = find_plan_year("hospitalization", 2026)
        print(f"database: {connection.vendor}; CSV {args.csv_rows:,} rows, XLSX {args.xlsx_rows:,} rows", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            if args.csv_rows:
                path = Path(tmp) / "roster.csv"
                write_csv(path, args.csv_rows)
                bare = bare_load(path, "csv")
                unvalidated = unvalidated_load(make_unit(eligible_headcount=0, female_headcount=0), plan_year)
                seconds, count = full_import(path, make_unit(eligible_headcount=0, female_headcount=0), plan_year)
                report("CSV ", count, seconds, bare, unvalidated)
            if args.xlsx_rows:
                path = Path(tmp) / "roster.xlsx"
                write_xlsx(path, args.xlsx_rows, offset=args.csv_rows)
                bare = bare_load(path, "xlsx")
                seconds, count = full_import(path, make_unit(eligible_headcount=0, female_headcount=0), plan_year)
                report("XLSX", count, seconds, bare)
    finally:
        if test_db:
            connection.creation.destroy_test_db(test_db, verbosity=0)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
