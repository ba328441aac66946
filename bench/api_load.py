"""API load test: claim status and coverage look-ups at a fixed request rate against gunicorn +
PostgreSQL, with /healthz on the same server as the baseline.

    python bench/api_load.py [--workers N] [--claims M] [--rate R] [--seconds T] [--gunicorn-workers W]
    env: BENCH_API_WORKERS (default 5,000,000), BENCH_API_CLAIMS (500,000), BENCH_API_RATE (200),
         BENCH_API_SECONDS (30), BENCH_API_DATABASE_URL (postgres://postgres@127.0.0.1:5432/huzhu_bench_api)

The database is created if missing and seeded with COPY (core.bulk.insert_rows): N workers with a
2026 coverage each, M claims of the first M workers with a status history; a re-run with the same
sizes reuses it (--reseed to start over). Then gunicorn serves 127.0.0.1 on a free port and an
open-loop client (threads with keep-alive connections, one request every 1/R s on a fixed
schedule, latency counted from the scheduled start so a slow server cannot hide its queue)
sends for T seconds: worker tokens for random claimants alternating GET /api/v1/me/claims/{id}
(claim status) and GET /api/v1/me/coverage, then T seconds of GET /healthz (one `SELECT 1`).
Prints p50/p99 of each and their ratio to /healthz. Loopback only; bounded in time and count.
"""
import argparse
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/huzhu_bench_api"
THREADS = 48
TIMEOUT = 5.0


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--workers", type=int, default=int(env("BENCH_API_WORKERS", 5_000_000)))
    parser.add_argument("--claims", type=int, default=int(env("BENCH_API_CLAIMS", 500_000)))
    parser.add_argument("--rate", type=float, default=float(env("BENCH_API_RATE", 200)))
    parser.add_argument("--seconds", type=float, default=float(env("BENCH_API_SECONDS", 30)))
    parser.add_argument("--gunicorn-workers", type=int, default=int(env("BENCH_API_GUNICORN_WORKERS",
                                                                        2 * (os.cpu_count() or 1) + 1)))
    parser.add_argument("--database-url", default=env("BENCH_API_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reseed", action="store_true", help="drop and seed the bench database again")
    args = parser.parse_args()
    if args.claims > args.workers:
        parser.error("--claims must not exceed --workers (one claim per claimant)")
    return args


def ensure_database(url: str, *, reseed: bool) -> bool:
    """Create the bench database when missing (or again with --reseed); False when PostgreSQL is down."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and reseed:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"api_load: PostgreSQL not reachable ({exc}); skipped")
        return False
    return True


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HUZHU_DEBUG", "0")
    os.environ.setdefault("HUZHU_SECRET_KEY", "bench-api-load-secret-key-not-for-production-0123456789")
    os.environ.setdefault("HUZHU_DATA_KEY", "bench-api-load-data-key-not-for-production")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhu.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _defaults(model, values: dict) -> tuple[list[str], list]:
    """Column names and a template row of a model: given values, else each field's default."""
    columns, row = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.name not in values:
            continue
        columns.append(field.column)
        if field.name in values:
            row.append(values[field.name])
        else:
            default = field.get_default()  # "" for a blank text field, None for a nullable one
            row.append("[]" if isinstance(default, list) else default)
    return columns, row


def _copy(model, base: dict, count: int, vary) -> None:
    """COPY `count` rows of `model`: the template row with `vary(i)`'s columns changed."""
    from huzhu.core.bulk import insert_rows

    columns, template = _defaults(model, {**vary(0), **base})
    index = {name: columns.index(model._meta.get_field(name).column) for name in vary(0)}

    def rows():
        for i in range(count):
            row = list(template)
            for name, value in vary(i).items():
                row[index[name]] = value
            yield row

    insert_rows(model._meta.db_table, columns, rows())


def seed(workers: int, claims: int) -> tuple[int, int]:
    """The scheme at the requested size; returns the first worker id and the first claim id."""
    from django.db import connection, transaction

    from huzhu.claims.models import Claim, ClaimStatusChange
    from huzhu.enrollment.models import Coverage, Enrollment
    from huzhu.members.models import MemberUnit, Worker
    from huzhu.plans.models import PlanYear
    from huzhu.plans.services import install_default_plans
    from huzhu.regions.models import Division

    existing = Worker.objects.count()
    if existing == workers and Claim.objects.count() == claims:
        print(f"reusing the seeded database ({workers:,} workers, {claims:,} claims)")
        return Worker.objects.order_by("pk").values_list("pk", flat=True).first(), \
            Claim.objects.order_by("pk").values_list("pk", flat=True).first()
    if existing:
        sys.exit("api_load: the bench database holds other sizes; run with --reseed")
    started = time.perf_counter()
    install_default_plans(years=(2026,))
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=2026)
    counties = list(Division.objects.filter(level=Division.Level.COUNTY).values_list("code", "parent_id"))
    now = datetime.now(UTC)
    units = max(1, min(20_000, workers // 250))
    with transaction.atomic():
        _copy(MemberUnit, {"name": "单位", "credit_code": "", "league": None, "county": None, "created_at": now},
              units, lambda i: {"id": i + 1, "name": f"单位{i + 1}", "credit_code": f"91{i + 1:016d}",
                                "league": counties[i % len(counties)][1], "county": counties[i % len(counties)][0]})
        _copy(Enrollment, {"status": "paid", "plan_year": plan_year.pk, "created_at": now, "unit": None,
                           "league": None, "county": None},
              units, lambda i: {"id": i + 1, "unit": i + 1, "league": counties[i % len(counties)][1],
                                "county": counties[i % len(counties)][0]})

        def place(i):
            unit = i % units
            return unit + 1, counties[unit % len(counties)]

        def worker_row(i):
            unit, (county, league) = place(i)
            return {"id": i + 1, "name": f"职工{i + 1}", "id_number_index": f"bench{i + 1:027d}", "unit": unit,
                    "league": league, "county": county, "gender": "MF"[i % 2]}

        _copy(Worker, {"name": "", "id_number_encrypted": "bench", "id_number_masked": "1502**********0000",
                       "gender": "M", "birth_on": date(1985, 3, 2), "kind": "employee", "created_at": now,
                       "id_number_index": "", "unit": None, "league": None, "county": None}, workers, worker_row)
        print(f"  workers: {time.perf_counter() - started:.0f} s")

        def coverage_row(i):
            unit, (county, league) = place(i)
            return {"id": i + 1, "worker": i + 1, "unit": unit, "enrollment": unit, "league": league,
                    "county": county, "certificate_no": f"2026{county}{i + 1:09d}"}

        _copy(Coverage, {"plan_year": plan_year.pk, "status": "active", "starts_on": date(2026, 1, 1),
                         "ends_on": date(2026, 12, 31), "contribution_amount": "100.00", "subsidy_amount": "10.00",
                         "created_at": now, "worker": None, "unit": None, "enrollment": None, "league": None,
                         "county": None, "certificate_no": None}, workers, coverage_row)
        print(f"  coverages: {time.perf_counter() - started:.0f} s")
        statuses = ("first_review", "second_review", "approved", "paid")

        def claim_row(i):
            unit, (county, league) = place(i)
            return {"id": i + 1, "worker": i + 1, "coverage": i + 1, "unit": unit, "league": league,
                    "county": county, "status": statuses[i % 4],
                    "benefit_amount": f"{1000 + i % 5000}.00"}

        _copy(Claim, {"plan_year": plan_year.pk, "claim_type": "inpatient", "channel": "desk", "hospital": "医院",
                      "admitted_on": date(2026, 3, 1), "discharged_on": date(2026, 3, 11), "created_at": now,
                      "updated_at": now, "submitted_at": now, "explanation": "[]", "missing_items": "[]",
                      "worker": None, "coverage": None, "unit": None, "league": None, "county": None,
                      "status": "draft", "benefit_amount": None}, claims, claim_row)
        _copy(ClaimStatusChange, {"action": "submit", "from_status": "draft", "to_status": "submitted",
                                  "actor_kind": "staff", "at": now, "missing_items": "[]", "claim": None,
                                  "notified_at": now}, claims, lambda i: {"claim": i + 1})
        with connection.cursor() as cursor:
            for model in (MemberUnit, Enrollment, Worker, Coverage, Claim, ClaimStatusChange):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded {workers:,} workers, {workers:,} coverages, {claims:,} claims in "
          f"{time.perf_counter() - started:.0f} s")
    return 1, 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, processes: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "huzhu.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(processes),
         "--log-level", "warning", "--chdir", str(ROOT / "src"), "--preload"],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "HUZHU_DEBUG": "false",  # as deployed
             "HUZHU_SECRET_KEY": os.environ.get("HUZHU_SECRET_KEY", "bench-only-" + "x" * 50),
             "HUZHU_ALLOWED_HOSTS": "127.0.0.1,localhost"}, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("api_load: gunicorn did not answer /healthz within 60 s")


