"""Deterministic demo claims with the shape of the published figures (DOMAIN.md).

About 3.9% of enrolled people claim a year and the average benefit is about 1,000 yuan:
in-policy self-pay is lognormal, stays are lognormal in length, diagnoses come from
`claims.icd10`. Each claim walks the workflow of `claims.workflow` with realistic pauses, cut
at `now`: decided claims end approved (the payouts demo pays them through payout batches, so
every paid claim has its payout and the books' payable is what is still owed), recent ones are
still in review; some are returned for supplement, rejected (without a benefit, as
`reject_claim` leaves them) or withdrawn. Every move leaves its status-change row (already
marked notified, so the outbox sends nothing for history).

Benefits: the vectorized engine (`plans.vectorized.rate_claims`) rates all claims of the plan
year at once; the scalar engine (`plans.rules.decide`) replays them for the explanation each
claim stores (about 30 µs a claim, so 30 s for a million) and must agree to the fen.
The claims' history service (`claims.services.history.record_past_claims`) checks every move
against the workflow, writes the rows with COPY and posts approved benefits to the ledger in
bulk. Re-running for a plan year that has claims does nothing.
"""
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

import numpy as np
from django.db import transaction
from django.utils import timezone

from huzhu.claims import icd10, review_clock
from huzhu.claims.models import Claim
from huzhu.claims.rules import (
    DEFAULT_EXPERT_REVIEW_AMOUNT,
    DEFAULT_STRAIGHT_THROUGH_LIMIT,
    EXPERT_CLAIM_TYPES,
    EXPERT_REVIEW_DAYS,
)
from huzhu.claims.services import history
from huzhu.claims.services.adjudication import explanation_of
from huzhu.core.crypto import encrypt_text
from huzhu.core.money import ZERO, display_yuan, quantize_money
from huzhu.demo.accounts import DEMO_ACCOUNTS
from huzhu.demo.documents import archive_documents
from huzhu.enrollment import queries as enrollment_queries
from huzhu.plans import rules as engine
from huzhu.plans import vectorized
from huzhu.plans.models import PlanYear
from huzhu.regions.models import Division

S = Claim.Status
HOSPITALIZATION_RATE = 0.039  # DOMAIN: about 3.9% of enrolled people claim in a year (person-times)
WOMEN_RATE = 0.0025  # [P] first diagnoses and procedures among enrolled women a year
CHUNK = 5000
MIN_WOMEN_CLAIMS = 8  # a small demo still shows the women's plan: at least this many events a year
# Claims left open on the desks of the demo logins (current plan year): (stage, where, how many).
# "county" and "league" are the demo agency point's and office's regions; "" the whole province.
OPEN_QUEUE = ((S.FIRST_REVIEW, "county", 5), (S.SECOND_REVIEW, "league", 4), (S.APPROVAL, "", 4),
              (S.SUPPLEMENT, "county", 2), (S.SUPPLEMENT, "league", 1), (S.EXPERT_REVIEW, "", 3))
DOCUMENTED_DECIDED = 8
OPEN_WITH_DOCUMENTS = (S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.EXPERT_REVIEW, S.APPROVAL, S.SUPPLEMENT)  # the most recent decided claims that also get generated documents

# Inpatient diagnoses and their weights (women's-only and men's-only rows are filtered by gender).
INPATIENT_DIAGNOSES = {
    "I63.900": 9, "J18.900": 9, "I25.100": 7, "I10.x00": 5, "E11.900": 5, "K80.200": 5, "J44.100": 4,
    "I20.000": 4, "K35.800": 3, "M51.202": 4, "K29.700": 3, "N20.000": 3, "I21.900": 2, "I61.900": 2,
    "I50.900": 2, "I48.x00": 2, "G45.900": 2, "J20.900": 3, "K25.900": 2, "K56.700": 1, "K74.600": 1,
    "N18.900": 2, "S72.000": 2, "S82.800": 2, "S06.900": 1, "M17.900": 2, "H25.900": 2, "C34.900": 2,
    "C16.900": 1, "C18.900": 1, "C22.000": 1, "C15.900": 1, "C73.x00": 1, "A15.000": 1, "J45.900": 1,
    "F20.900": 1, "O82.000": 3, "O80.000": 2, "D25.900": 1, "C61.x00": 1, "N40.x00": 1, "C50.900": 1,
}
FEMALE_ONLY = {"O82.000", "O80.000", "D25.900", "C50.900"}
MALE_ONLY = {"C61.x00", "N40.x00"}
CHRONIC_DIAGNOSES = {"E11.900": 4, "I10.x00": 3, "N18.900": 2, "C50.900": 1, "F20.900": 1, "I25.100": 1}
# Women's plan: (claim type, ICD-10 or procedure, weight); the tiers follow from the terms.
WOMEN_EVENTS = [
    ("diagnosis", "C50.900", 34), ("diagnosis", "C53.900", 9), ("diagnosis", "C56.x00", 4),
    ("diagnosis", "C54.100", 4), ("diagnosis", "C51.900", 1), ("diagnosis", "D05.100", 8),
    ("diagnosis", "D06.900", 8), ("diagnosis", "D07.000", 2),
    ("procedure", "total_hysterectomy", 22), ("procedure", "bilateral_oophorectomy", 8),
]
STRAIGHT_THROUGH_STEPS = ((S.FIRST_REVIEW, "pass_first", S.SECOND_REVIEW, "county"),
                          (S.SECOND_REVIEW, "pass_second", S.APPROVAL, "league"),
                          (S.APPROVAL, "approve", S.APPROVED, "association"))
