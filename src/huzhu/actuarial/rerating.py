"""What-if: re-rate past claims under proposed terms with the vectorized engine, and compare.

Pure (no Django). The service loads each plan year's decided claims as `ClaimFacts` (columns in
decision order, the order the scalar engine saw them); `columns_for` turns them into the engine's
`ClaimColumns` under a given terms object (the women's tier depends on the terms' tiers), and
`compare` sets the benefits under the current and the proposed terms side by side.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import numpy as np

from huzhu.core.translation import gettext_noop
from huzhu.plans import rules as engine
from huzhu.plans.terms import PlanYearTerms
from huzhu.plans.vectorized import ClaimColumns, rate_claims


@dataclass(frozen=True)
class ClaimFacts:
    """A plan year's claims as columns, terms-independent (ClaimColumns less tier, plus the record)."""

    worker: np.ndarray
    event_type: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    self_pay_fen: np.ndarray
    consecutive_years: np.ndarray
    gender: np.ndarray
    birth_day: np.ndarray
    worker_kind: np.ndarray
    coverage_start_day: np.ndarray
    coverage_end_day: np.ndarray
    diagnosis: np.ndarray  # object: the ICD-10 code of a diagnosis claim, the procedure code of a procedure
    paid_tiers: np.ndarray  # object: tier codes paid to the worker in earlier years, e.g. "B"
    benefit_fen: np.ndarray  # int64: the benefit stored on the claim (what was decided)

    def __len__(self) -> int:
        return len(self.worker)

    @classmethod
    def concat(cls, parts: list[ClaimFacts]) -> ClaimFacts:
        if not parts:
            return cls.empty()
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    @classmethod
    def empty(cls) -> ClaimFacts:
        objects = {"diagnosis", "paid_tiers"}
        return cls(**{f.name: np.zeros(0, dtype=object if f.name in objects else np.int64) for f in fields(cls)})


def tier_index(terms: PlanYearTerms, diagnosis: np.ndarray, event_type: np.ndarray) -> np.ndarray:
    """Each claim's tier index under the terms (-1 none): the engine's tier_for, once per distinct code."""
    result = np.full(len(diagnosis), -1, dtype=np.int8)
    if terms.women is None or len(diagnosis) == 0:
        return result
    index = {t.code: i for i, t in enumerate(terms.women.tiers)}
    women = event_type >= 2
    day = date(terms.year, 1, 1)
    for kind, make in ((2, lambda code: engine.DiagnosisEvent(day, code)),
                       (3, lambda code: engine.ProcedureEvent(day, code))):
        rows = women & (event_type == kind)
        if not rows.any():
            continue
        codes, inverse = np.unique(diagnosis[rows].astype(str), return_inverse=True)
        tiers = np.array([index[t.code] if (t := engine.tier_for(terms, make(code))) else -1 for code in codes],
                         dtype=np.int8)
        result[rows] = tiers[inverse]
    return result


def _paid_mask(terms: PlanYearTerms, paid_tiers: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(paid_tiers), dtype=np.int16)
    if terms.women is None or len(paid_tiers) == 0:
        return mask
    codes, inverse = np.unique(paid_tiers.astype(str), return_inverse=True)
    bits = {t.code: 1 << i for i, t in enumerate(terms.women.tiers)}
    values = np.array([sum(bits.get(c, 0) for c in set(code)) for code in codes], dtype=np.int16)
    return values[inverse]


def columns_for(terms: PlanYearTerms, facts: ClaimFacts) -> ClaimColumns:
    """The engine's columns of the claims under these terms."""
    return ClaimColumns(
        worker=facts.worker, event_type=facts.event_type, start_day=facts.start_day, end_day=facts.end_day,
        self_pay_fen=facts.self_pay_fen, tier=tier_index(terms, facts.diagnosis, facts.event_type),
        consecutive_years=facts.consecutive_years, gender=facts.gender, birth_day=facts.birth_day,
        worker_kind=facts.worker_kind, coverage_start_day=facts.coverage_start_day,
        coverage_end_day=facts.coverage_end_day, already_paid_tiers=_paid_mask(terms, facts.paid_tiers))


def rerate(terms: PlanYearTerms, facts: ClaimFacts) -> np.ndarray:
    """Each claim's benefit in fen under the terms, in the facts' order."""
    return rate_claims(terms, columns_for(terms, facts))


def terms_for_year(document: dict, year: int) -> PlanYearTerms:
    """Proposed terms moved to another plan year: the year and every date shifted by whole years."""
    shift = year - int(document["year"])

    def moved(value):
        if isinstance(value, dict):
            return {key: moved(item) if not key.endswith("_on") else _shift(item, shift) for key, item in value.items()}
        if isinstance(value, list):
            return [moved(item) for item in value]
        return value

    return PlanYearTerms.model_validate({**moved(document), "year": year})


def _shift(value, years: int):
    if not isinstance(value, str) or years == 0:
        return value
    day = date.fromisoformat(value)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28).isoformat()


DIFFERENCE_EDGES_YUAN = (-1_000_000, -5000, -1000, -500, -100, -0.005, 0.005, 100, 500, 1000, 5000, 1_000_000)


def compare(worker: np.ndarray, current_fen: np.ndarray, proposed_fen: np.ndarray) -> dict:
    """Totals under both terms, and the winners and losers: workers whose year's total goes up or down."""
    workers, inverse = np.unique(np.asarray(worker), return_inverse=True)
    before = np.bincount(inverse, weights=current_fen, minlength=len(workers)).astype(np.int64)
    after = np.bincount(inverse, weights=proposed_fen, minlength=len(workers)).astype(np.int64)
    difference = after - before
    more, less = difference > 0, difference < 0
    claim_difference = proposed_fen - current_fen
    counts, _ = np.histogram(difference / 100.0, bins=np.array(DIFFERENCE_EDGES_YUAN, dtype=float))
    labels = [
        gettext_noop("减少5000元以上"),
        gettext_noop("减少1000–5000元"),
        gettext_noop("减少500–1000元"),
        gettext_noop("减少100–500元"),
        gettext_noop("减少不足100元"),
        gettext_noop("不变"),
        gettext_noop("增加不足100元"),
        gettext_noop("增加100–500元"),
        gettext_noop("增加500–1000元"),
        gettext_noop("增加1000–5000元"),
        gettext_noop("增加5000元以上"),
    ]
    return {
        "claims": int(len(current_fen)), "workers": int(len(workers)),
        "current_fen": int(current_fen.sum()), "proposed_fen": int(proposed_fen.sum()),
        "difference_fen": int(proposed_fen.sum() - current_fen.sum()),
        "claims_changed": int(np.count_nonzero(claim_difference)),
        "paid_claims_current": int(np.count_nonzero(current_fen)), "paid_claims_proposed": int(np.count_nonzero(proposed_fen)),
        "winners": int(more.sum()), "losers": int(less.sum()), "unchanged": int((difference == 0).sum()),
        "winners_gain_fen": int(difference[more].sum()), "losers_loss_fen": int(-difference[less].sum()),
        "winner_mean_fen": int(round(difference[more].mean())) if more.any() else 0,
        "loser_mean_fen": int(round(-difference[less].mean())) if less.any() else 0,
        "largest_gain_fen": int(difference.max()) if len(difference) and difference.max() > 0 else 0,
        "largest_loss_fen": int(-difference.min()) if len(difference) and difference.min() < 0 else 0,
        "distribution": [{"label": label, "workers": int(count)} for label, count in zip(labels, counts)],
    }
