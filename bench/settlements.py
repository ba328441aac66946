"""Settlement-feed benchmark: a province-sized medical-insurance feed against covered workers, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_feed python bench/settlements.py
    (env: BENCH_FEED_ROWS, default 1,000,000; BENCH_FEED_SMALL_ROWS, default 10,000)

The database is migrated and filled with 1.1 × rows covered workers (bulk inserts: the fixture, not
the subject); 4% of the feed's rows are stays of consenting covered workers (matched, a claim each),
16% of covered workers who did not consent, 80% of people the scheme does not know. Printed:

- rows/s of the real import (create_settlement_import + run_settlement_import: header check,
  parsing, blind indexes, COPY into staging, set-based matching, claims_from_settlements);
- the ratio to a bare COPY of the same file into a plain table, measured in the same run;
- peak memory (ru_maxrss) of a child process importing the small feed and one importing the full one
  (flat means the two are close: the import streams);
- claims created per second of the import's matching phase.
Benchmarks print ratios; they are never timed assertions (STYLE.md).
"""
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_for_bench  # noqa: E402

TODAY = date(2027, 3, 1)
FEED_DIR = ROOT / "var" / "bench"


def _header():
    from huzhu.settlements.rules import HEADER

    return HEADER


def build_world(workers: int, seed: int = 1) -> list[tuple[str, bool]]:
    """Covered workers in bulk; returns (ID number, consents) for each, in a deterministic order."""
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.core.bulk import large_load
    from huzhu.core.crypto import blind_index_many
    from huzhu.core.idnumbers import make_credit_code, make_resident_id, mask_id_number
    from huzhu.enrollment.models import Coverage, Enrollment
    from huzhu.members import services as member_services
    from huzhu.members.models import Worker
    from huzhu.plans.queries import plan_year
    from huzhu.plans.services import install_default_plans
    from huzhu.settlements import services

    install_default_plans(years=(2026, 2027))
    services.save_agreement(actor=SYSTEM_ACTOR, bureau_name="内蒙古自治区医疗保障局", region_id=None,
                            starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31), retention_days=180)
    unit = member_services.register_unit(actor=SYSTEM_ACTOR, name="基准测试单位", county_code="150203",
                                         credit_code=make_credit_code("91", "150203", "B0000001"))
    year = plan_year("hospitalization", 2027)
    enrollment = Enrollment.objects.create(unit=unit, plan_year=year, status=Enrollment.Status.PAID,
                                           league_id="150200", county_id="150203")
    rng = random.Random(seed)
    people = []
    with large_load():
        for start in range(0, workers, 20000):
            numbers = [make_resident_id("150203", date(1960, 1, 1) + timedelta(days=i // 900), i % 900 + 1)
                       for i in range(start, min(workers, start + 20000))]
            indexes = blind_index_many(numbers)
            made = Worker.objects.bulk_create([Worker(
                name=f"职工{start + n}", id_number_encrypted="bench", id_number_index=index,
                id_number_masked=mask_id_number(number), gender="M" if int(number[16]) % 2 else "F",
                birth_on=date(1970, 1, 1), unit=unit, league_id="150200", county_id="150203")
                for n, (number, index) in enumerate(zip(numbers, indexes, strict=True))], batch_size=5000)
            Coverage.objects.bulk_create([Coverage(
                worker=w, plan_year=year, unit=unit, enrollment=enrollment, league_id="150200", county_id="150203",
                status=Coverage.Status.ACTIVE, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                contribution_amount=Decimal("100.00"), subsidy_amount=Decimal("10.00")) for w in made],
                batch_size=5000)
            people += [(number, False) for number in numbers]
            sys.stderr.write(f"\r参保职工 {len(people):,}/{workers:,}")
    sys.stderr.write("\n")
    order = list(range(len(people)))
    rng.shuffle(order)
    return [people[i] for i in order]


def write_feed(path: Path, rows: int, people: list[str], consenting: list[str], offset: int) -> None:
    """`rows` settlement rows: 4% consenting covered workers, 16% covered without consent, 80% unknown."""
    import csv

    from huzhu.core.idnumbers import make_resident_id

    matched, declined = int(rows * 0.04), int(rows * 0.16)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(_header())
        for i in range(rows):
            if i < matched:
                number = consenting[(offset + i) % len(consenting)]
            elif i < matched + declined:
                number = people[(offset + i) % len(people)]
            else:
                number = make_resident_id("150402", date(1950, 1, 1) + timedelta(days=(offset + i) // 900),
                                          (offset + i) % 900 + 1)
            admitted = date(2027, 1, 1) + timedelta(days=i % 50)
            writer.writerow([f"B{offset + i:014d}", number, "某某", "H15020300001", "包头市中心医院",
                             admitted.isoformat(), (admitted + timedelta(days=5)).isoformat(),
                             (admitted + timedelta(days=5)).isoformat(), "J18.900", "20000.00", "12000.00", "0.00",
                             "0.00", "6000.00", "2000.00", "0.00", "职工基本医疗保险", "住院", "0", ""])


def bare_copy(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_feed_bare")
        cursor.execute("CREATE TABLE bench_feed_bare (" + ", ".join(f"c{i} text" for i in range(20)) + ")")
        started = time.perf_counter()
        with path.open("rb") as handle, cursor.cursor.copy(
                "COPY bench_feed_bare FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_feed_bare")
    return seconds


def child(path: str) -> None:
    """Import one feed in this process; print seconds, phases, counts and peak memory as JSON."""
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.settlements import services
    from huzhu.settlements.models import SettlementImport

    marks = {}

    def progress(job):
        # Called once staging is over (STAGED), then after each matching chunk: the first call starts matching.
        if job.status in (SettlementImport.Status.STAGED, SettlementImport.Status.MATCHING) and "matching" not in marks:
            marks["matching"] = time.perf_counter()

    started = time.perf_counter()
    job = services.create_settlement_import(actor=SYSTEM_ACTOR, file_name=Path(path).name, path=Path(path),
                                            source="cli", today=TODAY)
    job = services.run_settlement_import(job_id=job.pk, actor=SYSTEM_ACTOR, today=TODAY, progress=progress)
    ended = time.perf_counter()
    matching = ended - marks.get("matching", started)
    print(json.dumps({"seconds": ended - started, "matching_seconds": matching, "rows": job.total,
                      "status": job.status, "matched": job.matched_count, "claims": job.claims_created,
                      "not_consented": job.not_consented_count, "unmatched": job.unmatched_count,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        django_for_bench("settlements")
        child(sys.argv[2])
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/settlements.py measures PostgreSQL: set DATABASE_URL=postgres://…/bench_feed (a database to fill)")
    rows = int(os.environ.get("BENCH_FEED_ROWS", 1_000_000))
    small = min(rows, int(os.environ.get("BENCH_FEED_SMALL_ROWS", 10_000)))
    django_for_bench("settlements")
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.members import services as member_services

    started = time.perf_counter()
    from huzhu.members.models import DataConsent, Worker

    people = build_world(int(rows * 1.1))
    numbers = [number for number, _ in people]
    small_matched = max(1, int(small * 0.04))
    consenting_numbers = numbers[: max(1, int(rows * 0.04)) + small_matched]
    from huzhu.core.crypto import blind_index_many

    ids = list(Worker.objects.filter(id_number_index__in=blind_index_many(consenting_numbers)).values_list("pk", flat=True))
    for start in range(0, len(ids), 20000):
        member_services.give_data_consent(actor=SYSTEM_ACTOR, worker_ids=ids[start:start + 20000],
                                          source=DataConsent.Source.UNIT)
    declining = numbers[len(consenting_numbers):]
    print(f"fixture: {len(people):,} covered workers, {len(ids):,} consenting, {time.perf_counter() - started:.1f} s")
    FEED_DIR.mkdir(parents=True, exist_ok=True)
    results = {}
    for label, size, offset in (("small", small, 0), ("full", rows, small)):
        path = FEED_DIR / f"feed-{label}.csv"
        write_feed(path, size, declining, consenting_numbers[small_matched:] if label == "full" else consenting_numbers,
                   offset)
        bare = bare_copy(path)
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True,
                             text=True, env=os.environ).stdout.strip().splitlines()[-1]
        result = json.loads(out)
        result["bare"] = bare
        results[label] = result
        print(f"{label:>5} {size:>9,} rows  import {result['seconds']:7.1f} s  {size / result['seconds']:8,.0f} rows/s  "
              f"bare COPY {bare:5.2f} s  ratio {result['seconds'] / bare:6.1f}x  peak {result['peak_mb']:6.0f} MB  "
              f"matched {result['matched']:,}  claims {result['claims']:,} "
              f"({result['claims'] / max(result['matching_seconds'], 1e-9):,.0f}/s in matching)  "
              f"status {result['status']}")
    print(f"peak memory full/small: {results['full']['peak_mb'] / results['small']['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