PROVINCIAL_HOSPITALS = ["内蒙古医科大学附属医院", "内蒙古自治区人民医院", "内蒙古自治区国际蒙医医院",
                        "内蒙古自治区妇幼保健院"]


@dataclass
class DemoClaimsSummary:
    claims: int = 0
    decided: int = 0
    status_changes: int = 0
    benefit_amount: Decimal = ZERO
    skipped: bool = False
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class _Draft:
    """One claim on its way to the database (facts, timeline, decision)."""

    coverage: tuple
    claim_type: str
    event: engine.Event
    diagnosis_code: str = ""
    procedure: str = ""
    hospital: str = ""
    amounts: dict = field(default_factory=dict)
    channel: str = Claim.Channel.DESK
    changes: list = field(default_factory=list)  # (action, from, to, level, actor_kind, at, reason, comment)
    complete_on: date | None = None
    complex_case: bool = False
    straight_through: bool = False
    expert_required: bool = False
    expert_due_on: date | None = None
    manual_review_reasons: list = field(default_factory=list)
    benefit_fen: int = 0
    decision: engine.Decision | None = None
    missing_items: list = field(default_factory=list)
    documents: list = field(default_factory=list)  # (kind, stored file id)

    @property
    def status(self) -> str:
        return self.changes[-1][2]

    def at_of(self, *actions: str) -> datetime | None:
        return next((c[5] for c in reversed(self.changes) if c[0] in actions), None)


def _aware(day: date, rng: random.Random) -> datetime:
    """A moment in office hours of a day."""
    moment = datetime.combine(day, time(8, 30)) + timedelta(minutes=rng.randrange(0, 9 * 60))
    return timezone.make_aware(moment)


