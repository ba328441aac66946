"""The benefit engine for many claims at once (NumPy): re-rating history under proposed terms.

Same rules as `rules.py`, same answer to the fen, in integer fen with exact half-up rounding.
Claims come as columns in claim order; one terms object means one plan year. The per-worker
accumulators of the scalar engine (annual cap, allowance days, outpatient self-pay, tiers) become
grouped cumulative sums over the claims sorted by worker. A sum kept under a cap pays
`min(cap, S_k) - min(cap, S_k-1)` at claim k: what the scalar "cut to what remains" pays.
No Django here (import-linter contract).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

import numpy as np

from .rules import Event, Member, tier_for
from .terms import PlanYearTerms

EPOCH = date(1970, 1, 1)
EVENT_CODES = {"inpatient": 0, "outpatient_chronic": 1, "diagnosis": 2, "procedure": 3}
GENDER_CODES = {"M": 0, "F": 1}
KIND_CODES = {"employee": 0, "gig": 1}
NO_START = np.iinfo(np.int32).min
NO_END = np.iinfo(np.int32).max
MAX_TIERS = 15  # tiers are bits of `already_paid_tiers`


def epoch_days(day: date) -> int:
    """A date as whole days since 1970-01-01, the vectorized date unit."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class ClaimColumns:
    """Many claims as equal-length arrays, in claim order. Dates are epoch days, money integer fen."""

    worker: np.ndarray  # int64 worker id
    event_type: np.ndarray  # int8, EVENT_CODES
    start_day: np.ndarray  # int32: admitted / period_start / diagnosis or procedure date
    end_day: np.ndarray  # int32: discharged / period_end (= start_day for the women's events)
    self_pay_fen: np.ndarray  # int64 in-policy self-pay (0 for the women's events)
    tier: np.ndarray  # int8 index into terms.women.tiers, -1 when none matches
    consecutive_years: np.ndarray  # int16
    gender: np.ndarray  # int8, GENDER_CODES
    birth_day: np.ndarray  # int32
    worker_kind: np.ndarray  # int8, KIND_CODES
    coverage_start_day: np.ndarray  # int32, NO_START when the whole period is covered
    coverage_end_day: np.ndarray  # int32, NO_END when the whole period is covered
    already_paid_tiers: np.ndarray  # int16 bit mask over terms.women.tiers, paid in earlier years

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, np.asarray(getattr(self, f.name), dtype=DTYPES[f.name]))
        sizes = {len(getattr(self, f.name)) for f in fields(self)}
        if len(sizes) > 1:
            raise ValueError("all claim columns must have the same length")

    def __len__(self) -> int:
        return len(self.worker)


DTYPES = {"worker": np.int64, "event_type": np.int8, "start_day": np.int32, "end_day": np.int32,
          "self_pay_fen": np.int64, "tier": np.int8, "consecutive_years": np.int16, "gender": np.int8,
          "birth_day": np.int32, "worker_kind": np.int8, "coverage_start_day": np.int32,
          "coverage_end_day": np.int32, "already_paid_tiers": np.int16}


