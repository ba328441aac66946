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
    whole, rest = np.divmod(amount_fen, denominator)  # split so that x * numerator cannot overflow
    return whole * numerator + (2 * rest * numerator + denominator) // (2 * denominator)


class _Groups:
    """Claims sorted by worker (stable, so claim order holds within a worker) and group offsets."""

    def __init__(self, worker: np.ndarray):
        if len(worker) < 2 or bool(np.all(worker[1:] >= worker[:-1])):
            self.order = None
            sorted_worker = worker
        else:
            self.order = np.argsort(worker, kind="stable")
            sorted_worker = worker[self.order]
        is_start = np.empty(len(worker), dtype=bool)
        is_start[:1] = True
        np.not_equal(sorted_worker[1:], sorted_worker[:-1], out=is_start[1:])
        self.starts = np.flatnonzero(is_start)
        self.counts = np.diff(np.append(self.starts, len(worker)))
        self.group = np.repeat(np.arange(len(self.starts)), self.counts)

    def take(self, column: np.ndarray) -> np.ndarray:
        return column if self.order is None else column[self.order]

    def cumsum(self, values: np.ndarray) -> np.ndarray:
        """Running sum within each worker, including the claim itself."""
        running = np.cumsum(values)
        before_group = (running - values)[self.starts]
        return running - np.repeat(before_group, self.counts)

    def capped(self, values: np.ndarray, cap: int) -> np.ndarray:
        """What each claim gets when each worker's running sum is cut at `cap`."""
        running = self.cumsum(values)
        return np.minimum(running, cap) - np.minimum(running - values, cap)


def _date_parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(year, month * 100 + day) of epoch days."""
    stamp = days.astype("datetime64[D]")
    months = stamp.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (stamp - months).astype(np.int64) + 1
    return year, month * 100 + day


def _covered(terms: PlanYearTerms, c: dict[str, np.ndarray]) -> np.ndarray:
    """Mirror of rules.decide's refusals: plan part, period, coverage, eligibility, tier."""
    parts = {0: terms.inpatient, 1: terms.outpatient, 2: terms.women, 3: terms.women}
    in_plan = np.isin(c["event_type"], [code for code, part in parts.items() if part is not None])
    start = c["start_day"]
    # DOMAIN: an event belongs to the year whose protection period holds its start date
    covered = in_plan & (start >= epoch_days(terms.protection_start_on)) & (start <= epoch_days(terms.protection_end_on))
    covered &= (start >= c["coverage_start_day"]) & (start <= c["coverage_end_day"])
    rules = terms.eligibility
    covered &= np.isin(c["gender"], [GENDER_CODES[g] for g in rules.genders])
    covered &= np.isin(c["worker_kind"], [KIND_CODES[k] for k in rules.worker_kinds])
    event_year, event_day = _date_parts(start)
    birth_year, birth_day = _date_parts(c["birth_day"])
    age = event_year - birth_year - (event_day < birth_day)
    max_age = np.where(c["gender"] == GENDER_CODES["F"], rules.max_age_female, rules.max_age_male)
    covered &= (age >= rules.min_age) & (age < max_age)
    is_women = c["event_type"] >= 2
    tier = c["tier"].astype(np.int64)
    # DOMAIN: each tier pays once per worker for life (earlier years' tiers are in the mask)
    paid_before = (c["already_paid_tiers"].astype(np.int64) >> np.maximum(tier, 0)) & 1
    covered &= ~is_women | ((tier >= 0) & (paid_before == 0))
    return covered


