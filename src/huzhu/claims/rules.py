"""Pure claim rules: input checks, submission checks and straight-through (risk checks: risk/rules.py).

No ORM (STYLE.md): the service gathers a `ClaimFacts`, calls these, and acts on the answer.
"""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from huzhu.core.identifiers import normalise_check_code, normalise_invoice_code, normalise_invoice_number
from huzhu.core.money import ZERO
from huzhu.plans.rules import (
    Decision,
    DiagnosisEvent,
    Event,
    InpatientEvent,
    OutpatientEvent,
    ProcedureEvent,
    YearToDate,
    claim_deadline,
    limit_cut,
)
from huzhu.plans.terms import PlanYearTerms

INVOICE_CODE = re.compile(r"[0-9]{8}")
INVOICE_NUMBER = re.compile(r"[0-9]{10}")
CHECK_CODE = re.compile(r"[0-9A-Z]{6}")
DEFAULT_STRAIGHT_THROUGH_LIMIT = Decimal("3000.00")
# A benefit at or above this goes to medical expert review (医学专家评审) after the league, as every women's claim does.
DEFAULT_EXPERT_REVIEW_AMOUNT = Decimal("10000.00")
EXPERT_REVIEW_DAYS = 5  # working days the expert has, from the day the claim reaches her
# A women's diagnosis (a pathology report decides it) always sees an expert; a tier-C operation (its discharge summary
# and invoice decide it, no pathology) only from the amount, like any claim.
EXPERT_CLAIM_TYPES = frozenset({"diagnosis"})
# The plan a claim type belongs to.
PLAN_OF_TYPE = {"inpatient": "hospitalization", "outpatient_chronic": "hospitalization",
                "diagnosis": "women_health", "procedure": "women_health"}
# Every payer's part of the total: the fund, serious-illness insurance, medical aid (医疗救助, for those it
# covers), and the worker's own three shares. The benefit base is the in-policy self-pay, the worker's own
# share after every payer, so medical aid is a payer part and never part of the base (DOMAIN.md).
AMOUNT_FIELDS = ("total_amount", "fund_paid_amount", "serious_illness_amount", "medical_aid_amount",
                 "policy_self_pay_amount", "out_of_policy_amount", "self_funded_amount")
AMOUNT_LABELS = {
    "total_amount": "医疗费用总额", "fund_paid_amount": "统筹基金支付", "serious_illness_amount": "大病保险支付",
    "medical_aid_amount": "医疗救助支付",
    "policy_self_pay_amount": "政策范围内个人自付", "out_of_policy_amount": "政策范围外个人自付",
    "self_funded_amount": "全自费",
}
# The fields of a document read (archives.reading) that are compared with what the claim was filed with: a
# difference is a correction (services.readings), the measure of the reading's accuracy (queries.reading_accuracy).
READING_DATES = ("admitted_on", "discharged_on")
READING_INVOICE_FIELDS = (("invoice_code", 0), ("invoice_number", 1), ("check_code", 2))  # field, its place on an invoice
READING_COMPARED_FIELDS = (*AMOUNT_FIELDS, *READING_DATES, "hospital_name", "diagnosis",
                           *(name for name, _place in READING_INVOICE_FIELDS))
# Claim types whose benefit is a share of costs: they need the settlement amounts.
COST_TYPES = ("inpatient", "outpatient_chronic")


@dataclass(frozen=True)
class Problem:
    """Why a claim cannot be submitted: a code, a Chinese message, the field."""

    code: str
    message: str
    field: str = ""


class Finding(Protocol):
    """A screening finding that blocks straight-through (risk.rules.Finding conforms; see claims.screening)."""

    @property
    def code(self) -> str: ...

    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class InvoiceFacts:
    code: str
    number: str
    check_code: str
    amount: Decimal


@dataclass(frozen=True)
class Amounts:
    total_amount: Decimal = ZERO
    fund_paid_amount: Decimal = ZERO
    serious_illness_amount: Decimal = ZERO
    medical_aid_amount: Decimal = ZERO
    policy_self_pay_amount: Decimal = ZERO
    out_of_policy_amount: Decimal = ZERO
    self_funded_amount: Decimal = ZERO


