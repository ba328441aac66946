"""Settlement-feed benchmark: a province-sized medical-insurance feed against covered workers, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_feed python bench/settlements.py
    (env: BENCH_FEED_ROWS, default 1,000,000; BENCH_FEED_SMALL_ROWS, default 10,000;
    BENCH_FEED_MATCHED_SHARE, default 0.04)

The database is migrated and filled with 1.1 × rows covered workers (bulk inserts: the fixture, not
the subject), in units of 500 spread over the counties, each unit with its paid enrollment; an ID
number's birth date is the worker's, between 1973 and 2004 (inside the plan's age band). 4% of the
feed's rows (BENCH_FEED_MATCHED_SHARE) are stays of consenting covered workers (matched, a claim
each), 16% of covered workers who did not consent, the rest of people the scheme does not know. Printed:

- rows/s of the real import (create_settlement_import + run_settlement_import: header check,
  parsing, blind indexes, COPY into staging, set-based matching, claims_from_settlements);
- the ratio to a bare COPY of the same file into a plain table, measured in the same run;
- the split between staging and matching, and claims created per second of the matching phase;
- peak memory (VmHWM of the child process itself) importing the small feed and the full one
  (flat means the two are close: the import streams);
- the claims by status (approved straight through, or the queue they wait in), and a line for
  every count that does not add up (matched, claims, refused, not consented, unmatched).
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


UNIT_SIZE = 500
# Birth dates of the covered workers: every age in them is inside the hospitalization plan's band at
# enrollment (16 to under 55 for women, under 60 for men, on 2027-01-01).
BORN_FROM, BORN_DAYS = date(1973, 1, 1), (date(2004, 12, 31) - date(1973, 1, 1)).days + 1


def worker_number(county_code: str, i: int) -> str:
    """The i-th covered worker's ID number: born in their unit's county, birth dates spread over BORN_DAYS."""
    from huzhu.core.idnumbers import make_resident_id

    return make_resident_id(county_code, BORN_FROM + timedelta(days=i % BORN_DAYS), i // BORN_DAYS + 1)


def birth_of(number: str) -> date:
    """The birth date an ID number states (characters 7-14)."""
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def build_units(workers: int, year) -> list:
    """A unit of UNIT_SIZE workers (the last one smaller), each with its paid enrollment, over the counties."""
    from huzhu.core.idnumbers import make_credit_code
    from huzhu.enrollment.models import Enrollment
    from huzhu.members.models import MemberUnit
    from huzhu.regions.models import Division

    counties = list(Division.objects.filter(level=Division.Level.COUNTY, parent__level=Division.Level.LEAGUE)
                    .order_by("code").values_list("code", "parent_id"))
    count = -(-workers // UNIT_SIZE)
    units = MemberUnit.objects.bulk_create([MemberUnit(
        name=f"基准测试单位{j + 1}", credit_code=make_credit_code("91", counties[j % len(counties)][0], f"B{j:07d}"),
        league_id=counties[j % len(counties)][1], county_id=counties[j % len(counties)][0],
        eligible_headcount=min(UNIT_SIZE, workers - j * UNIT_SIZE)) for j in range(count)], batch_size=2000)
    enrollments = Enrollment.objects.bulk_create([Enrollment(
        unit=unit, plan_year=year, status=Enrollment.Status.PAID, league_id=unit.league_id, county_id=unit.county_id,
        headcount=unit.eligible_headcount) for unit in units], batch_size=2000)
    return list(zip(units, enrollments, strict=True))


def build_world(workers: int, seed: int = 1) -> list[tuple[str, bool]]:
    """Covered workers in bulk; returns (ID number, consents) for each, in a deterministic order."""
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.core.bulk import large_load
    from huzhu.core.crypto import blind_index_many
    from huzhu.core.idnumbers import mask_id_number
    from huzhu.enrollment.models import Coverage
    from huzhu.members.models import Worker
    from huzhu.plans.queries import plan_year
    from huzhu.plans.services import install_default_plans
    from huzhu.settlements import services

    install_default_plans(years=(2026, 2027))
    services.save_agreement(actor=SYSTEM_ACTOR, bureau_name="内蒙古自治区医疗保障局", region_id=None,
                            starts_on=date(2026, 1, 1), ends_on=date(2027, 12, 31), retention_days=180)
    year = plan_year("hospitalization", 2027)
    units = build_units(workers, year)
    rng = random.Random(seed)
    people = []
    with large_load():
        for start in range(0, workers, 20000):
            placed = [units[i // UNIT_SIZE] for i in range(start, min(workers, start + 20000))]
            numbers = [worker_number(unit.county_id, start + n) for n, (unit, _) in enumerate(placed)]
            indexes = blind_index_many(numbers)
            made = Worker.objects.bulk_create([Worker(
                name=f"职工{start + n}", id_number_encrypted="bench", id_number_index=index,
                id_number_masked=mask_id_number(number), gender="M" if int(number[16]) % 2 else "F",
                birth_on=birth_of(number), unit=unit, league_id=unit.league_id, county_id=unit.county_id)
                for n, (number, index, (unit, _)) in enumerate(zip(numbers, indexes, placed, strict=True))],
                batch_size=5000)
            Coverage.objects.bulk_create([Coverage(
                worker=w, plan_year=year, unit=unit, enrollment=enrollment, league_id=unit.league_id,
                county_id=unit.county_id, status=Coverage.Status.ACTIVE, starts_on=date(2027, 1, 1),
                ends_on=date(2027, 12, 31), contribution_amount=Decimal("100.00"), subsidy_amount=Decimal("10.00"))
                for w, (unit, enrollment) in zip(made, placed, strict=True)], batch_size=5000)
            people += [(number, False) for number in numbers]
            sys.stderr.write(f"\r参保职工 {len(people):,}/{workers:,}")
    sys.stderr.write("\n")
    order = list(range(len(people)))
    rng.shuffle(order)
    return [people[i] for i in order]


def write_feed(path: Path, rows: int, people: list[str], consenting: list[str], offset: int, share: float) -> None:
    """`rows` settlement rows: `share` consenting covered workers, 16% covered without consent, the rest unknown."""
    import csv

    from huzhu.core.idnumbers import make_resident_id

    matched, declined = int(rows * share), int(rows * 0.16)
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
            # In-policy self-pay of 1,000 to 6,000 (a benefit of about 550 to 3,050): most stays fall under the
            # straight-through limit and are approved at once, the largest go to the county's queue.
            self_pay = 1000 + (i % 11) * 500
            writer.writerow([f"B{offset + i:014d}", number, "某某", "H15020300001", "包头市中心医院",
                             admitted.isoformat(), (admitted + timedelta(days=5)).isoformat(),
                             (admitted + timedelta(days=5)).isoformat(), "J18.900", f"{14000 + self_pay}.00", "12000.00",
                             "0.00", "0.00", f"{self_pay}.00", "2000.00", "0.00", "职工基本医疗保险", "住院", "0", ""])


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


def peak_mb() -> float:
    """This process's own peak resident set (VmHWM): ru_maxrss of a child may count its parent's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def claim_statuses(job) -> dict[str, int]:
    """Claims made by the job's rows, per status: straight through (approved) or in which queue."""
    from django.db.models import Count

    from huzhu.claims.models import Claim

    made = job.rows.filter(claim_id__isnull=False).values("claim_id")
    return dict(Claim.objects.filter(pk__in=made).values_list("status").annotate(n=Count("pk"))
                .values_list("status", "n"))


