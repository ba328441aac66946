"""The benefit engine: pure functions from terms and facts to a benefit and its explanation.

No Django, no queries (STYLE.md). The service gathers the facts, calls `decide`, and stores the
decision with the terms version. `estimate` runs a whole year's events in claim order.

INTERFACE (agreed between apps):
- `decide(terms, member, history, event) -> Decision`: one event after the year's earlier decided
  events (`history`, a YearToDate accumulator).
- `YearToDate.after(decision, event)` gives the accumulator that includes this event.
- `estimate(terms, member, events) -> Estimate`: runs events in order from an empty YearToDate.

Every Step carries `name`, the English wire text of the estimate format (DOMAIN.md), and `label`,
the Chinese text a worker reads. The amounts of an event's steps always add up to its benefit.
`vectorized.py` computes the same benefits for many claims at once; keep the two in step.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from huzhu.core.dates import age_on
from huzhu.core.money import ZERO, format_yuan, quantize_money

from .terms import PlanYearTerms, Tier


@dataclass(frozen=True)
class Member:
    """What the engine needs to know about the worker."""

    gender: str  # "M" / "F"
    birth_date: date
    consecutive_years: int = 1  # 1 = first consecutive year in the plan
    kind: str = "employee"  # or "gig"
    already_paid_tiers: frozenset[str] = frozenset()  # women's tiers paid in earlier years
    deceased: bool = False
    coverage_start_on: date | None = None  # first covered day (day after payment); None = period start
    coverage_end_on: date | None = None  # the coverage's last day (a leaver's is still the period end); None = period end


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
    def event_date(self) -> datetime.date:  # `date` is the field here
        return self.date


@dataclass(frozen=True)
class ProcedureEvent:
    date: date
    procedure: str  # "total_hysterectomy" | "bilateral_oophorectomy"
    type: str = "procedure"

    @property
    def event_date(self) -> datetime.date:  # `date` is the field here
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
    allowance_days: int = 0  # hospital days this decision paid an allowance for


@dataclass(frozen=True)
class YearToDate:
    """What earlier events of the plan year already used (the accumulators)."""

    paid_amount: Decimal = ZERO  # everything paid this plan year, for the annual cap
    allowance_days: int = 0  # hospital days already paid an allowance
    outpatient_self_pay: Decimal = ZERO  # cumulative outpatient in-policy self-pay
    outpatient_paid_amount: Decimal = ZERO
    women_paid_amount: Decimal = ZERO
    tiers_paid: frozenset[str] = field(default_factory=frozenset)  # tiers paid this year

    def after(self, decision: Decision, event: Event) -> YearToDate:
        """The accumulators once `decision` on `event` is paid."""
        changes: dict = {"paid_amount": self.paid_amount + decision.benefit}
        if decision.covered and isinstance(event, InpatientEvent):
            changes["allowance_days"] = self.allowance_days + decision.allowance_days
        if decision.covered and isinstance(event, OutpatientEvent):
            changes["outpatient_self_pay"] = self.outpatient_self_pay + event.policy_self_pay
            changes["outpatient_paid_amount"] = self.outpatient_paid_amount + decision.benefit
        if decision.tier and decision.benefit > 0:
            changes["women_paid_amount"] = self.women_paid_amount + decision.benefit
            changes["tiers_paid"] = self.tiers_paid | {decision.tier}
        return replace(self, **changes)


@dataclass(frozen=True)
class Estimate:
    total: Decimal
    decisions: tuple[Decision, ...]


# --- text of the steps -------------------------------------------------------------------------

def plain_number(value: Decimal) -> str:
    """A bound or amount as written in step names: "10000" when whole, else "12.50"."""
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def percent(rate: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.5 -> "50", 0.055 -> "5.5"."""
    text = f"{rate * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _yuan(value: Decimal) -> str:
    return format_yuan(value)


EVENT_LABELS = {"inpatient": "住院", "outpatient_chronic": "门诊慢特病", "diagnosis": "确诊", "procedure": "手术"}


def _not_covered(reason: str, name: str, label: str) -> Decision:
    return Decision(ZERO, (Step(f"not covered: {name}", ZERO, f"不予补助：{label}"),), covered=False, reason=reason)


# --- eligibility, protection period, deadline --------------------------------------------------

def claim_deadline(terms: PlanYearTerms) -> date:
    """The last day a claim of this plan year may be submitted."""
    # DOMAIN: claim deadline is N days after the protection period ends
    return terms.protection_end_on + timedelta(days=terms.claim_deadline_days)