def fen(amount: Decimal) -> int:
    """Whole fen of a terms amount; terms amounts must be exact to the fen."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value():
        raise ValueError(f"amount {amount} is not exact to the fen")
    return int(value)


def to_columns(terms: PlanYearTerms, claims: Iterable[tuple[int, Member, Event]]) -> ClaimColumns:
    """Columns from scalar (worker id, member, event) triples in claim order."""
    tiers = terms.women.tiers if terms.women else ()
    tier_index = {t.code: i for i, t in enumerate(tiers)}
    rows: dict[str, list] = {name: [] for name in DTYPES}
    for worker, member, event in claims:
        start = epoch_days(event.event_date)
        end = epoch_days(getattr(event, "discharged", None) or getattr(event, "period_end", None) or event.event_date)
        tier = tier_for(terms, event)
        row = {
            "worker": worker, "event_type": EVENT_CODES[event.type], "start_day": start, "end_day": end,
            "self_pay_fen": fen(getattr(event, "policy_self_pay", Decimal(0))),
            "tier": tier_index[tier.code] if tier else -1, "consecutive_years": member.consecutive_years,
            "gender": GENDER_CODES.get(member.gender, -1), "birth_day": epoch_days(member.birth_date),
            "worker_kind": KIND_CODES.get(member.kind, -1),
            "coverage_start_day": epoch_days(member.coverage_start_on) if member.coverage_start_on else NO_START,
            "coverage_end_day": epoch_days(member.coverage_end_on) if member.coverage_end_on else NO_END,
            "already_paid_tiers": sum(1 << tier_index[c] for c in member.already_paid_tiers if c in tier_index),
        }
        for name, value in row.items():
            rows[name].append(value)
    return ClaimColumns(**{name: np.asarray(values, dtype=DTYPES[name]) for name, values in rows.items()})


def half_up(amount_fen: np.ndarray, rate: Decimal) -> np.ndarray:
    """amount x rate rounded half-up to the fen, exactly, for non-negative integer fen."""
    numerator, denominator = Decimal(rate).as_integer_ratio()
    if denominator == 1:
        return amount_fen * numerator
    if len(amount_fen) == 0 or int(amount_fen.max()) < (2**62 - denominator) // (2 * numerator + 1):
        return (amount_fen * (2 * numerator) + denominator) // (2 * denominator)
    whole, rest = np.divmod(amount_fen, denominator)  # split so that x * numerator cannot overflow
    return whole * numerator + (2 * rest * numerator + denominator) // (2 * denominator)


class _Groups:
    """Claims sorted by worker (claim order kept within a worker) and each worker's offsets."""

    def __init__(self, worker: np.ndarray):
        count = len(worker)
        if count < 2 or bool(np.all(worker[1:] >= worker[:-1])):
            self.order = None
            sorted_worker = worker
        elif worker.min() >= 0 and int(worker.max()) < np.iinfo(np.int64).max // count - 1:
            # sorting the unique keys worker * n + position is a stable sort by worker, and faster
            keys = np.sort(worker.astype(np.int64) * count + np.arange(count))
            self.order = keys % count
            sorted_worker = keys // count
        else:
            self.order = np.argsort(worker, kind="stable")
            sorted_worker = worker[self.order]
        is_start = np.empty(count, dtype=bool)
        is_start[:1] = True
        np.not_equal(sorted_worker[1:], sorted_worker[:-1], out=is_start[1:])
        self.starts = np.flatnonzero(is_start)
        self.counts = np.diff(np.append(self.starts, count))

    @property
    def group(self) -> np.ndarray:
        """Each sorted claim's worker number 0, 1, 2, ..."""
        return np.repeat(np.arange(len(self.starts)), self.counts)

    def take(self, column: np.ndarray) -> np.ndarray:
        """A claim-order column in worker order."""
        return column if self.order is None else column[self.order]

    def put(self, column: np.ndarray) -> np.ndarray:
        """A worker-order column back in claim order."""
        if self.order is None:
            return column
        result = np.empty_like(column)
        result[self.order] = column
        return result

    def cumsum(self, values: np.ndarray) -> np.ndarray:
        """Running sum within each worker, including the claim itself."""
        running = np.cumsum(values)
        before_group = (running - values)[self.starts]
        return running - np.repeat(before_group, self.counts)

    def cummax(self, values: np.ndarray) -> np.ndarray:
        """Running maximum within each worker of non-negative values, including the claim itself."""
        if len(values) == 0:
            return values
        span = int(values.max()) + 1
        if len(self.starts) > np.iinfo(np.int64).max // span:
            raise ValueError("too many workers for the grouped running maximum")
        # each worker's values lifted above every earlier worker's, so one running max restarts per worker
        offset = np.repeat(np.arange(len(self.starts), dtype=np.int64) * span, self.counts)
        return np.maximum.accumulate(values + offset) - offset

    def shifted(self, running: np.ndarray) -> np.ndarray:
        """A running figure as it stood before each claim (0 before a worker's first claim)."""
        before = np.empty_like(running)
        before[1:] = running[:-1]
        before[self.starts] = 0
        return before

    def capped(self, values: np.ndarray, cap: int) -> np.ndarray:
        """What each claim gets when each worker's running sum is cut at `cap`."""
        running = self.cumsum(values)
        return np.minimum(running, cap) - np.minimum(running - values, cap)


