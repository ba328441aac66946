"""Settlement at discharge (出院即赔) under load: partner hospitals' POST /api/v1/hospital/discharges at a fixed rate
against gunicorn + PostgreSQL, with GET /api/v1/hospital/ping (the same tokens) as the baseline.

    python bench/discharge.py [--workers N] [--rate R] [--seconds T] [--gunicorn-workers W] [--reseed]
    env: BENCH_DISCHARGE_WORKERS (default 200,000), BENCH_DISCHARGE_RATE (200), BENCH_DISCHARGE_SECONDS (30),
         BENCH_DISCHARGE_DATABASE_URL (postgres://postgres@127.0.0.1:5432/huzhu_bench_discharge)

The database is created if missing and seeded with COPY (core.bulk.insert_rows): N workers with real ID numbers
(encrypted and blind-indexed as members.Worker stores them) and a hospitalization coverage of the current year;
50 partner hospitals are registered through hospitals.services. A re-run with the same size reuses it (--reseed to
start over) and issues each hospital a new token. An open-loop client (bench/api_load.py's: threads, one call
every 1/R s on a fixed schedule, latency from the scheduled start) sends T seconds of discharges spread over the
hospitals, each a new serial for a random worker (none twice in a run) with a stay discharged in the last 30 days
(Asia/Shanghai) and amounts mostly under the straight-through limit; about 5% of calls repeat a serial sent 1 to
10 s earlier with the same facts, as a hospital retries after a timeout. Then T seconds of /ping. Prints p50/p99
of each, their ratio, the answers, and checks in the database that no serial has two settlements or two claims.
Loopback only; bounded in time (a phase stops sending at 2T + 30 s) and count (R x T calls a phase).
"""
import argparse
import http.client
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_load import _copy, ensure_database, free_port, percentile, setup_django, start_gunicorn  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/huzhu_bench_discharge"
HOSPITALS = 50
THREADS = 48
TIMEOUT = 10.0
REPEAT_SHARE = 0.05
SHANGHAI = ZoneInfo("Asia/Shanghai")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华"
DIAGNOSES = ("J18.900", "I63.900", "K35.800", "E11.900", "N20.000", "I25.100")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--workers", type=int, default=int(env("BENCH_DISCHARGE_WORKERS", 200_000)))
    parser.add_argument("--rate", type=float, default=float(env("BENCH_DISCHARGE_RATE", 200)))
    parser.add_argument("--seconds", type=float, default=float(env("BENCH_DISCHARGE_SECONDS", 30)))
    parser.add_argument("--gunicorn-workers", type=int, default=int(env("BENCH_DISCHARGE_GUNICORN_WORKERS",
                                                                        2 * (os.cpu_count() or 1) + 1)))
    parser.add_argument("--database-url", default=env("BENCH_DISCHARGE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reseed", action="store_true", help="drop and seed the bench database again")
    return parser.parse_args()


def person(i: int, counties: list[tuple[str, str]], units: int) -> dict:
    """Worker i's identity, the same at every run (so a reused database needs no decryption)."""
    from huzhu.core.idnumbers import make_resident_id

    unit = i % units
    county, league = counties[unit % len(counties)]
    sequence = i % 1000
    # Born 1985 onwards (5 million workers reach 1998): inside every plan's age limits, women's included.
    birth = date(1985, 1, 1) + timedelta(days=i // 1000)
    return {"unit": unit + 1, "county": county, "league": league, "birth_on": birth,
            "gender": "M" if sequence % 2 else "F", "id_number": make_resident_id(county, birth, sequence),
            "name": SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20]}


def seed(workers: int, year: int) -> tuple[list[tuple[str, str]], int]:
    """N covered workers of the year (reused when the database holds exactly N); (counties, units)."""
    from django.db import connection, transaction

    from huzhu.core.crypto import blind_index_many, encrypt_texts
    from huzhu.core.idnumbers import mask_id_number
    from huzhu.enrollment.models import Coverage, Enrollment
    from huzhu.members.models import MemberUnit, Worker
    from huzhu.plans.models import PlanYear
    from huzhu.plans.services import install_default_plans
    from huzhu.regions.models import Division

    counties = list(Division.objects.filter(level=Division.Level.COUNTY).order_by("code")
                    .values_list("code", "parent_id"))
    units = max(1, min(20_000, workers // 250))
    existing = Worker.objects.count()
    if existing == workers:
        print(f"reusing the seeded database ({workers:,} workers)")
        return counties, units
    if existing:
        sys.exit("discharge: the bench database holds another size; run with --reseed")
    started = time.perf_counter()
    install_default_plans(years=(year,))
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=year)
    now = datetime.now(UTC)
    people = [person(i, counties, units) for i in range(workers)]
    numbers = [p["id_number"] for p in people]
    encrypted, indexes = encrypt_texts(numbers), blind_index_many(numbers)
    print(f"  {workers:,} ID numbers made, encrypted and indexed: {time.perf_counter() - started:.0f} s")
    with transaction.atomic():
        _copy(MemberUnit, {"name": "单位", "credit_code": "", "league": None, "county": None, "created_at": now},
              units, lambda i: {"id": i + 1, "name": f"单位{i + 1}", "credit_code": f"91{i + 1:016d}",
                                "league": counties[i % len(counties)][1], "county": counties[i % len(counties)][0]})
        _copy(Enrollment, {"status": "paid", "plan_year": plan_year.pk, "created_at": now, "unit": None,
                           "league": None, "county": None},
              units, lambda i: {"id": i + 1, "unit": i + 1, "league": counties[i % len(counties)][1],
                                "county": counties[i % len(counties)][0]})

        def worker_row(i):
            p = people[i]
            return {"id": i + 1, "name": p["name"], "id_number_encrypted": encrypted[i], "id_number_index": indexes[i],
                    "id_number_masked": mask_id_number(p["id_number"]), "gender": p["gender"], "birth_on": p["birth_on"],
                    "unit": p["unit"], "league": p["league"], "county": p["county"]}

        _copy(Worker, {"kind": "employee", "created_at": now}, workers, worker_row)
        print(f"  workers: {time.perf_counter() - started:.0f} s")

        def coverage_row(i):
            p = people[i]
            return {"id": i + 1, "worker": i + 1, "unit": p["unit"], "enrollment": p["unit"], "league": p["league"],
                    "county": p["county"], "certificate_no": f"{year}{p['county']}{i + 1:09d}"}

        _copy(Coverage, {"plan_year": plan_year.pk, "status": "active", "starts_on": date(year, 1, 1),
                         "ends_on": date(year, 12, 31), "contribution_amount": "100.00", "subsidy_amount": "10.00",
                         "created_at": now}, workers, coverage_row)
        with connection.cursor() as cursor:
            for model in (MemberUnit, Enrollment, Worker, Coverage):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {workers:,} workers with a {year} coverage each in {time.perf_counter() - started:.0f} s")
    return counties, units


def hospitals_with_tokens() -> list[tuple[str, str]]:
    """The 50 partner hospitals (registered once) and a new token of each: [(code, plain token)]."""
    from huzhu.core.actors import SYSTEM_ACTOR
    from huzhu.hospitals.models import PartnerHospital
    from huzhu.hospitals.services import issue_token, register_hospital
    from huzhu.regions.models import Division

    leagues = list(Division.objects.filter(level=Division.Level.LEAGUE).order_by("code"))
    found = {h.code: h for h in PartnerHospital.objects.filter(code__startswith="HB")}
    tokens = []
    for n in range(HOSPITALS):
        league = leagues[n % len(leagues)]
        code = f"HB{league.code}{n:04d}"
        hospital = found.get(code) or register_hospital(actor=SYSTEM_ACTOR, fields={
            "code": code, "name": f"{league.name}第{n + 1}人民医院", "league": league.code,
            "bank_name": "中国工商银行", "account_name": f"{league.name}第{n + 1}人民医院",
            "bank_account": f"6222{n:015d}"})
        tokens.append((code, issue_token(actor=SYSTEM_ACTOR, hospital=hospital, name="bench discharge")[1]))
    return tokens


def discharge_calls(count: int, rate: float, fresh: list[dict], tokens, today: date, run: str) -> list[dict]:
    """`count` discharge calls: new serials for the `fresh` workers in turn, about 5% repeats of a call 1-10 s
    before."""
    year_start = date(today.year, 1, 1)
    calls: list[dict] = []
    for n in range(count):
        earliest, latest = max(0, n - int(10 * rate)), n - int(rate)
        if latest > earliest and random.random() < REPEAT_SHARE:
            calls.append({**calls[random.randrange(earliest, latest)], "repeat": True})
            continue
        p = fresh[n % len(fresh)]
        discharged = today - timedelta(days=random.randrange(0, 31))
        admitted = max(year_start, discharged - timedelta(days=random.randint(2, 12)))
        discharged = max(discharged, admitted)
        fund, self_pay = random.randint(3000, 15000), random.randint(400, 3800) + random.randrange(100) / 100
        out_of_policy = random.randint(0, 1500)
        code, token = tokens[n % len(tokens)]
        body = {"serial": f"{run}{n:07d}", "id_number": p["id_number"], "name": p["name"], "hospital_code": code,
                "admitted_on": admitted.isoformat(), "discharged_on": discharged.isoformat(),
                "settled_on": discharged.isoformat(), "diagnosis_code": random.choice(DIAGNOSES),
                "total_amount": f"{fund + self_pay + out_of_policy:.2f}", "fund_paid_amount": f"{fund:.2f}",
                "policy_self_pay_amount": f"{self_pay:.2f}", "out_of_policy_amount": f"{out_of_policy:.2f}",
                "patient_authorized": True}
        calls.append({"method": "POST", "path": "/api/v1/hospital/discharges", "token": token,
                      "body": json.dumps(body, ensure_ascii=False).encode(), "serial": body["serial"], "repeat": False})
    return calls


def run_phase(port: int, calls: list[dict], rate: float, seconds: float) -> list[tuple | None]:
    """Send `calls` on a fixed schedule (one every 1/rate s); per call (ms from the scheduled time, HTTP status,
    reference or error code, late start), or None when the phase's deadline (2T + 30 s) passed before it was sent."""
    results: list[tuple | None] = [None] * len(calls)
    start = time.perf_counter() + 0.5
    deadline = start + 2 * seconds + 30

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        for i in range(offset, len(calls), THREADS):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif time.perf_counter() > deadline:
                break
            call = calls[i]
            headers = {"Authorization": f"Bearer {call['token']}"}
            if call.get("body"):
                headers["Content-Type"] = "application/json"
            try:
                conn.request(call["method"], call["path"], body=call.get("body"), headers=headers)
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                answer = json.loads(payload) if call.get("body") else {}
                mark = answer.get("reference") or answer.get("code") or ""
                outcome = (answer.get("status"), answer.get("reason_code")) if status in (200, 201) else None
            except (OSError, http.client.HTTPException, ValueError) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                status, mark, outcome = 0, type(exc).__name__, None
            results[i] = ((time.perf_counter() - scheduled) * 1000, status, mark, outcome, delay < -0.05)
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * seconds + 60 + TIMEOUT)
    return results


def summary(name: str, results: list[tuple | None]) -> tuple[float, float]:
    done = [r for r in results if r is not None]
    latencies = [r[0] for r in done]
    statuses = Counter(r[1] for r in done)
    errors = sum(n for status, n in statuses.items() if status not in (200, 201))
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"  {name:<24} p50 {p50:8.1f} ms   p99 {p99:8.1f} ms   errors {errors}   "
          f"late starts {sum(1 for r in done if r[4])}   not sent {len(results) - len(done)}   "
          f"HTTP {dict(sorted(statuses.items()))}")
    return p50, p99