def is_within_deadline(terms: PlanYearTerms, submitted_on: date) -> bool:
    """Whether a claim submitted on `submitted_on` is in time."""
    return submitted_on <= claim_deadline(terms)


def age_limits(terms: PlanYearTerms, gender: str) -> tuple[int, int]:
    """(minimum age, exclusive maximum age) for the gender."""
    rules = terms.eligibility
    return rules.min_age, rules.max_age_female if gender == "F" else rules.max_age_male


def coverage_refusal(terms: PlanYearTerms, member: Member, event: Event) -> Decision | None:
    """A not-covered decision when the member or the event date falls outside the plan, else None."""
    day = event.event_date
    # DOMAIN: an event belongs to the year whose protection period holds its start date
    if not terms.covers(day):
        start, end = terms.protection_start_on, terms.protection_end_on
        return _not_covered("outside_protection_period", f"{day} outside protection period {start} to {end}",
                            f"{day} 不在保障期（{start} 至 {end}）内")
    if member.coverage_start_on is not None and day < member.coverage_start_on:
        return _not_covered("before_coverage", f"{day} before coverage starts {member.coverage_start_on}",
                            f"{day} 早于本人保障起始日 {member.coverage_start_on}")
    if member.coverage_end_on is not None and day > member.coverage_end_on:
        return _not_covered("after_coverage", f"{day} after coverage ended {member.coverage_end_on}",
                            f"{day} 晚于本人保障终止日 {member.coverage_end_on}")
    rules = terms.eligibility
    if member.gender not in rules.genders:
        return _not_covered("not_eligible", f"gender {member.gender} not eligible", "本项目不保障该性别")
    if member.kind not in rules.worker_kinds:
        return _not_covered("not_eligible", f"worker kind {member.kind} not eligible", "本项目不保障该类职工")
    # DOMAIN: age limits apply at enrollment (e.g. women 16-60 "at enrollment"): taken on the day
    # coverage starts, or the period start when that is not known; a birthday later in the year
    # does not end a coverage already paid for.
    age_day = max(member.coverage_start_on or terms.protection_start_on, terms.protection_start_on)
    age = age_on(member.birth_date, age_day)
    low, high = age_limits(terms, member.gender)
    if not low <= age < high:
        return _not_covered("not_eligible", f"age {age} at enrollment outside {low} to under {high}",
                            f"参互时 {age} 岁，不在 {low} 岁至未满 {high} 岁的保障范围内")
    return None


def tier_for(terms: PlanYearTerms, event: Event) -> Tier | None:
    """The women's tier an event's diagnosis or procedure falls in, the first match in term order."""
    if terms.women is None:
        return None
    if isinstance(event, DiagnosisEvent):
        code = event.icd10.strip().upper()
        return next((t for t in terms.women.tiers if any(code.startswith(p) for p in t.icd10_prefixes)), None)
    if isinstance(event, ProcedureEvent):
        return next((t for t in terms.women.tiers if event.procedure in t.procedures), None)
    return None


# --- the benefits ------------------------------------------------------------------------------

_T = TypeVar("_T")


def _part(section: _T | None, name: str) -> _T:
    """A part of the terms that the plan's benefit needs; the terms are validated on save, so none is missing."""
    if section is None:
        raise ValueError(f"the terms have no {name} part")
    return section


def banded(terms: PlanYearTerms, base: Decimal) -> list[Step]:
    """The marginal band steps of an inpatient base B, each rounded half-up to the fen."""
    steps = []
    for band in _part(terms.inpatient, "inpatient").bands:
        top = base if band.upper_amount is None else min(base, band.upper_amount)
        part = top - band.lower_amount
        if part <= 0:
            break
        lower = plain_number(band.lower_amount)
        span = f"{lower}+" if band.upper_amount is None else f"{lower}-{plain_number(band.upper_amount)}"
        label_span = f"{lower} 元以上" if band.upper_amount is None else f"{lower}–{plain_number(band.upper_amount)} 元"
        # DOMAIN: each rate step is rounded half-up to the fen
        steps.append(Step(f"band {span} @ {percent(band.rate)}%", quantize_money(part * band.rate),
                          f"个人自付 {label_span} 部分 × {percent(band.rate)}%"))
    return steps


