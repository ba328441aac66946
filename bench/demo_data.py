"""Generating and loading N workers (default 1,000,000) vs a bare bulk insert of the same rows.

Prints rows/s of `huzhu demo` and the ratio to inserting the same number of rows, with the same
column widths, into a plain table with no indexes, in the same database and run.
Usage: .venv/bin/python bench/demo_data.py [N]   (DATABASE_URL selects PostgreSQL)
"""
import sys
import time

from _setup import django_for_bench

django_for_bench("demo_data")

from django.db import connection, transaction  # noqa: E402

from huzhu.demo import members as demo  # noqa: E402
from huzhu.members.models import Employment, MemberUnit, Worker  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


def reset() -> None:
    with transaction.atomic():
        Employment.objects.all().delete()
        Worker.objects.all().delete()
        MemberUnit.objects.all().delete()


def bare_insert(rows: int) -> float:
    """Insert `rows` rows of similar width into a plain table: the floor any loader can reach."""
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_bare_worker")
        cur.execute("CREATE TABLE bench_bare_worker (name varchar(50), id_enc varchar(120), id_idx varchar(32), "
                    "masked varchar(18), gender varchar(1), birth date, phone varchar(11), unit_id bigint)")
    row = ("巴特尔", "v1:" + "A" * 60, "f" * 32, "1502**********1234", "M", "1985-03-02", "13800138000", 1)
    started = time.perf_counter()
    batch = 5000
    with transaction.atomic(), connection.cursor() as cur:
        for offset in range(0, rows, batch):
            cur.executemany("INSERT INTO bench_bare_worker VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                            [row] * min(batch, rows - offset))
    elapsed = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_bare_worker")
    return elapsed


def main() -> None:
    reset()
    started = time.perf_counter()
    summary = demo.generate(workers=N, seed=7)
    generated = time.perf_counter() - started
    bare = bare_insert(N)
    print(f"database: {connection.vendor}; workers: {summary.workers:,} in {summary.units:,} units")
    print(f"huzhu demo: {generated:.1f} s, {summary.workers / generated:,.0f} workers/s "
          f"(valid ID numbers, AES-GCM encryption, blind index, employment rows)")
    print(f"bare insert: {bare:.1f} s, {N / bare:,.0f} rows/s")
    print(f"ratio demo/bare: {generated / bare:.2f}x")


if __name__ == "__main__":
    main()