def refusals(job, top: int = 3) -> list[tuple[str, int]]:
    """The commonest reasons of the job's refused rows."""
    from django.db.models import Count

    from huzhu.settlements.models import SettlementRow

    return list(job.rows.filter(outcome=SettlementRow.Outcome.REFUSED).values_list("error_reason")
                .annotate(n=Count("pk")).order_by("-n").values_list("error_reason", "n")[:top])


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
    peak = peak_mb()  # before the counting queries below
    matching = ended - marks.get("matching", started)
    print(json.dumps({"seconds": ended - started, "matching_seconds": matching, "rows": job.total,
                      "status": job.status, "matched": job.matched_count, "claims": job.claims_created,
                      "not_consented": job.not_consented_count, "unmatched": job.unmatched_count,
                      "refused": job.refused_count, "errors": job.error_count, "no_coverage": job.no_coverage_count,
                      "claim_statuses": claim_statuses(job), "refusals": refusals(job), "peak_mb": peak}))


def check_counts(size: int, share: float, result: dict) -> list[str]:
    """What does not add up in a run's counts (empty: all do)."""
    wanted = int(size * share)
    problems = []
    if result["matched"] + result["refused"] != wanted:
        problems.append(f"matched {result['matched']:,} + refused {result['refused']:,} ≠ {wanted:,} consenting rows")
    if result["claims"] != result["matched"]:
        problems.append(f"claims {result['claims']:,} ≠ matched {result['matched']:,}")
    if result["refused"] > wanted * 0.01:
        problems.append(f"refused {result['refused']:,} is more than 1% of the consenting rows: {result['refusals']}")
    if result["not_consented"] != int(size * 0.16):
        problems.append(f"not consented {result['not_consented']:,} ≠ {int(size * 0.16):,}")
    if result["unmatched"] != size - wanted - int(size * 0.16):
        problems.append(f"unmatched {result['unmatched']:,} ≠ {size - wanted - int(size * 0.16):,}")
    if sum(result["claim_statuses"].values()) != result["claims"]:
        problems.append(f"claims by status {result['claim_statuses']} ≠ {result['claims']:,}")
    return problems


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        django_for_bench("settlements")
        child(sys.argv[2])
        return
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("bench/settlements.py measures PostgreSQL: set DATABASE_URL=postgres://…/bench_feed (a database to fill)")
    rows = int(os.environ.get("BENCH_FEED_ROWS", 1_000_000))
    small = min(rows, int(os.environ.get("BENCH_FEED_SMALL_ROWS", 10_000)))
    share = float(os.environ.get("BENCH_FEED_MATCHED_SHARE", 0.04))
    django_for_bench("settlements")
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.members import services as member_services

    started = time.perf_counter()
    from huzhu.members.models import DataConsent, Worker

    people = build_world(int(rows * 1.1))
    numbers = [number for number, _ in people]
    small_matched = max(1, int(small * share))
    consenting_numbers = numbers[: max(1, int(rows * share)) + small_matched]
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
                   offset, share)
        bare = bare_copy(path)
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, stdout=subprocess.PIPE,
                             text=True, env=os.environ).stdout.strip().splitlines()[-1]
        result = json.loads(out)
        result["bare"] = bare
        results[label] = result
        print(f"{label:>5} {size:>9,} rows  import {result['seconds']:7.1f} s  {size / result['seconds']:8,.0f} rows/s  "
              f"bare COPY {bare:5.2f} s  ratio {result['seconds'] / bare:6.1f}x  peak {result['peak_mb']:6.0f} MB  "
              f"matched {result['matched']:,}  claims {result['claims']:,} "
              f"({result['claims'] / max(result['matching_seconds'], 1e-9):,.0f}/s in matching)  "
              f"status {result['status']}")
        print(f"      staging {result['seconds'] - result['matching_seconds']:7.1f} s  matching "
              f"{result['matching_seconds']:7.1f} s  not consented {result['not_consented']:,}  "
              f"unmatched {result['unmatched']:,}  refused {result['refused']:,}  claims by status "
              f"{json.dumps(result['claim_statuses'])}")
        for problem in check_counts(size, share, result):
            print(f"      DOES NOT ADD UP: {problem}")
    print(f"peak memory full/small: {results['full']['peak_mb'] / results['small']['peak_mb']:.2f}")


if __name__ == "__main__":
    main()
