"""Re-rate 1,000,000 claims of 300,000 workers with the vectorized engine; a sample with the scalar one.

Prints claims/s of each path and their ratio, and the count of sample claims where the two differ
(must be 0). Django-free: `.venv/bin/python bench/rerate.py [--claims N --workers N --sample N]`.
"""
import argparse
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from huzhu.plans import rules  # noqa: E402
from huzhu.plans.default_terms import default_terms  # noqa: E402
from huzhu.plans.vectorized import (  # noqa: E402
    EPOCH,
    EVENT_CODES,
    NO_START,
    ClaimColumns,
    epoch_days,
    rate_claims,
)

ICD10_BY_TIER = ["C50.900", "D05.1", None]  # tier C is a procedure
REPEATS = 3
CODES = {code: name for name, code in EVENT_CODES.items()}


def synthetic_claims(plan: str, claims: int, workers: int, seed: int) -> ClaimColumns:
    """A year of claims in random claim order, shaped like DOMAIN.md's figures (mean about 1,000 yuan)."""
    rng = np.random.default_rng(seed)
    year_start = epoch_days(date(2026, 1, 1))
    gender = (rng.random(workers) < (1.0 if plan == "women_health" else 0.45)).astype(np.int8)
    birth = year_start - rng.integers(16 * 365, 62 * 365, workers).astype(np.int32)
    years = rng.integers(1, 6, workers).astype(np.int16)
    kind = (rng.random(workers) < 0.1).astype(np.int8)
    joined = np.where(rng.random(workers) < 0.05, year_start + rng.integers(0, 300, workers), NO_START).astype(np.int32)
    paid_tiers = np.where(rng.random(workers) < 0.02, rng.integers(1, 8, workers), 0).astype(np.int16)
    worker = rng.integers(0, workers, claims)
    start = (year_start + rng.integers(-10, 375, claims)).astype(np.int32)
    if plan == "women_health":
        event_type = np.where(rng.random(claims) < 0.8, EVENT_CODES["diagnosis"], EVENT_CODES["procedure"])
        tier = np.where(event_type == EVENT_CODES["procedure"], 2, rng.integers(-1, 2, claims))
        end, self_pay = start, np.zeros(claims, dtype=np.int64)
    else:
        event_type = np.where(rng.random(claims) < 0.75, EVENT_CODES["inpatient"], EVENT_CODES["outpatient_chronic"])
        stay_days = rng.geometric(1 / 9, claims)
        end = np.where(event_type == 0, start + stay_days, start + 181).astype(np.int32)
        self_pay = np.minimum(rng.lognormal(np.log(80_000), 1.2, claims), 2_000_000_000).astype(np.int64)
        tier = np.full(claims, -1)
    return ClaimColumns(
        worker=worker.astype(np.int64), event_type=event_type.astype(np.int8), start_day=start, end_day=end,
        self_pay_fen=self_pay, tier=tier.astype(np.int8), consecutive_years=years[worker], gender=gender[worker],
        birth_day=birth[worker], worker_kind=kind[worker], coverage_start_day=joined[worker],
        coverage_end_day=np.full(claims, np.iinfo(np.int32).max, dtype=np.int32), already_paid_tiers=paid_tiers[worker],
    )


def scalar_claims(terms, columns: ClaimColumns, rows: np.ndarray) -> dict[int, tuple[rules.Member, list]]:
    """Engine objects for the claim rows given (whole workers), per worker in claim order."""
    def day(value) -> date:
        return EPOCH + timedelta(days=int(value))

    tiers = terms.women.tiers if terms.women else ()
    per_worker: dict[int, tuple[rules.Member, list]] = {}
    for i in rows.tolist():
        worker = int(columns.worker[i])
        if worker not in per_worker:
            mask = int(columns.already_paid_tiers[i])
            start = int(columns.coverage_start_day[i])
            member = rules.Member(
                gender="F" if columns.gender[i] else "M", birth_date=day(columns.birth_day[i]),
                consecutive_years=int(columns.consecutive_years[i]), kind="gig" if columns.worker_kind[i] else "employee",
                already_paid_tiers=frozenset(t.code for n, t in enumerate(tiers) if mask >> n & 1),
                coverage_start_on=None if start == NO_START else day(start))
            per_worker[worker] = (member, [])
        kind = CODES[int(columns.event_type[i])]
        start, end = day(columns.start_day[i]), day(columns.end_day[i])
        amount = Decimal(int(columns.self_pay_fen[i])) / 100
        if kind == "inpatient":
            event = rules.InpatientEvent(start, end, amount)
        elif kind == "outpatient_chronic":
            event = rules.OutpatientEvent(start, end, amount)
        elif kind == "diagnosis":
            tier = int(columns.tier[i])
            event = rules.DiagnosisEvent(start, ICD10_BY_TIER[tier] if tier >= 0 else "C61")
        else:
            event = rules.ProcedureEvent(start, "total_hysterectomy")
        per_worker[worker][1].append(event)
    return per_worker


def run(plan: str, claims: int, workers: int, sample: int, seed: int) -> bool:
    terms = default_terms(plan, 2026)
    columns = synthetic_claims(plan, claims, workers, seed)
    vector_seconds = float("inf")
    for _ in range(REPEATS):  # best of a few runs: the machine is shared
        began = time.perf_counter()
        benefits = rate_claims(terms, columns)
        vector_seconds = min(vector_seconds, time.perf_counter() - began)

    # the sample: whole workers (so their accumulators are complete), about `sample` claims
    sample_workers = max(1, int(workers * sample / claims))
    rows = np.flatnonzero(columns.worker < sample_workers)
    per_worker = scalar_claims(terms, columns, rows)
    began = time.perf_counter()
    scalar = {w: [int(d.benefit * 100) for d in rules.estimate(terms, m, evs).decisions]
              for w, (m, evs) in per_worker.items()}
    scalar_seconds = time.perf_counter() - began
    expected = np.array([scalar[int(w)].pop(0) for w in columns.worker[rows].tolist()], dtype=np.int64)
    mismatches = int(np.count_nonzero(expected != benefits[rows]))

    vector_rate, scalar_rate = claims / vector_seconds, len(rows) / scalar_seconds
    paid = benefits[benefits > 0]
    print(f"{plan}: {claims:,} claims of {workers:,} workers; {len(paid):,} paid, "
          f"{benefits.sum() / 100:,.2f} yuan, mean paid {paid.mean() / 100 if len(paid) else 0:,.2f}")
    print(f"  vectorized {vector_rate:>12,.0f} claims/s ({vector_seconds:.3f} s, best of {REPEATS})")
    print(f"  scalar     {scalar_rate:>12,.0f} claims/s ({len(rows):,} sample claims, {scalar_seconds:.3f} s)")
    print(f"  ratio      {vector_rate / scalar_rate:>12,.1f}x   mismatches {mismatches} of {len(rows):,}")
    return mismatches == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=300_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    same = [run(plan, options.claims, options.workers, options.sample, options.seed)
            for plan in ("hospitalization", "women_health")]
    assert all(same), "the vectorized path must equal the scalar engine to the fen"
    return 0


if __name__ == "__main__":
    sys.exit(main())