@dataclass(frozen=True)
class ClaimFacts:
    """Everything the submission checks look at, gathered by the service."""

    claim_type: str
    event: Event
    end_on: date | None  # discharge or period end
    filed_on: date
    coverage_active: bool
    coverage_starts_on: date | None
    coverage_ends_on: date | None
    amounts: Amounts
    invoices: tuple[InvoiceFacts, ...] = ()
    documents: frozenset[str] = frozenset()
    deceased: bool = False
    invoices_used_elsewhere: frozenset[tuple[str, str]] = frozenset()
    from_data: bool = False  # made from a medical-insurance settlement: the row is its evidence


def parse_invoice(code: str, number: str, check_code: str, amount: Decimal, *, row: int = 1) -> InvoiceFacts:
    """Validate an e-invoice by pattern (DATA.md: no public checksum); ValueError names the field.

    The parts are normalised first (core.identifiers): 15020126 typed in full-width or Arabic-Indic
    digits is the same invoice, and pays once.
    """
    try:
        code, number, check_code = (normalise_invoice_code(code), normalise_invoice_number(number),
                                    normalise_check_code(check_code))
    except ValueError as exc:
        raise ValueError(f"第{row}张票据：{exc}") from exc
    if not INVOICE_CODE.fullmatch(code):
        raise ValueError(f"第{row}张票据：票据代码应为8位数字")
    if not INVOICE_NUMBER.fullmatch(number):
        raise ValueError(f"第{row}张票据：票据号码应为10位数字")
    if not CHECK_CODE.fullmatch(check_code):
        raise ValueError(f"第{row}张票据：校验码应为6位数字或字母")
    if amount <= 0:
        raise ValueError(f"第{row}张票据：票据金额应大于0")
    return InvoiceFacts(code, number, check_code, amount)


def amount_problems(claim_type: str, amounts: Amounts, invoices: tuple[InvoiceFacts, ...]) -> list[Problem]:
    """Amounts must be non-negative and add up: total = every payer's part; invoices = total."""
    problems = [Problem("negative_amount", f"{AMOUNT_LABELS[name]}不能为负数", name)
                for name in AMOUNT_FIELDS if getattr(amounts, name) < 0]
    if problems or claim_type not in COST_TYPES:
        return problems
    if amounts.total_amount <= 0:
        return [Problem("missing_total", "请填写医疗费用总额", "total_amount")]
    parts = sum((getattr(amounts, name) for name in AMOUNT_FIELDS[1:]), ZERO)
    if parts != amounts.total_amount:
        problems.append(Problem(
            "amounts_inconsistent",
            f"医疗费用总额 {amounts.total_amount} 应等于统筹基金、大病保险、医疗救助、政策内自付、政策外自付与全自费之和 {parts}",
            "total_amount"))
    invoiced = sum((i.amount for i in invoices), ZERO)
    if invoices and invoiced != amounts.total_amount:
        problems.append(Problem("invoices_inconsistent",
                                f"票据金额合计 {invoiced} 与医疗费用总额 {amounts.total_amount} 不一致", "invoices"))
    return problems


def event_problems(claim_type: str, event: Event, end_on: date | None) -> list[Problem]:
    """The event's own dates make sense."""
    if claim_type == "inpatient" and end_on is not None and end_on < event.event_date:
        return [Problem("discharge_before_admission", "出院日期不能早于入院日期", "discharged_on")]
    if claim_type == "outpatient_chronic" and end_on is not None and end_on < event.event_date:
        return [Problem("period_reversed", "费用期间止不能早于费用期间起", "period_end_on")]
    return []