def _hospital_raw(terms: PlanYearTerms, c: dict[str, np.ndarray], covered: np.ndarray,
                  groups: _Groups) -> np.ndarray:
    """Inpatient and outpatient benefits before the annual cap, in fen."""
    raw = np.zeros(len(covered), dtype=np.int64)
    if terms.inpatient is not None and terms.allowance is not None:
        inpatient = covered & (c["event_type"] == EVENT_CODES["inpatient"])
        base = np.where(inpatient, c["self_pay_fen"], 0)
        stay = np.zeros_like(raw)
        for band in terms.inpatient.bands:
            part = np.maximum(base - fen(band.lower_amount), 0)
            if band.upper_amount is not None:
                part = np.minimum(part, fen(band.upper_amount) - fen(band.lower_amount))
            # DOMAIN: each rate step is rounded half-up to the fen
            stay += half_up(part, band.rate)
        # DOMAIN: min 200 a stay, never above B
        stay = np.maximum(stay, np.minimum(fen(terms.inpatient.minimum_amount), base))
        allowance = terms.allowance
        days = np.maximum(c["end_day"].astype(np.int64) - c["start_day"], allowance.min_days_per_stay)
        # DOMAIN: at most 180 allowance days a year across stays
        paid_days = groups.capped(np.where(inpatient, days, 0), allowance.max_days_per_year)
        daily = np.array([fen(a) for a in allowance.daily_amounts], dtype=np.int64)
        years = np.clip(c["consecutive_years"], 1, len(daily)) - 1
        raw += np.where(inpatient, stay + paid_days * daily[years], 0)
    if terms.outpatient is not None:
        rules = terms.outpatient
        outpatient = covered & (c["event_type"] == EVENT_CODES["outpatient_chronic"])
        self_pay = np.where(outpatient, c["self_pay_fen"], 0)
        cumulative = groups.cumsum(self_pay)

        def entitled(total: np.ndarray) -> np.ndarray:
            # DOMAIN: min(10,000, max(0, cumulative - 1,000) x 50%); the deductible once a year
            gross = half_up(np.maximum(total - fen(rules.deductible_amount), 0), rules.rate)
            return np.minimum(gross, fen(rules.annual_cap_amount))

        raw += np.where(outpatient, entitled(cumulative) - entitled(cumulative - self_pay), 0)
    return raw


def _women_raw(terms: PlanYearTerms, c: dict[str, np.ndarray], covered: np.ndarray,
               groups: _Groups) -> np.ndarray:
    """Women's tier lump sums after the women's yearly cap, in fen."""
    raw = np.zeros(len(covered), dtype=np.int64)
    if terms.women is None:
        return raw
    tiers = terms.women.tiers
    if len(tiers) > MAX_TIERS:
        raise ValueError(f"at most {MAX_TIERS} tiers")
    candidate = np.flatnonzero(covered & (c["event_type"] >= 2))
    keys = groups.group[candidate].astype(np.int64) * (MAX_TIERS + 1) + c["tier"][candidate]
    # DOMAIN: a tier pays once: only its first covered claim of the year counts
    _, first = np.unique(keys, return_index=True)
    paying = candidate[first]
    amounts = np.array([fen(t.amount) for t in tiers], dtype=np.int64)
    raw[paying] = amounts[c["tier"][paying]]
    # DOMAIN: at most 32,000 a year; a later tier tops up to what remains
    return groups.capped(raw, fen(terms.women.annual_cap_amount))


def rate_claims(terms: PlanYearTerms, claims: ClaimColumns) -> np.ndarray:
    """Each claim's benefit in integer fen (int64), in claim order; equal to rules.estimate per worker."""
    if len(claims) == 0:
        return np.zeros(0, dtype=np.int64)
    groups = _Groups(claims.worker)
    columns = {f.name: groups.take(getattr(claims, f.name)) for f in fields(claims)}
    covered = _covered(terms, columns)
    raw = _hospital_raw(terms, columns, covered, groups) + _women_raw(terms, columns, covered, groups)
    if terms.annual_cap_amount is not None:
        # DOMAIN: annual cap across all benefits; a benefit that would pass it is cut to what remains
        raw = groups.capped(raw, fen(terms.annual_cap_amount))
    if groups.order is None:
        return raw
    result = np.empty_like(raw)
    result[groups.order] = raw
    return result