def _ages(birth_day: np.ndarray, event_day: np.ndarray) -> np.ndarray:
    """Completed years of age on the event day (as core.dates.age_on), by a calendar table lookup."""
    first = int(min(birth_day.min(), event_day.min()))
    days = np.arange(first, int(max(birth_day.max(), event_day.max())) + 1).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    years = months.astype("datetime64[Y]").astype(np.int32) + 1970
    month_day = (months.astype(np.int32) % 12 + 1) * 100 + (days - months).astype(np.int32) + 1
    birth, event = birth_day - first, event_day - first
    return years[event] - years[birth] - (month_day[event] < month_day[birth])


def _covered(terms: PlanYearTerms, c: ClaimColumns) -> np.ndarray:
    """Mirror of rules.decide's refusals: plan part, period, coverage, eligibility, tier."""
    parts = {0: terms.inpatient, 1: terms.outpatient, 2: terms.women, 3: terms.women}
    covered = np.isin(c.event_type, [code for code, part in parts.items() if part is not None])
    start = c.start_day
    # DOMAIN: an event belongs to the year whose protection period holds its start date
    covered &= (start >= epoch_days(terms.protection_start_on)) & (start <= epoch_days(terms.protection_end_on))
    covered &= (start >= c.coverage_start_day) & (start <= c.coverage_end_day)
    rules = terms.eligibility
    covered &= np.isin(c.gender, [GENDER_CODES[g] for g in rules.genders])
    covered &= np.isin(c.worker_kind, [KIND_CODES[k] for k in rules.worker_kinds])
    # DOMAIN: age limits apply at enrollment: the coverage start, else the period start
    age_day = np.where(c.coverage_start_day == NO_START, epoch_days(terms.protection_start_on),
                       np.maximum(c.coverage_start_day, epoch_days(terms.protection_start_on)))
    age = _ages(c.birth_day, age_day.astype(np.int32))
    max_age = np.where(c.gender == GENDER_CODES["F"], rules.max_age_female, rules.max_age_male)
    covered &= (age >= rules.min_age) & (age < max_age)
    is_women = c.event_type >= 2
    tier = c.tier.astype(np.int32)
    # DOMAIN: each tier pays once per worker for life (earlier years' tiers are in the mask)
    paid_before = (c.already_paid_tiers.astype(np.int32) >> np.maximum(tier, 0)) & 1
    covered &= ~is_women | ((tier >= 0) & (paid_before == 0))
    return covered