def coverage_problems(facts: ClaimFacts) -> list[Problem]:
    """The worker's coverage must be active on the event date (DOMAIN: no waiting period)."""
    day = facts.event.event_date
    if not facts.coverage_active:
        return [Problem("coverage_inactive", "该职工本年度的保障凭证未生效（未缴费或已撤销）", "coverage")]
    if facts.coverage_starts_on and day < facts.coverage_starts_on:
        return [Problem("before_coverage", f"事件日期 {day} 早于保障起期 {facts.coverage_starts_on}", "event_on")]
    if facts.coverage_ends_on and day > facts.coverage_ends_on:
        return [Problem("after_coverage", f"事件日期 {day} 晚于保障止期 {facts.coverage_ends_on}", "event_on")]
    return []


def deadline_problems(terms: PlanYearTerms, filed_on: date, event_on: date) -> list[Problem]:
    problems = []
    if event_on > filed_on:
        problems.append(Problem("event_in_future", f"事件日期 {event_on} 晚于今天", "event_on"))
    if filed_on > claim_deadline(terms):
        problems.append(Problem("late", f"已超过申领期限（{claim_deadline(terms)}）", "event_on"))
    return problems


def invoice_problems(invoices: tuple[InvoiceFacts, ...], used_elsewhere: frozenset[tuple[str, str]]) -> list[Problem]:
    """An invoice pays once across all claims and years; twice in one claim is a typing error."""
    seen: set[tuple[str, str]] = set()
    problems = []
    for invoice in invoices:
        key = (invoice.code, invoice.number)
        if key in seen:
            problems.append(Problem("invoice_repeated", f"票据 {invoice.code}-{invoice.number} 在本申领中重复录入", "invoices"))
        elif key in used_elsewhere:
            problems.append(Problem("invoice_used", f"票据 {invoice.code}-{invoice.number} 已用于其他申领", "invoices"))
        seen.add(key)
    return problems


# A claim made from a settlement needs no paper: the settlement row is the evidence of the stay and its
# costs, and the bank card is the one on file. Only a women's diagnosis still needs the pathology report.
DATA_REQUIRED_DOCUMENTS = {"diagnosis": ("pathology_report",)}


def required_documents(terms: PlanYearTerms, claim_type: str, *, deceased: bool, from_data: bool = False) -> tuple[str, ...]:
    """Document kinds the terms require for this claim type (plus the deceased-worker extras)."""
    if from_data:
        return DATA_REQUIRED_DOCUMENTS.get(claim_type, ()) + (tuple(terms.documents.deceased_extra) if deceased else ())
    required = tuple(getattr(terms.documents, claim_type, ()))
    return required + (tuple(terms.documents.deceased_extra) if deceased else ())


def missing_documents(terms: PlanYearTerms, facts: ClaimFacts) -> list[str]:
    """Required kinds with no document yet, in the terms' order."""
    return [kind for kind in required_documents(terms, facts.claim_type, deceased=facts.deceased, from_data=facts.from_data)
            if kind not in facts.documents]


def submission_problems(terms: PlanYearTerms, facts: ClaimFacts) -> list[Problem]:
    """Every hard check on submit; missing documents are not a problem but a supplement request."""
    return (event_problems(facts.claim_type, facts.event, facts.end_on)
            + coverage_problems(facts)
            + deadline_problems(terms, facts.filed_on, facts.event.event_date)
            + amount_problems(facts.claim_type, facts.amounts, facts.invoices)
            + invoice_problems(facts.invoices, facts.invoices_used_elsewhere))


# Why automation left a claim to a person, by code (stored on the claim as Claim.manual_review_reasons). A claim
# left for "rule" reasons only is a clean claim a rule keeps from automation; "risk" and "missing" ones are not clean.
MANUAL_REASONS = {
    "not_covered": "引擎判定不属于保障范围", "zero_benefit": "补助金为 0，需人工审核", "missing": "材料不全",
    "risk": "风险提示", "above_limit": "补助金不低于自动审批限额", "limit_cut": "补助金受年度限额扣减，需人工审核",
    "complex": "复杂案件需人工审核", "expert": "需医学专家评审",
}
RULE_REASONS = frozenset({"above_limit", "limit_cut", "complex", "expert"})  # what keeps a clean claim from automation