def _inpatient_steps(terms: PlanYearTerms, member: Member, history: YearToDate,
                     event: InpatientEvent) -> tuple[list[Step], int]:
    base = event.policy_self_pay
    steps = banded(terms, base)
    stay = sum((s.amount for s in steps), ZERO)
    minimum = _part(terms.inpatient, "inpatient").minimum_amount
    # DOMAIN: min 200 a stay, never above B: stay = max(banded(B), min(200, B))
    floor = min(minimum, base)
    if floor > stay:
        if floor < minimum:
            steps.append(Step(f"minimum {_yuan(minimum)} a stay, not above self-pay {_yuan(base)}", floor - stay,
                              f"每次住院最低 {_yuan(minimum)} 元，但不超过个人自付 {_yuan(base)} 元，补足"))
        else:
            steps.append(Step(f"minimum {_yuan(minimum)} a stay", quantize_money(floor - stay),
                              f"每次住院最低补助 {_yuan(minimum)} 元，补足"))
    allowance = _part(terms.allowance, "allowance")
    # DOMAIN: days = discharge - admission, at least 1; at most 180 days a year in total
    days = max((event.discharged - event.admitted).days, allowance.min_days_per_stay)
    paid_days = min(days, max(0, allowance.max_days_per_year - history.allowance_days))
    daily = allowance.daily_amount(member.consecutive_years)
    name = f"allowance {paid_days} days x {plain_number(daily)}"
    label = f"住院补贴 {paid_days} 天 × {plain_number(daily)} 元（连续参互第 {max(member.consecutive_years, 1)} 年）"
    if paid_days < days:
        name += f" ({days} days in stay, {ALLOWANCE_LIMIT_MARK} {allowance.max_days_per_year})"
        label += f"；本次住院 {days} 天，全年最多 {allowance.max_days_per_year} 天，已用 {history.allowance_days} 天"
    steps.append(Step(name, quantize_money(daily * paid_days), label))
    return steps, paid_days


def _outpatient_steps(terms: PlanYearTerms, history: YearToDate, event: OutpatientEvent) -> list[Step]:
    rules = _part(terms.outpatient, "outpatient")
    cumulative = history.outpatient_self_pay + event.policy_self_pay
    # DOMAIN: per year min(10,000, max(0, cumulative - 1,000) x 50%), less earlier outpatient benefits
    gross = quantize_money(max(ZERO, cumulative - rules.deductible_amount) * rules.rate)
    rate = percent(rules.rate)
    steps = [Step(f"({_yuan(cumulative)} - {_yuan(rules.deductible_amount)}) x {rate}%", gross,
                  f"（本年累计个人自付 {_yuan(cumulative)} 元 − 起付 {_yuan(rules.deductible_amount)} 元）× {rate}%")]
    if gross > rules.annual_cap_amount:
        steps.append(Step(f"outpatient yearly limit {_yuan(rules.annual_cap_amount)}", quantize_money(rules.annual_cap_amount - gross),
                          f"门诊慢特病每年最多 {_yuan(rules.annual_cap_amount)} 元"))
    # never below 0, even for a year-to-date recorded by hand
    less = min(history.outpatient_paid_amount, sum((s.amount for s in steps), ZERO))
    if less > 0:
        steps.append(Step("less outpatient benefits paid earlier this year", -less,
                          f"减去本年已领门诊慢特病补助 {_yuan(history.outpatient_paid_amount)} 元"))
    return steps


def _top_up_steps(tier: Tier, history: YearToDate) -> list[Step]:
    """The top-up of a women's tier: less what the year's earlier tiers already paid, never below 0."""
    paid = history.women_paid_amount
    if paid <= 0:
        return []
    # DOMAIN: a later higher tier pays its amount minus what the year's earlier tiers paid
    # (C 3,000 then B: 5,000; B 8,000 then A: 24,000); a lower or equal one pays nothing more
    less = min(paid, quantize_money(tier.amount))
    codes = sorted(history.tiers_paid)
    what = f"tier {'+'.join(codes)}" if codes else "tiers"
    paid_text = f"已付 {'、'.join(codes)} 档 {_yuan(paid)} 元" if codes else f"本年已付各档 {_yuan(paid)} 元"
    if paid < tier.amount:
        label = f"{paid_text}，补足至 {tier.code} 档 {_yuan(tier.amount)} 元"
    else:
        label = f"{paid_text}，不低于 {tier.code} 档 {_yuan(tier.amount)} 元，不再补助"
    return [Step(f"less {what} paid earlier this year {_yuan(paid)}", -less, label)]