def _hospital_raw(terms: PlanYearTerms, c: ClaimColumns, covered: np.ndarray, groups: _Groups) -> np.ndarray:
    """Inpatient and outpatient benefits before the annual cap, in fen, in worker order."""
    inpatient = covered & (c.event_type == EVENT_CODES["inpatient"]) if terms.inpatient and terms.allowance else None
    outpatient = covered & (c.event_type == EVENT_CODES["outpatient_chronic"]) if terms.outpatient else None
    if inpatient is None and outpatient is None:
        return np.zeros(len(covered), dtype=np.int64)
    # one money column to gather into worker order: the stay benefit, or the outpatient self-pay
    amount = np.zeros(len(covered), dtype=np.int64)
    if inpatient is not None:
        base = np.where(inpatient, c.self_pay_fen, 0)
        stay = np.zeros_like(amount)
        for band in terms.inpatient.bands:
            part = np.maximum(base - fen(band.lower_amount), 0)
            if band.upper_amount is not None:
                part = np.minimum(part, fen(band.upper_amount) - fen(band.lower_amount))
            # DOMAIN: each rate step is rounded half-up to the fen
            stay += half_up(part, band.rate)
        # DOMAIN: min 200 a stay, never above B
        amount = np.maximum(stay, np.minimum(fen(terms.inpatient.minimum_amount), base))
    if outpatient is not None:
        amount = np.where(outpatient, c.self_pay_fen, amount)
    amount = groups.take(amount)
    raw = np.zeros(len(covered), dtype=np.int64)
    if inpatient is not None:
        allowance = terms.allowance
        days = np.where(inpatient, np.maximum(c.end_day - c.start_day, allowance.min_days_per_stay), 0)
        daily = np.array([0] + [fen(a) for a in allowance.daily_amounts], dtype=np.int64)
        year_index = np.where(inpatient, np.clip(c.consecutive_years, 1, len(daily) - 1), 0).astype(np.int8)
        # DOMAIN: at most 180 allowance days a year across stays
        paid_days = groups.capped(groups.take(days.astype(np.int32)), allowance.max_days_per_year)
        year_index = groups.take(year_index)
        raw += np.where(year_index > 0, amount + paid_days * daily[year_index], 0)
    if outpatient is not None:
        rules = terms.outpatient
        self_pay = np.where(groups.take(outpatient), amount, 0)
        cumulative = groups.cumsum(self_pay)

        def entitled(total: np.ndarray) -> np.ndarray:
            # DOMAIN: min(10,000, max(0, cumulative - 1,000) x 50%); the deductible once a year
            gross = half_up(np.maximum(total - fen(rules.deductible_amount), 0), rules.rate)
            return np.minimum(gross, fen(rules.annual_cap_amount))

        # uncovered rows add 0 to the running sum, so their difference is 0
        raw += entitled(cumulative) - entitled(cumulative - self_pay)
    return raw


def _women_raw(terms: PlanYearTerms, c: ClaimColumns, covered: np.ndarray, groups: _Groups) -> np.ndarray:
    """Women's tier lump sums after the top-up and the women's yearly cap, in fen, in worker order."""
    if terms.women is None:
        return np.zeros(len(covered), dtype=np.int64)
    tiers = terms.women.tiers
    if len(tiers) > MAX_TIERS:
        raise ValueError(f"at most {MAX_TIERS} tiers")
    cap = fen(terms.women.annual_cap_amount)
    amounts = np.minimum(np.array([fen(t.amount) for t in tiers] + [0], dtype=np.int64), cap)
    tier = groups.take(np.where(covered & (c.event_type >= 2), c.tier, -1))
    # DOMAIN: a later higher tier pays its amount less what the year's earlier tiers paid, within
    # the yearly cap: what the year has paid after claim k is the running maximum of
    # min(amount, cap), and claim k pays its rise. A tier repeated in the year rises by 0 (pays once).
    reached = groups.cummax(amounts[tier])  # tier -1 takes the trailing 0
    return reached - groups.shifted(reached)


def rate_claims(terms: PlanYearTerms, claims: ClaimColumns) -> np.ndarray:
    """Each claim's benefit in integer fen (int64), in claim order; equal to rules.estimate per worker."""
    if len(claims) == 0:
        return np.zeros(0, dtype=np.int64)
    groups = _Groups(claims.worker)
    covered = _covered(terms, claims)  # per claim, no accumulator: computed in claim order
    raw = _hospital_raw(terms, claims, covered, groups) + _women_raw(terms, claims, covered, groups)
    if terms.annual_cap_amount is not None:
        # DOMAIN: annual cap across all benefits; a benefit that would pass it is cut to what remains
        raw = groups.capped(raw, fen(terms.annual_cap_amount))
    return groups.put(raw)
