"""What-if bench: re-rate N past claims under new terms end to end (load from the database, compute
under the current and the proposed terms, aggregate winners and losers), against reading the same
rows alone, in the same database and run.

    python bench/whatif.py [--claims N]      (env: BENCH_WHATIF_CLAIMS; default 1,000,000)

Database: DATABASE_URL when set (it is migrated and written to: point it at a scratch database),
else a throwaway SQLite file under var/bench/. The claims are a synthetic plan year (demo.synthetic:
four claims a worker on average, so caps and allowance days bind), decided by the engine; set-up
is not measured.
"""
import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_for_bench  # noqa: E402

CLAIMS_PER_WORKER = 4.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=int(os.environ.get("BENCH_WHATIF_CLAIMS", 1_000_000)))
    parser.add_argument("--repeats", type=int, default=2, help="best of this many runs of each measurement")
    args = parser.parse_args()
    os.environ.setdefault("HUZHU_DEBUG", "0")
    django_for_bench("whatif")
    from django.db import connection

    from huzhu.actuarial import queries, studies
    from huzhu.actuarial.inputs import WhatIfInputs
    from huzhu.claims.models import Claim
    from huzhu.claims.workflow import DECIDED_STATUSES
    from huzhu.core.scopes import Scope
    from huzhu.demo.synthetic import build
    from huzhu.plans.queries import plan_year

    began = time.perf_counter()
    built = build(workers=max(1, int(args.claims / CLAIMS_PER_WORKER)), years=(2026,), frequency=CLAIMS_PER_WORKER,
                  as_of=date(2027, 12, 31), ledger=False, seed=1)
    print(f"what-if on {connection.vendor}: {built.decided:,} decided claims of {built.workers:,} workers "
          f"(set-up {time.perf_counter() - began:.0f} s)", flush=True)
    scope = Scope("province", role="association")
    year = plan_year("hospitalization", 2026)
    document = year.current_version.document
    document["inpatient"]["minimum_amount"] = "300.00"
    document["inpatient"]["bands"][0]["rate"] = "0.55"
    document["allowance"]["daily_amounts"] = ["15.00", "25.00", "35.00"]
    document["contribution_amount"] = "110.00"
    inputs = WhatIfInputs(plan="hospitalization", years=(2026,), base_year=2026, terms=document)

    def read_rows() -> int:
        qs = Claim.objects.filter(plan_year=year, status__in=DECIDED_STATUSES).order_by("approved_at", "submitted_at", "pk")
        return sum(1 for _ in qs.values_list(*queries.FACT_COLUMNS).iterator(chunk_size=queries.CHUNK))

    def best(run):
        seconds, value = float("inf"), None
        for _ in range(args.repeats):  # best of a few runs: the machine is shared
            started = time.perf_counter()
            value = run()
            seconds = min(seconds, time.perf_counter() - started)
        return seconds, value

    read_seconds, rows = best(read_rows)
    whatif_seconds, result = best(lambda: studies.run_whatif(scope, inputs))
    total = result["total"]
    assert total["reproduced"] == total["claims"] == rows, "the current terms must reproduce every decided benefit"
    load, rate = result["seconds"]["load"], result["seconds"]["rate"]
    print(f"read rows alone:   {rows / read_seconds:>12,.0f} claims/s ({read_seconds:.2f} s, {rows:,} rows)")
    print(f"what-if end to end:{rows / whatif_seconds:>12,.0f} claims/s ({whatif_seconds:.2f} s: load and convert "
          f"{load:.2f} s, re-rate twice {rate:.2f} s)")
    print(f"  current {total['current_fen'] / 100:,.2f} yuan, proposed {total['proposed_fen'] / 100:,.2f} yuan; "
          f"{total['winners']:,} workers get more, {total['losers']:,} less")
    print(f"ratio: the what-if takes {whatif_seconds / read_seconds:.2f}x the time of reading the rows alone")


if __name__ == "__main__":
    main()