def checks(run: str, calls: list[dict], results: list[tuple | None]) -> bool:
    """After the run: one settlement and at most one claim a serial, one answer a serial; prints each check."""
    from django.db import connection

    from huzhu.claims.models import Claim
    from huzhu.hospitals.models import DischargeSettlement

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM (SELECT serial FROM hospitals_dischargesettlement "
                       "GROUP BY serial HAVING COUNT(*) > 1) AS twice")
        two_settlements = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM (SELECT settlement_serial FROM claims_claim WHERE settlement_serial <> '' "
                       "GROUP BY settlement_serial HAVING COUNT(*) > 1) AS twice")
        two_claims = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM (SELECT cause_id FROM ledger_ledgerentry WHERE cause_type = 'discharge' "
                       "AND kind = 'hospital_advance' GROUP BY cause_id HAVING COUNT(*) > 1) AS twice")
        two_advances = cursor.fetchone()[0]
    ours = DischargeSettlement.objects.filter(serial__startswith=run)
    settled = ours.filter(status=DischargeSettlement.Status.SETTLED).count()
    claims = Claim.objects.filter(settlement_serial__startswith=run, channel=Claim.Channel.HOSPITAL).count()
    answers: dict[str, set[str]] = {}
    made: Counter = Counter()
    for call, result in zip(calls, results, strict=True):
        if result is not None and result[1] in (200, 201):
            answers.setdefault(call["serial"], set()).add(result[2])
            made[call["serial"]] += result[1] == 201
    differing = sum(1 for refs in answers.values() if len(refs) > 1)
    made_twice = sum(1 for n in made.values() if n > 1)
    repeated = sum(1 for call in calls if call["repeat"])
    print(f"  check: serials with two settlements (whole database)      {two_settlements}")
    print(f"  check: serials with two claims (whole database)           {two_claims}")
    print(f"  check: discharges with two advance entries in the ledger  {two_advances}")
    print(f"  check: this run's settled discharges {settled:,}, their claims {claims:,}")
    print(f"  check: serials answered with two references {differing}, answered 201 twice {made_twice} "
          f"({repeated:,} repeated calls)")
    return not (two_settlements or two_claims or two_advances or differing or made_twice) and settled == claims