@dataclass(frozen=True)
class StraightThrough:
    eligible: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    codes: tuple[str, ...] = field(default_factory=tuple)  # MANUAL_REASONS keys when not eligible


def straight_through(*, decision: Decision, missing: list[str], findings: list[Finding], limit: Decimal,
                     complex_case: bool, expert_review: bool = False) -> StraightThrough:
    """A clean claim skips manual review: covered, documents complete, no finding, benefit below the limit.

    Automation pays, it never refuses: it may only approve the benefit in full. A claim the engine would pay
    nothing, or less than the event alone is worth because a yearly limit cut it, goes to a person with the
    reason, as does one that needs a medical expert.
    """
    blockers: list[tuple[str, str]] = []
    if not decision.covered:
        blockers.append(("not_covered", MANUAL_REASONS["not_covered"]))
    elif decision.benefit <= 0:
        blockers.append(("zero_benefit", MANUAL_REASONS["zero_benefit"]))
    if missing:
        blockers.append(("missing", MANUAL_REASONS["missing"]))
    blockers.extend(("risk", f.message) for f in findings)
    if decision.benefit >= limit:
        blockers.append(("above_limit", f"补助金 {decision.benefit} 不低于自动审批限额 {limit}"))
    if limit_cut(decision):
        blockers.append(("limit_cut", MANUAL_REASONS["limit_cut"]))
    if complex_case:
        blockers.append(("complex", MANUAL_REASONS["complex"]))
    if expert_review:
        blockers.append(("expert", MANUAL_REASONS["expert"]))
    if blockers:
        return StraightThrough(False, tuple(text for _code, text in blockers),
                               tuple(dict.fromkeys(code for code, _text in blockers)))
    return StraightThrough(True, ("校验全部通过", "材料齐全", "无风险提示", f"补助金 {decision.benefit} 低于限额 {limit}"))


def needs_expert_review(claim_type: str, benefit: Decimal | None, threshold: Decimal) -> bool:
    """A women's diagnosis, and any claim whose benefit reaches the threshold, see a medical expert before approval."""
    return claim_type in EXPERT_CLAIM_TYPES or (benefit is not None and benefit >= threshold)


def is_complex(claim_type: str, *, deceased: bool) -> bool:
    """Complex cases get 30 working days: pathology gets a second medical review; deceased workers."""
    return claim_type == "diagnosis" or deceased


def make_event(claim_type: str, *, admitted_on=None, discharged_on=None, period_start_on=None, period_end_on=None,
               diagnosed_on=None, diagnosis_code="", procedure="", policy_self_pay_amount=ZERO) -> Event:
    """The engine's event for a claim's facts."""
    if claim_type == "inpatient":
        return InpatientEvent(admitted=admitted_on, discharged=discharged_on, policy_self_pay=policy_self_pay_amount)
    if claim_type == "outpatient_chronic":
        return OutpatientEvent(period_start=period_start_on, period_end=period_end_on,
                               policy_self_pay=policy_self_pay_amount)
    if claim_type == "diagnosis":
        return DiagnosisEvent(date=diagnosed_on, icd10=diagnosis_code)
    if claim_type == "procedure":
        return ProcedureEvent(date=diagnosed_on, procedure=procedure)
    raise ValueError(f"未知的申领类型：{claim_type}")


def year_to_date(earlier: list[tuple[Decision, Event]]) -> YearToDate:
    """Fold the year's earlier decided events into the accumulator, in order."""
    history = YearToDate()
    for decision, event in earlier:
        history = history.after(decision, event)
    return history


def four_eyes_problem(level: str, earlier_levels: set[str]) -> Problem | None:
    """One person acts at one review level of a claim at most (a desk clerk's intake is the county's)."""
    others = earlier_levels - {level}
    if others:
        return Problem("four_eyes", "同一申领的不同审核环节须由不同人员办理（您已办理过本申领的其他环节）")
    return None