def run_phase(port: int, requests: list[tuple[str, dict]], rate: float) -> tuple[list[float], int, int]:
    """Send `requests` on a fixed schedule (one every 1/rate s); latencies in ms from the scheduled time."""
    latencies: list[float] = []
    errors = [0]
    late = [0]
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        for i in range(offset, len(requests), THREADS):
            scheduled = start + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.05:
                with lock:
                    late[0] += 1
            path, headers = requests[i]
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                ok = False
            elapsed = (time.perf_counter() - scheduled) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=len(requests) / rate + 60)
    return latencies, errors[0], late[0]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    args = arguments()
    if not ensure_database(args.database_url, reseed=args.reseed):
        return
    setup_django(args.database_url)
    first_worker, first_claim = seed(args.workers, args.claims)

    from huzhu.members.models import Worker
    from huzhu.security.services import issue_worker_token

    random.seed(7)
    count = int(args.rate * args.seconds)
    claimants = [random.randrange(args.claims) for _ in range(min(count, 5000))]
    tokens = {i: issue_worker_token(worker=Worker(pk=first_worker + i)).token for i in set(claimants)}
    mixed = []
    for n in range(count):
        i = claimants[n % len(claimants)]
        headers = {"Authorization": f"Bearer {tokens[i]}"}
        path = f"/api/v1/me/claims/{first_claim + i}" if n % 2 == 0 else "/api/v1/me/coverage"
        mixed.append((path, headers))
    baseline = [("/healthz", {})] * count

    port = free_port()
    server = start_gunicorn(port, args.gunicorn_workers)
    try:
        run_phase(port, mixed[: int(args.rate * 3)], args.rate)  # warm up connections and caches
        api_latencies, api_errors, api_late = run_phase(port, mixed, args.rate)
        base_latencies, base_errors, base_late = run_phase(port, baseline, args.rate)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    status = [lat for n, lat in enumerate(api_latencies) if n % 2 == 0]
    p = {name: (percentile(values, 0.50), percentile(values, 0.99)) for name, values in
         (("api", api_latencies), ("healthz", base_latencies))}
    print(f"api_load: {args.workers:,} workers, {args.claims:,} claims, gunicorn x{args.gunicorn_workers}, "
          f"{args.rate:.0f} req/s for {args.seconds:.0f} s per phase ({count:,} requests each), {THREADS} client threads")
    print(f"  claim status + coverage  p50 {p['api'][0]:7.1f} ms   p99 {p['api'][1]:7.1f} ms   "
          f"errors {api_errors}   late starts {api_late}")
    print(f"  (status/coverage sample  p50 {percentile(status, 0.5):7.1f} ms over {len(status):,} requests)")
    print(f"  /healthz baseline        p50 {p['healthz'][0]:7.1f} ms   p99 {p['healthz'][1]:7.1f} ms   "
          f"errors {base_errors}   late starts {base_late}")
    print(f"  ratio to /healthz        p50 {p['api'][0] / p['healthz'][0]:5.1f}x   p99 {p['api'][1] / p['healthz'][1]:5.1f}x")
    print(f"  target p99 < 100 ms: {'met' if p['api'][1] < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
