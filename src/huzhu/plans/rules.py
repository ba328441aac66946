"""The benefit engine: pure functions from terms and facts to a benefit and its explanation.

No Django, no queries (STYLE.md). The service gathers the facts, calls `decide`, and stores the
decision with the terms version. `estimate` runs a whole year's events in claim order.

INTERFACE (agreed between apps; the implementation is filled in by the engine work):
- `decide(terms, member, history, event) -> Decision`: one event after the year's earlier decided
  events (`history`, a YearToDate accumulator).
- `YearToDate.after(decision, event)` gives the accumulator that includes this event.
- `estimate(terms, member, events) -> Estimate`: runs events in order from an empty YearToDate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from huzhu.core.money import ZERO

from .terms import PlanYearTerms


@dataclass(frozen=True)
class Member:
    """What the engine needs to know about the worker."""

    gender: str  # "M" / "F"
    birth_date: date
    consecutive_years: int = 1  # 1 = first consecutive year in the plan
    kind: str = "employee"  # or "gig"
    already_paid_tiers: frozenset[str] = frozenset()  # women's tiers paid in earlier years
    deceased: bool = False


@dataclass(frozen=True)
class InpatientEvent:
    admitted: date
    discharged: date
    policy_self_pay: Decimal
    type: str = "inpatient"

    @property
    def event_date(self) -> date:
        return self.admitted


@dataclass(frozen=True)
class OutpatientEvent:
    period_start: date
    period_end: date
    policy_self_pay: Decimal
    type: str = "outpatient_chronic"

    @property
    def event_date(self) -> date:
        return self.period_start


@dataclass(frozen=True)
class DiagnosisEvent:
    date: date
    icd10: str
    type: str = "diagnosis"

    @property
    def event_date(self) -> date:
        return self.date


@dataclass(frozen=True)
class ProcedureEvent:
    date: date
    procedure: str  # "total_hysterectomy" | "bilateral_oophorectomy"
    type: str = "procedure"

    @property
    def event_date(self) -> date:
        return self.date


Event = InpatientEvent | OutpatientEvent | DiagnosisEvent | ProcedureEvent


@dataclass(frozen=True)
class Step:
    """One line of the explanation. `name` is the stable English wire text (DOMAIN.md estimate
    format, e.g. "band 0-10000 @ 50%"); `label` is the Chinese text shown to a worker."""

    name: str
    amount: Decimal
    label: str = ""


@dataclass(frozen=True)
class Decision:
    """The benefit of one event and why. `covered` is False with a `reason` code when it pays 0."""

    benefit: Decimal
    steps: tuple[Step, ...]
    covered: bool = True
    reason: str = ""  # e.g. "outside_protection_period", "not_eligible", "not_covered_diagnosis"
    tier: str = ""  # women's plan: the tier this decision pays


@dataclass(frozen=True)
class YearToDate:
    """What earlier events of the plan year already used (the accumulators)."""

    paid_amount: Decimal = ZERO  # everything paid this plan year, for the annual cap
    allowance_days: int = 0  # hospital days already paid an allowance
    outpatient_self_pay: Decimal = ZERO  # cumulative outpatient in-policy self-pay
    outpatient_paid_amount: Decimal = ZERO
    women_paid_amount: Decimal = ZERO
    tiers_paid: frozenset[str] = field(default_factory=frozenset)  # tiers paid this year

    def after(self, decision: Decision, event: Event) -> YearToDate:  # pragma: no cover - filled in by the engine
        raise NotImplementedError


@dataclass(frozen=True)
class Estimate:
    total: Decimal
    decisions: tuple[Decision, ...]


def decide(terms: PlanYearTerms, member: Member, history: YearToDate, event: Event) -> Decision:  # pragma: no cover
    """The benefit of one event after the year's earlier events."""
    raise NotImplementedError


def estimate(terms: PlanYearTerms, member: Member, events: list[Event]) -> Estimate:  # pragma: no cover
    """Decide each event in claim order; the total is the sum of the benefits."""
    raise NotImplementedError