# The names a cut by a yearly limit starts with (the steps below build them): a decision with one pays less than the
# event alone would, because of the year's earlier benefits. Automation never approves such a cut (claims.rules).
LIMIT_CUT_PREFIXES = ("annual cap ", "women yearly cap ", "outpatient yearly limit ")
ALLOWANCE_LIMIT_MARK = "yearly limit"  # in an allowance step that paid fewer days than the stay had


def limit_cut(decision: Decision) -> bool:
    """Whether a yearly limit cut this decision's benefit (annual cap, women's or outpatient cap, allowance days)."""
    return any(step.name.startswith(LIMIT_CUT_PREFIXES)
               or (step.name.startswith("allowance ") and ALLOWANCE_LIMIT_MARK in step.name) for step in decision.steps)


def _capped(steps: list[Step], remaining: Decimal, name: str, label: str) -> list[Step]:
    """Append a cut step when the steps' sum passes what remains under a cap."""
    total = sum((s.amount for s in steps), ZERO)
    if total > remaining:
        steps.append(Step(name, quantize_money(max(remaining, ZERO) - total), label))
    return steps


def decide(terms: PlanYearTerms, member: Member, history: YearToDate, event: Event) -> Decision:
    """The benefit of one event after the year's earlier events."""
    plan_part = {"inpatient": terms.inpatient, "outpatient_chronic": terms.outpatient,
                 "diagnosis": terms.women, "procedure": terms.women}.get(event.type)
    if plan_part is None:
        return _not_covered("not_in_plan", f"{event.type} not in plan {terms.plan}",
                            f"本项目不含{EVENT_LABELS.get(event.type, event.type)}补助")
    refusal = coverage_refusal(terms, member, event)
    if refusal is not None:
        return refusal
    tier_code, allowance_days = "", 0
    if isinstance(event, InpatientEvent):
        steps, allowance_days = _inpatient_steps(terms, member, history, event)
    elif isinstance(event, OutpatientEvent):
        steps = _outpatient_steps(terms, history, event)
    else:
        tier = tier_for(terms, event)
        if tier is None:
            what = event.icd10 if isinstance(event, DiagnosisEvent) else event.procedure
            return _not_covered("not_covered_diagnosis", f"{what} not in any tier", f"{what} 不属于任何保障档次")
        # DOMAIN: each tier pays once per worker for life in the scheme
        if tier.code in member.already_paid_tiers or tier.code in history.tiers_paid:
            return _not_covered("tier_already_paid", f"tier {tier.code} already paid",
                                f"{tier.code} 档（{tier.name}）已领取过，每档终身只补助一次")
        tier_code = tier.code
        steps = [Step(f"tier {tier.code} {_yuan(tier.amount)}", quantize_money(tier.amount),
                      f"{tier.code} 档 {tier.name} 一次性补助 {_yuan(tier.amount)} 元")]
        steps += _top_up_steps(tier, history)
        cap = _part(terms.women, "women").annual_cap_amount
        # DOMAIN: at most 32,000 a year, on top of the top-up
        remaining = cap - history.women_paid_amount
        steps = _capped(steps, remaining, f"women yearly cap {_yuan(cap)}, remaining {_yuan(max(remaining, ZERO))}",
                        f"每年最多 {_yuan(cap)} 元，本年已领 {_yuan(history.women_paid_amount)} 元，补足至上限")
    if terms.annual_cap_amount is not None:
        cap = terms.annual_cap_amount
        # DOMAIN: annual cap for everything together; a benefit that would pass it is cut to what remains
        remaining = cap - history.paid_amount
        steps = _capped(steps, remaining, f"annual cap {_yuan(cap)}, remaining {_yuan(max(remaining, ZERO))}",
                        f"年度封顶 {_yuan(cap)} 元，本年已领 {_yuan(history.paid_amount)} 元，只补助剩余额度")
    benefit = quantize_money(sum((s.amount for s in steps), ZERO))
    return Decision(benefit, tuple(steps), tier=tier_code, allowance_days=allowance_days)


def estimate(terms: PlanYearTerms, member: Member, events: list[Event]) -> Estimate:
    """Decide each event in claim order; the total is the sum of the benefits."""
    history = YearToDate()
    decisions = []
    for event in events:
        decision = decide(terms, member, history, event)
        decisions.append(decision)
        history = history.after(decision, event)
    return Estimate(quantize_money(sum((d.benefit for d in decisions), ZERO)), tuple(decisions))