def _choose(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


COVERAGE_FIELDS = ("pk", "worker_id", "unit_id", "league_id", "county_id", "consecutive_years", "starts_on", "ends_on",
                   "left_on", "worker__gender", "worker__birth_on", "worker__kind")


def _coverage_rows(plan_year: PlanYear, count: int, seed: int) -> list[tuple]:
    """`count` coverages of the plan year drawn at random, with what the engine needs of the worker."""
    ids = np.fromiter(enrollment_queries.active_coverage_ids(plan_year), dtype=np.int64)
    if not len(ids):
        return []
    generator = np.random.default_rng(seed)
    # a worker may claim more than once: draw with replacement, as many events as person-times
    chosen = np.sort(generator.choice(ids, size=count, replace=True)).tolist()
    rows: dict[int, tuple] = {}
    unique = sorted(set(chosen))
    for start in range(0, len(unique), CHUNK):
        for row in enrollment_queries.coverage_facts(unique[start:start + CHUNK]):
            rows[row[0]] = row
    return [rows[pk] for pk in chosen]


def _hospital(rng: random.Random, county: str, league: str, names: dict[str, str]) -> str:
    roll = rng.random()
    if roll < 0.5:
        return f"{names.get(county, '')}人民医院"
    if roll < 0.62:
        return f"{names.get(county, '')}蒙医医院"
    if roll < 0.85:
        return f"{names.get(league, '')}{rng.choice(['第一医院', '中心医院', '医院'])}"
    return rng.choice(PROVINCIAL_HOSPITALS)


def _cost_amounts(rng: random.Random, self_pay: Decimal) -> dict:
    """A settlement sheet around the in-policy self-pay: what the funds paid and what was out of policy."""
    fund = quantize_money(self_pay * Decimal(rng.uniform(1.6, 3.2)))
    serious = quantize_money(self_pay * Decimal(rng.uniform(0.3, 0.8))) if self_pay > 20_000 else ZERO
    out_of_policy = quantize_money(self_pay * Decimal(rng.uniform(0.05, 0.25)))
    self_funded = quantize_money(self_pay * Decimal(rng.uniform(0, 0.1)))
    total = fund + serious + self_pay + out_of_policy + self_funded
    return {"total_amount": total, "fund_paid_amount": fund, "serious_illness_amount": serious,
            "policy_self_pay_amount": self_pay, "out_of_policy_amount": out_of_policy,
            "self_funded_amount": self_funded}


def _events(plan_year: PlanYear, coverages: list[tuple], rng: random.Random, last_day: date,
            names: dict[str, str]) -> list[_Draft]:
    """The events of the chosen coverages: stays, outpatient periods, or women's diagnoses."""
    terms = plan_year.terms
    drafts = []
    for coverage in coverages:
        starts_on = max(coverage[6] or terms.protection_start_on, terms.protection_start_on)
        ends_on = min(coverage[7] or terms.protection_end_on, terms.protection_end_on, last_day)
        if ends_on < starts_on:
            continue
        day = starts_on + timedelta(days=rng.randrange((ends_on - starts_on).days + 1))
        gender, county, league = coverage[9], coverage[4], coverage[3]
        if plan_year.plan_id == "women_health":
            kind, code, _ = rng.choices(WOMEN_EVENTS, weights=[w for *_, w in WOMEN_EVENTS])[0]
            if kind == "diagnosis":
                drafts.append(_Draft(coverage, kind, engine.DiagnosisEvent(day, code), diagnosis_code=code,
                                     hospital=_hospital(rng, county, league, names), complex_case=True))
            else:
                cause = rng.choice(["D25.900", "N83.200"])
                drafts.append(_Draft(coverage, kind, engine.ProcedureEvent(day, code), diagnosis_code=cause,
                                     procedure=code, hospital=_hospital(rng, county, league, names)))
            continue
        if rng.random() < 0.08 and terms.outpatient is not None:
            # 门诊慢特病: a half-year period of in-policy self-pay, claimed after it ends
            first_half = rng.random() < 0.5
            year = terms.protection_start_on.year
            start = max(date(year, 1 if first_half else 7, 1), starts_on)
            end = date(year, 6, 30) if first_half else date(year, 12, 31)
            if end > last_day or end < start:
                continue
            self_pay = quantize_money(Decimal(math.exp(rng.gauss(math.log(4500), 0.6))))
            drafts.append(_Draft(coverage, "outpatient_chronic", engine.OutpatientEvent(start, end, self_pay),
                                 diagnosis_code=_choose(rng, CHRONIC_DIAGNOSES),
                                 hospital=_hospital(rng, county, league, names),
                                 amounts=_cost_amounts(rng, self_pay)))
            continue
        days = max(1, min(150, round(math.exp(rng.gauss(math.log(7), 0.6)))))
        # self-pay grows with the stay; lognormal with a long tail (cancer, surgery, intensive care)
        self_pay = Decimal(math.exp(rng.gauss(math.log(950), 0.95)) * (days / 7) ** 0.4)
        self_pay = quantize_money(min(max(self_pay, Decimal(60)), Decimal(600_000)))
        choices = {code: w for code, w in INPATIENT_DIAGNOSES.items()
                   if not (gender == "M" and code in FEMALE_ONLY) and not (gender == "F" and code in MALE_ONLY)}
        code = _choose(rng, choices)
        drafts.append(_Draft(coverage, "inpatient", engine.InpatientEvent(day, day + timedelta(days=days), self_pay),
                             diagnosis_code=code, hospital=_hospital(rng, county, league, names),
                             amounts=_cost_amounts(rng, self_pay)))
    return drafts


def _end_of(draft: _Draft) -> date:
    event = draft.event
    return getattr(event, "discharged", None) or getattr(event, "period_end", None) or event.event_date


class _Timeline:
    """Walks a claim through the workflow, stopping at `now`: each step is a status-change row."""

    def __init__(self, draft: _Draft, rng: random.Random, now: datetime):
        self.draft, self.rng, self.now = draft, rng, now

    def step(self, action: str, to: str, at: datetime, *, level: str = "", kind: str = "staff",
             reason: str = "", comment: str = "") -> bool:
        """Record the move if it happened before now; False when the claim is still waiting."""
        if at > self.now:
            return False
        origin = self.draft.changes[-1][2] if self.draft.changes else S.DRAFT
        self.draft.changes.append((action, origin, to, level, kind, at, reason, comment))
        return True

    def after(self, at: datetime, days: float) -> datetime:
        return at + timedelta(days=days, minutes=self.rng.randrange(1, 240))


def _walk(draft: _Draft, rng: random.Random, now: datetime, straight_through: Callable[[], bool],
          reject_rate: float) -> None:
    """Decide the claim's path: submit, route, review levels, approve, pay; or supplement, reject, withdraw."""
    line = _Timeline(draft, rng, now)
    channel = draft.channel
    at = _aware(_end_of(draft) + timedelta(days=max(1, round(math.exp(rng.gauss(math.log(14), 0.8))))), rng)
    submit_kind = "worker" if channel == Claim.Channel.WORKER else "staff"
    submit_level = "county" if channel == Claim.Channel.DESK else "intake"
    action = "submit"
    for _attempt in range(3):
        if not line.step(action, S.SUBMITTED, at, level=submit_level, kind=submit_kind):
            return
        at = line.after(at, 0)
        # phone and unit submissions miss a document more often than the desk, which has the originals
        if rng.random() < (0.12 if channel != Claim.Channel.DESK else 0.02):
            if not line.step("return", S.SUPPLEMENT, at, kind="system", reason="documents_missing",
                             comment="材料不全，请补充"):
                return
            at = line.after(at, math.exp(rng.gauss(math.log(6), 0.7)))
            action = "resubmit"
            continue
        if not line.step("route", S.FIRST_REVIEW, at, kind="system", comment="材料齐全，开始计算办结时限"):
            return
        draft.complete_on = timezone.localtime(at).date()
        if channel == Claim.Channel.DESK:
            line.step("pass_first", S.SECOND_REVIEW, at, level="county", comment="代办点窗口受理，初审通过")
        if straight_through():
            # every remaining step is an automatic decision, at once (claims.md: straight through)
            for status, move, to, level in STRAIGHT_THROUGH_STEPS:
                if draft.status == status:
                    line.step(move, to, at, level=level, kind="system", comment="自动审批：校验全部通过")
            draft.straight_through = True
            break
        if rng.random() < 0.01:  # the submitter withdraws while it is reviewed
            line.step("withdraw", S.WITHDRAWN, line.after(at, rng.uniform(1, 10)), kind=submit_kind)
            return
        # a few claims wait much longer somewhere (the overdue ones)
        slow = rng.random() < 0.04
        returned = False
        for level, status, move, to, median in (("county", S.FIRST_REVIEW, "pass_first", S.SECOND_REVIEW, 2.5),
                                                ("league", S.SECOND_REVIEW, "pass_second", S.APPROVAL, 3.0),
                                                ("association", S.APPROVAL, "approve", S.APPROVED, 3.5)):
            if draft.status != status:
                continue
            wait = math.exp(rng.gauss(math.log(median), 0.6)) + (rng.uniform(15, 40) if slow and rng.random() < 0.5 else 0)
            at = line.after(at, wait)
            roll = rng.random()
            if roll < 0.03:
                if not line.step("return", S.SUPPLEMENT, at, level=level, reason="documents_unclear",
                                 comment="材料不清晰，请补充"):
                    return
                at = line.after(at, math.exp(rng.gauss(math.log(8), 0.6)))
                action, returned = "resubmit", True
                break
            if roll < 0.03 + reject_rate:
                line.step("reject", S.REJECTED, at, level=level, reason=rng.choice(["not_covered", "documents_invalid",
                                                                                  "duplicate", "late"]),
                          comment="经审核不予补助")
                return
            if level == "league" and draft.expert_required:
                if not _expert_steps(line, draft, at, rng):
                    return
                at = draft.changes[-1][5]
                continue
            if not line.step(move, to, at, level=level, comment={"county": "初审通过", "league": "复审通过",
                                                                 "association": "审批通过"}[level]):
                return
        if not returned:
            break


def _expert_steps(line: _Timeline, draft: _Draft, at: datetime, rng: random.Random, *, wait: bool = False) -> bool:
    """The league passes the claim to the medical expert, who gives her opinion some days later (unless `wait`)."""
    if not line.step("to_expert", S.EXPERT_REVIEW, at, level="league", comment="复审通过，送专家评审"):
        return False
    draft.expert_due_on = review_clock.add_working_days(timezone.localtime(at).date(), EXPERT_REVIEW_DAYS)
    if wait:
        return True
    opinion = rng.choice(["同意补助：病理诊断明确，属于保障范围", "同意补助：诊断与病理报告一致"])
    return line.step("give_opinion", S.APPROVAL, line.after(at, math.exp(rng.gauss(math.log(2), 0.5))), level="expert",
                     comment=opinion)


def _demo_regions() -> dict[str, str]:
    """The demo agency point's county and the demo office's league (the logins of `DEMO_ACCOUNTS`)."""
    regions = {"county": "", "league": ""}
    for _username, role, division, _label in DEMO_ACCOUNTS:
        if division and role in ("agency", "office"):
            regions["county" if role == "agency" else "league"] = division
    return regions


def _queue_drafts(plan_year: PlanYear, rng: random.Random, now: datetime, names: dict[str, str]) -> list[tuple]:
    """Claims of the current plan year to leave waiting at each stage (OPEN_QUEUE): (draft, stage, submitted_at).

    Recent events of covered workers in the demo logins' regions, so every reviewer has a queue."""
    today = timezone.localtime(now).date()
    terms = plan_year.terms
    if not terms.protection_start_on + timedelta(days=60) <= today <= terms.protection_end_on:
        return []
    regions = _demo_regions()
    women = plan_year.plan_id == "women_health"
    out = []
    for stage, where, count in OPEN_QUEUE:
        if stage == S.EXPERT_REVIEW and not women:
            continue  # the women's claims are the ones an expert sees (hospital stays rarely reach the amount)
        if women and stage != S.EXPERT_REVIEW:
            count = max(1, count // 3)
        coverages = enrollment_queries.active_coverages_of_years([plan_year.pk])
        if where and regions[where]:
            coverages = coverages.filter(**{f"{where}_id": regions[where]})
        rows = list(coverages.order_by("pk").values_list(*COVERAGE_FIELDS)[:400])
        for index, coverage in enumerate(rng.sample(rows, min(count, len(rows)))):
            # the first of each stage has waited past the review clock (the overdue filter shows it)
            submitted_on = today - timedelta(days=rng.randint(30, 40) if index == 0 else rng.randint(2, 8))
            day = submitted_on - timedelta(days=rng.randint(12, 30))
            length = rng.randint(3, 10)
            if coverage[6] > day or (coverage[7] and coverage[7] < day + timedelta(days=length)) or coverage[8]:
                continue
            hospital = _hospital(rng, coverage[4], coverage[3], names)
            if women:
                code = rng.choice(["C50.900", "D05.100", "C53.900"])
                draft = _Draft(coverage, "diagnosis", engine.DiagnosisEvent(day, code), diagnosis_code=code,
                               hospital=hospital, complex_case=True, expert_required=True)
            else:
                self_pay = quantize_money(Decimal(math.exp(rng.gauss(math.log(2500), 0.7))))
                code = _choose(rng, {c: w for c, w in INPATIENT_DIAGNOSES.items()
                                     if c not in (FEMALE_ONLY if coverage[9] == "M" else MALE_ONLY)})
                draft = _Draft(coverage, "inpatient", engine.InpatientEvent(day, day + timedelta(days=length), self_pay),
                               diagnosis_code=code, hospital=hospital, amounts=_cost_amounts(rng, self_pay))
            # the desk passes first review at intake: claims waiting for it came by the unit or the phone
            channels = [Claim.Channel.UNIT, Claim.Channel.WORKER]
            if stage not in (S.FIRST_REVIEW, S.SUPPLEMENT):
                channels.append(Claim.Channel.DESK)
            draft.channel = rng.choice(channels)
            out.append((draft, stage, _aware(submitted_on, rng)))
    return out


def _walk_to(draft: _Draft, stage: str, submitted_at: datetime, rng: random.Random, now: datetime) -> None:
    """The moves of a claim that stops waiting at `stage`: submitted, routed, passed up to it (or returned)."""
    line = _Timeline(draft, rng, now)
    desk = draft.channel == Claim.Channel.DESK
    latest = now - timedelta(hours=1)

    def later(at: datetime, days: float) -> datetime:
        return min(line.after(at, days), latest)

    line.step("submit", S.SUBMITTED, submitted_at, level="county" if desk else "intake",
              kind="worker" if draft.channel == Claim.Channel.WORKER else "staff")
    at = later(submitted_at, 0)
    if stage == S.SUPPLEMENT:
        draft.missing_items = ["discharge_summary"]
        line.step("return", S.SUPPLEMENT, at, kind="system", reason="documents_missing", comment="材料不全，请补充出院小结")
        return
    line.step("route", S.FIRST_REVIEW, at, kind="system", comment="材料齐全，开始计算办结时限")
    draft.complete_on = timezone.localtime(at).date()
    if stage == S.FIRST_REVIEW:
        return
    at = at if desk else later(at, rng.uniform(0.5, 2))
    line.step("pass_first", S.SECOND_REVIEW, at, level="county", comment="代办点窗口受理，初审通过" if desk else "初审通过")
    if stage in (S.APPROVAL, S.EXPERT_REVIEW) and draft.expert_required:
        _expert_steps(line, draft, later(at, rng.uniform(0.5, 2)), rng, wait=stage == S.EXPERT_REVIEW)
    elif stage == S.APPROVAL:
        line.step("pass_second", S.APPROVAL, later(at, rng.uniform(0.5, 2)), level="league", comment="复审通过")


def _document_lines(draft: _Draft) -> list[tuple[str, str]]:
    """What the generated pages show: the claim's facts, no personal numbers."""
    event = draft.event
    lines = [("医疗机构", draft.hospital), ("诊断", f"{draft.diagnosis_code} {icd10.name_of(draft.diagnosis_code)}")]
    if draft.claim_type == "inpatient":
        lines += [("入院日期", str(event.admitted)), ("出院日期", str(event.discharged))]
    elif draft.claim_type == "outpatient_chronic":
        lines += [("费用期间", f"{event.period_start} 至 {event.period_end}")]
    else:
        lines += [("诊断/手术日期", str(event.event_date))]
    labels = (("total_amount", "医疗费用总额"), ("fund_paid_amount", "统筹基金支付"),
              ("policy_self_pay_amount", "政策范围内个人自付"), ("out_of_policy_amount", "政策范围外费用"))
    lines += [(label, f"{display_yuan(draft.amounts[key])} 元") for key, label in labels if key in draft.amounts]
    return lines


def _archive_documents(plan_year: PlanYear, drafts: list[_Draft]) -> None:
    """Generated scans for the given claims (the open queue and the latest decided ones)."""
    for serial, draft in enumerate(drafts, start=1):
        documents = archive_documents(claim_type=draft.claim_type, lines=_document_lines(draft),
                                      serial=f"{plan_year.plan_id[:1].upper()}{plan_year.year}{serial:04d}")
        draft.documents = [(kind, pk) for kind, pk in documents if kind not in draft.missing_items]


def _member(coverage: tuple, tiers: frozenset[str]) -> engine.Member:
    return engine.Member(gender=coverage[9], birth_date=coverage[10], consecutive_years=coverage[5],
                         kind=coverage[11], already_paid_tiers=tiers, coverage_start_on=coverage[6],
                         coverage_end_on=coverage[7])


def _rate(plan_year: PlanYear, drafts: list[_Draft], tiers_before: dict[int, frozenset[str]]) -> None:
    """Benefits by the vectorized engine, explanations by the scalar one; the two must agree to the fen.

    Decided claims count in approval order; the others are estimates after them (as at submission).
    """
    terms = plan_year.terms
    far = timezone.make_aware(datetime(9999, 1, 1))

    def order(draft: _Draft):
        decided = draft.status in (S.APPROVED, S.PAID)
        moment = draft.at_of("approve") if decided else (draft.at_of("submit") or far)
        return (not decided, draft.status == S.WITHDRAWN, moment)

    ordered = sorted(drafts, key=order)
    triples = [(d.coverage[1], _member(d.coverage, tiers_before.get(d.coverage[1], frozenset())), d.event)
               for d in ordered]
    benefits = vectorized.rate_claims(terms, vectorized.to_columns(terms, triples))
    history: dict[int, engine.YearToDate] = defaultdict(engine.YearToDate)
    for draft, (worker, member, event), benefit in zip(ordered, triples, benefits.tolist(), strict=True):
        decision = engine.decide(terms, member, history[worker], event)
        if round(decision.benefit * 100) != benefit:
            raise RuntimeError(f"engines disagree on a demo claim: scalar {decision.benefit}, vectorized {benefit}")
        history[worker] = history[worker].after(decision, event)
        draft.decision, draft.benefit_fen = decision, benefit


def _tiers_paid_before(plan_year: PlanYear, worker_ids: set[int]) -> dict[int, frozenset[str]]:
    """Women's tiers already paid to these workers in earlier plan years (lifetime once per tier)."""
    if plan_year.plan_id != "women_health":
        return {}
    paid: dict[int, set[str]] = defaultdict(set)
    ids = sorted(worker_ids)
    for start in range(0, len(ids), CHUNK):
        for worker, tier in (Claim.objects.filter(worker_id__in=ids[start:start + CHUNK], status__in=(S.APPROVED, S.PAID),
                                                  plan_year__plan_id="women_health",
                                                  plan_year__year__lt=plan_year.year)
                             .exclude(tier="").values_list("worker_id", "tier")):
            paid[worker].add(tier)
    return {worker: frozenset(tiers) for worker, tiers in paid.items()}


def _due_on(terms, complete_on: date, complex_case: bool, cache: dict) -> date:
    key = (complete_on, complex_case)
    if key not in cache:
        cache[key] = review_clock.due_on(complete_on, simple_days=terms.review_days_simple,
                                         complex_days=terms.review_days_complex, complex_case=complex_case)
    return cache[key]


def _write(plan_year: PlanYear, drafts: list[_Draft], rng: random.Random, now: datetime) -> DemoClaimsSummary:
    """Hand the claims, their invoices and moves to the claims' history service (checked against the workflow)."""
    terms = plan_year.terms
    version_id = plan_year.current_version_id
    # Demo diagnoses are ICD-10 names from a short public list: one ciphertext per name, not per claim.
    sealed_name = lru_cache(maxsize=None)(lambda name: encrypt_text(name) if name else "")
    due_cache: dict = {}
    past = []
    for draft in drafts:
        coverage, event, decision = draft.coverage, draft.event, draft.decision
        complete_on = draft.complete_on
        moves = [history.Move(action, origin, to, level, kind, at, reason, comment)
                 for action, origin, to, level, kind, at, reason, comment in draft.changes]
        past.append(history.PastClaim(facts={
            "worker_id": coverage[1], "coverage_id": coverage[0],
            "claim_type": draft.claim_type, "channel": draft.channel,
            "league_id": coverage[3], "county_id": coverage[4], "unit_id": coverage[2], "hospital": draft.hospital,
            "admitted_on": getattr(event, "admitted", None), "discharged_on": getattr(event, "discharged", None),
            "period_start_on": getattr(event, "period_start", None), "period_end_on": getattr(event, "period_end", None),
            "diagnosed_on": event.event_date if draft.claim_type in ("diagnosis", "procedure") else None,
            "diagnosis_code": draft.diagnosis_code, "diagnosis_name_encrypted": sealed_name(icd10.name_of(draft.diagnosis_code)),
            "procedure": draft.procedure, **draft.amounts,
            "benefit_amount": Decimal(draft.benefit_fen) / 100, "explanation": explanation_of(decision),
            "covered": decision.covered, "tier": decision.tier, "allowance_days": decision.allowance_days,
            "terms_version_id": version_id, "straight_through": draft.straight_through,
            "complex_case": draft.complex_case, "documents_complete_on": complete_on,
            "expert_required": draft.expert_required, "expert_due_on": draft.expert_due_on,
            "manual_review_reasons": [] if draft.straight_through else draft.manual_review_reasons,
            "due_on": _due_on(terms, complete_on, draft.complex_case, due_cache) if complete_on else None,
        }, moves=moves, missing_items=draft.missing_items or ["medical_settlement"], documents=draft.documents, invoice={
            "code": f"15{coverage[4][2:4]}01{plan_year.year % 100:02d}", "number": lambda pk: f"9{pk:09d}",
            "check_code": f"{rng.randrange(16**6):06X}", "amount": draft.amounts["total_amount"],
            "released_at": now if moves[-1].to_status == S.WITHDRAWN else None} if draft.amounts else None))
    recorded = history.record_past_claims(actor=None, plan_year=plan_year, claims=past,
                                          action="generate_demo_claims")
    return DemoClaimsSummary(claims=len(drafts), decided=recorded.decided, status_changes=recorded.status_changes,
                             benefit_amount=recorded.benefit_amount, by_status=recorded.by_status)


def claim_mix(*, plan_year: PlanYear, seed: int, rate: float | None = None, last_day: date) -> list[_Draft]:
    """The generator's events of a plan year up to `last_day` — types, amounts, hospitals, channels — not written:
    what bench/straight_through.py files through the real services to measure automation on the demo's mix."""
    rng = random.Random(seed * 104_729 + plan_year.year * 31 + len(plan_year.plan_id))
    total = enrollment_queries.active_coverages_of_years([plan_year.pk]).count()
    rate = rate if rate is not None else (WOMEN_RATE if plan_year.plan_id == "women_health" else HOSPITALIZATION_RATE)
    coverages = _coverage_rows(plan_year, int(round(total * rate)), rng.randrange(2**31))
    drafts = _events(plan_year, coverages, rng, last_day, dict(Division.objects.values_list("code", "name")))
    for draft in drafts:
        draft.channel = rng.choices([Claim.Channel.DESK, Claim.Channel.UNIT, Claim.Channel.WORKER],
                                    weights=[55, 25, 20])[0]
    return drafts


def generate_demo_claims(*, plan_year: PlanYear, seed: int, rate: float | None = None, now: datetime | None = None,
                         progress: Callable[[str], None] | None = None) -> DemoClaimsSummary:
    """Claims for covered workers of a plan year, shaped like the published figures; idempotent per plan year.

    `rate` is claims (person-times) per covered person a year (3.9% for hospitalization); events
    after `now` (default: now) are not claimed yet, so the current year has fewer.
    """
    if Claim.objects.filter(plan_year=plan_year).exists():
        return DemoClaimsSummary(skipped=True)
    now = now or timezone.now()
    explicit_rate = rate is not None
    rate = rate if rate is not None else (WOMEN_RATE if plan_year.plan_id == "women_health" else HOSPITALIZATION_RATE)
    rng = random.Random(seed * 104_729 + plan_year.year * 31 + len(plan_year.plan_id))
    total = enrollment_queries.active_coverages_of_years([plan_year.pk]).count()
    count = int(round(total * rate))
    if plan_year.plan_id == "women_health" and not explicit_rate:
        count = max(count, min(MIN_WOMEN_CLAIMS, total))
    # a small share of years' samples land on the same worker twice: their second stay is a second claim
    coverages = _coverage_rows(plan_year, count, rng.randrange(2**31))
    names = dict(Division.objects.values_list("code", "name"))
    last_day = min(plan_year.terms.protection_end_on, timezone.localtime(now).date())
    drafts = _events(plan_year, coverages, rng, last_day, names)
    if progress:
        progress(f"{plan_year}: {len(drafts):,} 件申领事件")
    limit = DEFAULT_STRAIGHT_THROUGH_LIMIT
    # rate once up front to know each claim's estimate (straight-through needs it), then walk the workflow
    for draft in drafts:
        draft.channel = rng.choices([Claim.Channel.DESK, Claim.Channel.UNIT, Claim.Channel.WORKER],
                                    weights=[55, 25, 20])[0]
    queue = _queue_drafts(plan_year, rng, now, names)
    everyone = drafts + [draft for draft, _stage, _at in queue]
    tiers_before = _tiers_paid_before(plan_year, {d.coverage[1] for d in everyone})
    estimates = {}
    if everyone:
        terms = plan_year.terms
        triples = [(d.coverage[1], _member(d.coverage, tiers_before.get(d.coverage[1], frozenset())), d.event)
                   for d in everyone]
        estimates = dict(zip(map(id, everyone), vectorized.rate_claims(terms, vectorized.to_columns(terms, triples))
                             .tolist(), strict=True))
    kept = []
    for draft in drafts:
        estimate = estimates[id(draft)]
        if estimate <= 0:
            continue  # submission refuses what the engine does not cover (tier paid, not eligible)

        draft.expert_required = (draft.claim_type in EXPERT_CLAIM_TYPES
                                 or estimate >= DEFAULT_EXPERT_REVIEW_AMOUNT * 100)

        def clean(draft=draft, estimate=estimate) -> bool:
            # DOMAIN/claims.md: clean, complete, no risk finding, not complex, below the limit; else the reasons
            reasons = [code for code, applies in (("complex", draft.complex_case), ("expert", draft.expert_required),
                                                   ("above_limit", estimate >= limit * 100)) if applies]
            if not reasons and rng.random() >= 0.85:
                reasons = ["risk"]
            draft.manual_review_reasons = reasons
            return not reasons
        _walk(draft, rng, now, clean, reject_rate=0.02)
        if draft.changes:
            kept.append(draft)
    waiting = []
    for draft, stage, submitted_at in queue:
        if estimates[id(draft)] > 0:
            _walk_to(draft, stage, submitted_at, rng, now)
            waiting.append(draft)
    kept += waiting
    _rate(plan_year, kept, tiers_before)
    # generated scans for every claim still open (what a reviewer opens) and, in the current year, the latest decided
    documented = [d for d in kept if d.status in OPEN_WITH_DOCUMENTS]
    if waiting:
        decided = sorted((d for d in kept if d.status in (S.APPROVED, S.PAID)), key=lambda d: d.at_of("approve"))
        documented += decided[-DOCUMENTED_DECIDED:]
    _archive_documents(plan_year, documented)
    if progress:
        progress(f"{plan_year}: 写入 {len(kept):,} 件申领")
    with transaction.atomic():
        return _write(plan_year, kept, rng, now)


def parse_years(text: str) -> list[int]:
    """"2023-2026" or "2024,2026" -> the years, ascending (argparse type of `huzhu demo --years`)."""
    import argparse

    years: set[int] = set()
    try:
        for part in str(text).split(","):
            first, _, last = part.strip().partition("-")
            years.update(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度格式不正确：{text}（例如 2023-2026）") from None
    if not years or min(years) < 2000 or max(years) > 2100:
        raise argparse.ArgumentTypeError(f"年度超出范围：{text}")
    return sorted(years)


def generate_demo_history(*, years: list[int], seed: int, now: datetime | None = None,
                          progress: Callable[[str], None] | None = None) -> int:
    """Demo claims for every plan year of the given years, oldest first (lifetime tiers see earlier years)."""
    created = 0
    for plan_year in PlanYear.objects.filter(year__in=years, current_version__isnull=False).order_by("year", "plan_id"):
        created += generate_demo_claims(plan_year=plan_year, seed=seed, now=now, progress=progress).claims
    return created