def main() -> None:
    args = arguments()
    if not ensure_database(args.database_url, reseed=args.reseed):
        return
    setup_django(args.database_url)
    today = datetime.now(SHANGHAI).date()
    counties, units = seed(args.workers, today.year)
    tokens = hospitals_with_tokens()

    random.seed(11)
    run = "BD" + datetime.now(SHANGHAI).strftime("%y%m%d%H%M%S")
    count = int(args.rate * args.seconds)
    # Each worker at most once in a run (random over N): neither the annual cap nor overlapping stays are the story.
    fresh = [person(i, counties, units) for i in random.sample(range(args.workers), k=min(count + int(args.rate),
                                                                                          args.workers))]
    warm = discharge_calls(int(args.rate), args.rate, fresh[: int(args.rate)], tokens, today, run + "W")
    calls = discharge_calls(count, args.rate, fresh[int(args.rate):] or fresh, tokens, today, run + "L")
    pings = [{"method": "GET", "path": "/api/v1/hospital/ping", "token": tokens[n % len(tokens)][1]}
             for n in range(count)]

    port = free_port()
    server = start_gunicorn(port, args.gunicorn_workers)
    try:
        run_phase(port, pings[: int(args.rate * 2)], args.rate, 2)  # warm up connections and caches
        warm_results = run_phase(port, warm, args.rate, 1)
        started = time.perf_counter()
        results = run_phase(port, calls, args.rate, args.seconds)
        elapsed = time.perf_counter() - started
        ping_results = run_phase(port, pings, args.rate, args.seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    answered = [r for r in results if r is not None and r[1] in (200, 201)]
    print(f"discharge: {args.workers:,} workers, {HOSPITALS} hospitals, gunicorn x{args.gunicorn_workers}, "
          f"{args.rate:.0f} calls/s for {args.seconds:.0f} s per phase ({count:,} calls each), {THREADS} client threads")
    p_settle = summary("POST /discharges", results)
    summary("  (of which repeats)", [r for call, r in zip(calls, results, strict=True) if call["repeat"]])
    p_ping = summary("GET /ping baseline", ping_results)
    print(f"  ratio to /ping           p50 {p_settle[0] / p_ping[0]:6.1f}x   p99 {p_settle[1] / p_ping[1]:6.1f}x")
    print(f"  answered {len(answered):,} discharge calls in {elapsed:.0f} s ({len(answered) / elapsed:.1f}/s)")
    outcomes = Counter(r[3] for r in answered if r[1] == 201)
    print("  outcomes of new serials: " + ", ".join(f"{status}{f' ({reason})' if reason else ''} {n}"
                                                   for (status, reason), n in outcomes.most_common(8)))
    ok = checks(run, warm + calls, warm_results + results)
    print(f"  idempotency checks: {'passed' if ok else 'FAILED'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
