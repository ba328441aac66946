"""Claims made from data: how many claims per second `claims_from_settlements` makes from matched settlements.

    python bench/claims_from_data.py [--settlements N] [--chunk C]     (env: BENCH_SETTLEMENTS; default 1,000)

Database: DATABASE_URL when set (migrated and written to: point it at a scratch database), else a
throwaway SQLite file under var/bench/. One settlement per covered worker (an inpatient stay,
most below the straight-through limit, one in ten above it, so it waits in the county queue),
handed over in calls of C settlements as the settlements app does; then the same call again
(idempotent: nothing is made) and a reversal of every tenth serial.
"""
import argparse
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_for_bench  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--settlements", type=int, default=int(os.environ.get("BENCH_SETTLEMENTS", 1000)))
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    django_for_bench("claims_from_data")
    from claims_intake import population, staff
    from django.db import connection
    from django.db.models import Count

    from huzhu.claims.models import Claim
    from huzhu.claims.services import SettlementFacts, claims_from_settlements, reverse_settlement_claims
    from huzhu.enrollment.models import Coverage

    people = population(args.settlements)
    coverage_of = dict(Coverage.objects.values_list("worker_id", "pk"))
    actor = staff("bench_association", "association", None)
    rows = []
    for i, worker in enumerate(people):
        self_pay = Decimal(9000 if i % 10 == 0 else 1000 + i % 997)
        fund = Decimal(5000 + i % 1999)
        admitted = date(2026, 1, 2) + timedelta(days=i % 300)
        rows.append(SettlementFacts(
            serial=f"BENCH{i:09d}", worker_id=worker.pk, coverage_id=coverage_of[worker.pk], claim_type="inpatient",
            hospital=f"定点医院{i % 50}", admitted_on=admitted, discharged_on=admitted + timedelta(days=3 + i % 9),
            settled_on=admitted + timedelta(days=4 + i % 9), diagnosis_code="J18.900", total_amount=fund + self_pay,
            fund_paid_amount=fund, serious_illness_amount=Decimal(0), medical_aid_amount=Decimal(0),
            policy_self_pay_amount=self_pay, out_of_policy_amount=Decimal(0), self_funded_amount=Decimal(0)))
    today = date(2026, 12, 31)
    started = time.perf_counter()
    for start in range(0, len(rows), args.chunk):
        claims_from_settlements(actor=actor, settlements=rows[start:start + args.chunk], today=today)
    made = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, len(rows), args.chunk):
        claims_from_settlements(actor=actor, settlements=rows[start:start + args.chunk], today=today)
    again = time.perf_counter() - started
    started = time.perf_counter()
    reverse_settlement_claims(actor=actor, serials=[r.serial for r in rows[::10]], today=today)
    reversed_in = time.perf_counter() - started
    statuses = dict(Claim.objects.order_by().values_list("status").annotate(n=Count("pk")))
    print(f"database: {connection.vendor}; settlements: {len(rows)}; calls of {args.chunk}")
    print(f"made: {Claim.objects.count()} claims in {made:.1f}s = {len(rows) / made:.1f} claims/s; statuses {statuses}")
    print(f"again (idempotent): {again:.2f}s; reversed {len(rows[::10])} in {reversed_in:.2f}s")


if __name__ == "__main__":
    main()
