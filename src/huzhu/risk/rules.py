"""Risk checks (防风险): an explicit list of pure functions `(facts) -> Finding | None` (STYLE.md 9).

The service gathers one `ClaimRiskFacts` per claim with set-based queries (risk/facts.py) and
calls `assess`; the same facts and the same list serve a single claim at submission and the
yearly bulk scan. Statistical checks compare with peer figures (`Stats`, robust: median and
MAD) that the scan computes for the year (risk/statistics.py). No Django here.
"""
import hashlib
import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from huzhu.claims.rules import AMOUNT_LABELS
from huzhu.core.errors import ValidationFailed
from huzhu.core.money import display_yuan
from huzhu.core.translation import gettext_noop

HARD_STOP, NEEDS_REVIEW, INFO = "hard_stop", "needs_review", "info"
SEVERITY_LABELS = {HARD_STOP: "必须核实", NEEDS_REVIEW: "需人工审核", INFO: "提示"}
# Points a finding adds to the claim's score (capped at 100); the threshold decides straight-through.
POINTS = {HARD_STOP: 100, NEEDS_REVIEW: 50, INFO: 10}
MAD_TO_SIGMA = 1.4826  # MAD of a normal distribution × 1.4826 = its standard deviation
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RiskSettings:
    """Thresholds of the checks; `RISK_SETTINGS` in Django settings overrides any of them."""

    score_threshold: int = 50
    adverse_selection_days: int = 30
    costly_amount: Decimal = Decimal("30000.00")
    self_pay_share_max: Decimal = Decimal("0.60")
    robust_k: float = 3.5  # robust z-score above which a stay or cost is unusual for its diagnosis
    frequency_k: float = 3.0
    frequency_floor: float = 1.0  # claims a year vary by whole claims: never a spread below one
    min_group: int = 30  # peers needed before a statistical check speaks
    shared_account_workers: int = 2
    unit_min_covered: int = 30
    unit_z: float = 3.0
    clerk_min_decisions: int = 30
    clerk_z: float = 3.0
    clerk_min_excess: float = 0.05  # and at least five points above the peers' median rate


@dataclass(frozen=True)
class Stats:
    """Robust figures of a peer group: size, median and median absolute deviation."""

    n: int
    median: float
    mad: float

    def upper(self, k: float, floor: float = 0.0) -> float:
        """Median + k robust standard deviations (never a spread below `floor`)."""
        return self.median + k * max(MAD_TO_SIGMA * self.mad, floor)


@dataclass(frozen=True)
class Finding:
    """What a check found: a code, a severity, Chinese evidence text with the figures, and the figures."""

    code: str
    severity: str
    message: str
    evidence: dict = field(default_factory=dict, hash=False, compare=True)

    @property
    def points(self) -> int:
        return POINTS[self.severity]


@dataclass(frozen=True)
class InvoiceRef:
    code: str
    number: str
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.code}-{self.number}"


@dataclass(frozen=True)
class OtherClaim:
    """Another claim of the same worker (any year; drafts and withdrawn claims left out)."""

    claim_id: int
    claim_type: str
    plan: str
    year: int
    start_on: date | None
    end_on: date | None
    tier: str = ""


@dataclass(frozen=True)
class InvoiceHolder:
    """Another claim carrying an invoice with the same code and number."""

    invoice: str
    claim_id: int
    same_worker: bool
    released: bool


@dataclass(frozen=True)
class NearDuplicate:
    """Another claim's invoice at the same hospital, date and amount, with a different number."""

    invoice: str
    other_claim_id: int
    other_invoice: str
    amount: Decimal


@dataclass(frozen=True)
class UnitFigures:
    covered: int
    claims: int
    contribution_amount: Decimal
    benefit_amount: Decimal

    @property
    def loss_ratio(self) -> float:
        return float(self.benefit_amount / self.contribution_amount) if self.contribution_amount else 0.0


@dataclass(frozen=True)
class UnitPeers:
    """Peer units' loss ratios (robust) and their pooled claim rate (claims per covered worker)."""

    ratios: Stats
    claim_rate: float


@dataclass(frozen=True)
class ClerkFigures:
    clerk_id: int
    name: str
    decisions: int
    passed: int

    @property
    def rate(self) -> float:
        return self.passed / self.decisions if self.decisions else 0.0


@dataclass(frozen=True)
class DocumentMismatch:
    """A field the claim was filed with that differs from the document it was read from (claims' ClaimReading)."""

    field: str
    document_kind: str
    document: str
    typed: str


@dataclass(frozen=True)
class ClaimRiskFacts:
    """Everything the checks look at for one claim, gathered by risk/facts.py."""

    claim_id: int
    claim_type: str
    plan: str
    year: int
    worker_id: int
    hospital: str = ""
    start_on: date | None = None  # admission, period start or diagnosis
    end_on: date | None = None  # discharge, period end or diagnosis
    diagnosis_group: str = ""  # ICD-10 category (three characters)
    total_amount: Decimal = ZERO
    fund_paid_amount: Decimal = ZERO
    serious_illness_amount: Decimal = ZERO
    policy_self_pay_amount: Decimal = ZERO
    out_of_policy_amount: Decimal = ZERO
    self_funded_amount: Decimal = ZERO
    invoices: tuple[InvoiceRef, ...] = ()
    tier: str = ""
    enrolled_on: date | None = None  # when the enrollment was paid (else coverage start)
    first_year: bool = False
    other_claims: tuple[OtherClaim, ...] = ()
    invoice_holders: tuple[InvoiceHolder, ...] = ()
    near_duplicates: tuple[NearDuplicate, ...] = ()
    peer_group: str = ""  # gender and age band, for claim frequency
    frequency_peers: Stats | None = None
    stay_peers: Stats | None = None  # natural log of the days in hospital for the diagnosis group
    cost_peers: Stats | None = None  # natural log of the total cost for the diagnosis group
    account_workers: int = 0  # workers registered with this worker's bank account (blind index)
    account_masked: str = ""
    unit_name: str = ""
    unit: UnitFigures | None = None
    unit_peers: UnitPeers | None = None
    clerk: ClerkFigures | None = None
    clerk_peers: Stats | None = None
    document_mismatches: tuple[DocumentMismatch, ...] = ()
    settings: RiskSettings = field(default_factory=RiskSettings)

    @property
    def stay_days(self) -> int | None:
        """Days in hospital (discharge − admission, at least one), as the allowance counts them."""
        if self.claim_type != "inpatient" or not self.start_on or not self.end_on:
            return None
        return max(1, (self.end_on - self.start_on).days)

    @property
    def claims_in_year(self) -> int:
        """This claim and the worker's other claims of the same plan year."""
        return 1 + sum(1 for other in self.other_claims if other.year == self.year)


def _money(value: Decimal) -> str:
    return display_yuan(value)


# --- the checks ---------------------------------------------------------------------------------

def invoice_reused(facts: ClaimRiskFacts) -> Finding | None:
    """An invoice pays once: the same code and number on another worker's claim, or on another live claim."""
    holders = [h for h in facts.invoice_holders if not h.same_worker or not h.released]
    if not holders:
        return None
    first = holders[0]
    whose = "另一职工" if not first.same_worker else "本人另一"
    return Finding("invoice_reused", HARD_STOP,
                   f"票据 {first.invoice} 已用于{whose}申领 #{first.claim_id}"
                   + (f"（共 {len(holders)} 处重复）" if len(holders) > 1 else ""),
                   {"invoices": [h.invoice for h in holders], "claims": sorted({h.claim_id for h in holders})})


def invoice_near_duplicate(facts: ClaimRiskFacts) -> Finding | None:
    """The same hospital, date and amount as another claim's invoice, under a different number."""
    if not facts.near_duplicates:
        return None
    first = facts.near_duplicates[0]
    return Finding("invoice_near_duplicate", NEEDS_REVIEW,
                   f"票据 {first.invoice} 与申领 #{first.other_claim_id} 的票据 {first.other_invoice} "
                   f"医院（{facts.hospital}）、日期（{facts.end_on}）、金额（{_money(first.amount)} 元）均相同，号码不同",
                   {"hospital": facts.hospital, "date": str(facts.end_on), "amount": str(first.amount),
                    "claims": sorted({d.other_claim_id for d in facts.near_duplicates})})


def overlapping_stay(facts: ClaimRiskFacts) -> Finding | None:
    """Two stays of one worker cannot overlap (one bed at a time; a transfer on the same day is fine)."""
    if facts.claim_type != "inpatient" or not facts.start_on or not facts.end_on:
        return None
    for other in facts.other_claims:
        if (other.claim_type == "inpatient" and other.start_on and other.end_on
                and facts.start_on < other.end_on and other.start_on < facts.end_on):
            days = (min(facts.end_on, other.end_on) - max(facts.start_on, other.start_on)).days
            return Finding("overlapping_stay", HARD_STOP,
                           f"住院 {facts.start_on} 至 {facts.end_on} 与申领 #{other.claim_id} 的住院"
                           f"（{other.start_on} 至 {other.end_on}）重叠 {days} 天",
                           {"other_claim": other.claim_id, "other_stay": [str(other.start_on), str(other.end_on)],
                            "overlap_days": days})
    return None


def invoice_year_of(code: str) -> int | None:
    """The issuing year in an e-invoice code (DATA.md: region 2, class 2, kind 2, year 2 digits)."""
    return 2000 + int(code[6:8]) if len(code) == 8 and code[6:8].isdigit() else None


def stay_outside_invoice_dates(facts: ClaimRiskFacts) -> Finding | None:
    """The invoice is issued at discharge settlement: its year must be the discharge (or period end) year.

    Invoice dates are not recorded; the issuing year is read from the invoice code.
    """
    if facts.claim_type not in ("inpatient", "outpatient_chronic") or not facts.end_on:
        return None
    wrong = [(i.label, year) for i in facts.invoices if (year := invoice_year_of(i.code)) and year != facts.end_on.year]
    if not wrong:
        return None
    label, year = wrong[0]
    what = "出院" if facts.claim_type == "inpatient" else "费用期间止"
    return Finding("stay_outside_invoice_dates", NEEDS_REVIEW,
                   f"票据 {label} 的开具年度为 {year} 年，与{what}日期 {facts.end_on} 不在同一年",
                   {"invoices": [w[0] for w in wrong], "invoice_years": [w[1] for w in wrong],
                    "end_on": str(facts.end_on)})


def amounts_inconsistent(facts: ClaimRiskFacts) -> Finding | None:
    """Settlement amounts must add up, a stay is settled by basic insurance, and self-pay is a part."""
    parts = (facts.fund_paid_amount + facts.serious_illness_amount + facts.policy_self_pay_amount
             + facts.out_of_policy_amount + facts.self_funded_amount)
    invoiced = sum((i.amount for i in facts.invoices), ZERO)
    if facts.claim_type in ("inpatient", "outpatient_chronic") and parts != facts.total_amount:
        return Finding("amounts_inconsistent", HARD_STOP,
                       f"医疗费用总额 {_money(facts.total_amount)} 元不等于各项支付之和 {_money(parts)} 元",
                       {"total": str(facts.total_amount), "parts": str(parts)})
    if facts.invoices and invoiced != facts.total_amount:
        return Finding("amounts_inconsistent", HARD_STOP,
                       f"票据金额合计 {_money(invoiced)} 元与医疗费用总额 {_money(facts.total_amount)} 元不一致",
                       {"total": str(facts.total_amount), "invoiced": str(invoiced)})
    if facts.claim_type != "inpatient" or facts.total_amount <= 0:
        return None
    if facts.fund_paid_amount == 0:
        return Finding("amounts_inconsistent", NEEDS_REVIEW,
                       f"住院费用 {_money(facts.total_amount)} 元，统筹基金支付为 0（参互职工均应有基本医保结算）",
                       {"total": str(facts.total_amount), "fund_paid": "0.00"})
    share = facts.policy_self_pay_amount / facts.total_amount
    if share > facts.settings.self_pay_share_max:
        return Finding("amounts_inconsistent", NEEDS_REVIEW,
                       f"政策范围内个人自付 {_money(facts.policy_self_pay_amount)} 元占总额的 {share:.0%}，"
                       f"高于 {facts.settings.self_pay_share_max:.0%}",
                       {"policy_self_pay": str(facts.policy_self_pay_amount), "total": str(facts.total_amount),
                        "share": f"{share:.4f}"})
    return None





def typed_differs_from_document(facts: ClaimRiskFacts) -> Finding | None:
    """An amount filed that differs from the document it was read from: the clerk changed what the paper says (a
    misreading corrected, or a figure that should be looked at). Both values are the evidence."""
    amounts = [m for m in facts.document_mismatches if m.field in AMOUNT_LABELS]
    if not amounts:
        return None
    text = "；".join(f"{AMOUNT_LABELS[m.field]}：材料识别为 {m.document} 元，填报 {m.typed} 元" for m in amounts)
    return Finding("typed_differs_from_document", NEEDS_REVIEW, f"填报金额与材料不符（{text}）",
                   {"fields": [{"field": m.field, "document_kind": m.document_kind, "document": m.document,
                                "typed": m.typed} for m in amounts]})


def adverse_selection(facts: ClaimRiskFacts) -> Finding | None:
    """Enrolled shortly before a costly first claim (逆选择): no waiting period is owed, a look is."""
    s = facts.settings
    if not facts.first_year or not facts.enrolled_on or not facts.start_on or facts.total_amount < s.costly_amount:
        return None
    if any(o.start_on and (o.start_on, o.claim_id) < (facts.start_on, facts.claim_id) for o in facts.other_claims):
        return None
    days = (facts.start_on - facts.enrolled_on).days
    if not 0 <= days <= s.adverse_selection_days:
        return None
    return Finding("adverse_selection", NEEDS_REVIEW,
                   f"首次参互缴费于 {facts.enrolled_on}，{days} 天后即发生首次申领，费用 {_money(facts.total_amount)} 元"
                   f"（参考：{s.adverse_selection_days} 天内、{_money(s.costly_amount)} 元以上）",
                   {"enrolled_on": str(facts.enrolled_on), "days": days, "total": str(facts.total_amount)})


def frequency_outlier(facts: ClaimRiskFacts) -> Finding | None:
    """The worker claims far more often this year than peers of the same sex and age band."""
    peers, s = facts.frequency_peers, facts.settings
    if peers is None or peers.n < s.min_group:
        return None
    limit = peers.upper(s.frequency_k, s.frequency_floor)
    count = facts.claims_in_year
    if count <= limit:
        return None
    return Finding("frequency_outlier", NEEDS_REVIEW,
                   f"该职工 {facts.year} 年度已申领 {count} 次；同类职工（{facts.peer_group}，{peers.n} 人）"
                   f"中位数 {peers.median:g} 次，异常线 {limit:.1f} 次",
                   {"claims": count, "peer_group": facts.peer_group, "peers": peers.n, "median": peers.median,
                    "mad": peers.mad, "limit": round(limit, 2)})


def stay_length_outlier(facts: ClaimRiskFacts) -> Finding | None:
    """Days in hospital far above the median for the diagnosis group (on a log scale: stays are skewed)."""
    days, peers, s = facts.stay_days, facts.stay_peers, facts.settings
    if days is None or peers is None or peers.n < s.min_group:
        return None
    # Whole days make the MAD of small medians too narrow (7 → 6 or 8 is ±15 %): never a spread below 0.3.
    limit = peers.upper(s.robust_k, 0.3)
    if math.log(days) <= limit:
        return None
    median_days, limit_days = math.exp(peers.median), math.exp(limit)
    return Finding("stay_length_outlier", NEEDS_REVIEW,
                   f"住院 {days} 天；{facts.diagnosis_group} 组（{peers.n} 例）中位数 {median_days:.0f} 天，"
                   f"异常线 {limit_days:.1f} 天",
                   {"days": days, "group": facts.diagnosis_group, "peers": peers.n, "median_days": round(median_days, 1),
                    "limit_days": round(limit_days, 1)})


def cost_outlier(facts: ClaimRiskFacts) -> Finding | None:
    """A stay's total cost far above the median for the diagnosis group (compared on a log scale)."""
    peers, s = facts.cost_peers, facts.settings
    if facts.claim_type != "inpatient" or peers is None or peers.n < s.min_group or facts.total_amount <= 0:
        return None
    limit = peers.upper(s.robust_k, 0.05)
    if math.log(float(facts.total_amount)) <= limit:
        return None
    # Statistics on the log of costs, shown back in yuan; money itself is never a float here.
    median_yuan, limit_yuan = round(math.exp(peers.median)), round(math.exp(limit))
    return Finding("cost_outlier", NEEDS_REVIEW,
                   f"医疗费用 {_money(facts.total_amount)} 元；{facts.diagnosis_group} 组（{peers.n} 例）"
                   f"中位数约 {median_yuan:,} 元，异常线约 {limit_yuan:,} 元",
                   {"total": str(facts.total_amount), "group": facts.diagnosis_group, "peers": peers.n,
                    "median_yuan": median_yuan, "limit_yuan": limit_yuan})


def women_tier_repeated(facts: ClaimRiskFacts) -> Finding | None:
    """Each women's tier pays once per worker for life: another claim of the same tier."""
    if facts.plan != "women_health" or not facts.tier:
        return None
    same = [o for o in facts.other_claims if o.plan == "women_health" and o.tier == facts.tier]
    if not same:
        return None
    return Finding("women_tier_repeated", NEEDS_REVIEW,
                   f"女性馨康 {facts.tier} 档已在申领 #{same[0].claim_id}（{same[0].year} 年度）中申领，每档终身限一次",
                   {"tier": facts.tier, "claims": [o.claim_id for o in same]})


def shared_bank_account(facts: ClaimRiskFacts) -> Finding | None:
    """One bank account registered for several workers (benefits go to the worker's own card)."""
    if facts.account_workers < facts.settings.shared_account_workers:
        return None
    return Finding("shared_bank_account", NEEDS_REVIEW,
                   f"收款银行卡 {facts.account_masked} 同时是 {facts.account_workers} 名职工的收款账户",
                   {"account": facts.account_masked, "workers": facts.account_workers})


def unit_loss_ratio_outlier(facts: ClaimRiskFacts) -> Finding | None:
    """The unit's loss ratio far above peer units, with more claims than its size explains."""
    unit, peers, s = facts.unit, facts.unit_peers, facts.settings
    if unit is None or peers is None or peers.ratios.n < s.min_group or unit.covered < s.unit_min_covered:
        return None
    limit = peers.ratios.upper(s.robust_k, 0.05)
    expected = unit.covered * peers.claim_rate
    z = (unit.claims - expected) / math.sqrt(expected) if expected > 0 else 0.0
    if unit.loss_ratio <= limit or z < s.unit_z:
        return None
    return Finding("unit_loss_ratio_outlier", NEEDS_REVIEW,
                   f"单位{facts.unit_name} {facts.year} 年度赔付率 {unit.loss_ratio:.0%}（补助 {_money(unit.benefit_amount)} 元 / "
                   f"互助金 {_money(unit.contribution_amount)} 元），同类单位（{peers.ratios.n} 家）中位数 "
                   f"{peers.ratios.median:.0%}、异常线 {limit:.0%}；申领 {unit.claims} 件，按参互 {unit.covered} 人应约 {expected:.1f} 件",
                   {"loss_ratio": round(unit.loss_ratio, 4), "median": round(peers.ratios.median, 4),
                    "limit": round(limit, 4), "claims": unit.claims, "expected": round(expected, 2),
                    "covered": unit.covered, "peers": peers.ratios.n})


def clerk_approval_outlier(facts: ClaimRiskFacts) -> Finding | None:
    """The county clerk who passed the claim passes far more of their claims than peer clerks."""
    clerk, peers, s = facts.clerk, facts.clerk_peers, facts.settings
    if clerk is None or peers is None or peers.n < 3 or clerk.decisions < s.clerk_min_decisions:
        return None
    p0 = min(max(peers.median, 0.01), 0.99)
    z = (clerk.rate - p0) / math.sqrt(p0 * (1 - p0) / clerk.decisions)
    if z < s.clerk_z or clerk.rate - peers.median < s.clerk_min_excess:
        return None
    return Finding("clerk_approval_outlier", NEEDS_REVIEW,
                   f"初审经办人 {clerk.name} 本年度初审通过率 {clerk.rate:.1%}（{clerk.passed}/{clerk.decisions}），"
                   f"同级经办人（{peers.n} 人）中位数 {peers.median:.1%}，z = {z:.1f}",
                   {"clerk": clerk.clerk_id, "rate": round(clerk.rate, 4), "passed": clerk.passed,
                    "decisions": clerk.decisions, "median": round(peers.median, 4), "z": round(z, 2)})


# The checks, in the order their findings are shown. Add a check here and to CHECK_LABELS.
CHECKS: list[Callable[[ClaimRiskFacts], Finding | None]] = [
    invoice_reused, invoice_near_duplicate, overlapping_stay, stay_outside_invoice_dates, amounts_inconsistent,
    typed_differs_from_document, adverse_selection, frequency_outlier, stay_length_outlier, cost_outlier, women_tier_repeated,
    shared_bank_account, unit_loss_ratio_outlier, clerk_approval_outlier,
]
CHECK_LABELS = {
    "invoice_reused": gettext_noop("票据重复使用"),
    "invoice_near_duplicate": gettext_noop("疑似重复票据（同院同日同额）"),
    "overlapping_stay": gettext_noop("住院时间重叠"),
    "stay_outside_invoice_dates": gettext_noop("住院日期与票据年度不符"),
    "amounts_inconsistent": gettext_noop("金额不一致"),
    "typed_differs_from_document": gettext_noop("填报金额与材料不符"),
    "adverse_selection": gettext_noop("参互后短期内高额首次申领"),
    "frequency_outlier": gettext_noop("申领频次异常"),
    "stay_length_outlier": gettext_noop("住院天数异常"),
    "cost_outlier": gettext_noop("医疗费用异常"),
    "women_tier_repeated": gettext_noop("女性馨康同档重复申领"),
    "shared_bank_account": gettext_noop("多名职工共用收款账户"),
    "unit_loss_ratio_outlier": gettext_noop("单位赔付率异常"),
    "clerk_approval_outlier": gettext_noop("经办人通过率异常"),
}


@dataclass(frozen=True)
class Assessment:
    """A claim's findings, its score (sum of points, at most 100) and whether it must be reviewed by hand."""

    findings: tuple[Finding, ...]
    score: int
    blocks: bool


def score_of(findings, threshold: int) -> tuple[int, bool]:
    """(score, blocks): points summed and capped at 100; at or above the threshold blocks straight-through."""
    score = min(100, sum(f.points for f in findings))
    return score, bool(findings) and score >= threshold


def assess(facts: ClaimRiskFacts) -> Assessment:
    """Run every check on one claim's facts."""
    findings = tuple(finding for check in CHECKS if (finding := check(facts)) is not None)
    score, blocks = score_of(findings, facts.settings.score_threshold)
    return Assessment(findings, score, blocks)


def precision(confirmed: int, false_alarms: int) -> float | None:
    """Share of reviewed findings that were confirmed; None before any review."""
    reviewed = confirmed + false_alarms
    return confirmed / reviewed if reviewed else None


# --- the post-audit sample (事后抽查) of automatically approved claims ------------------------------
# Strata are amount band × risk-score band. Amount bands in yuan: below 500, 500 to below 1,500, 1,500 and above.
AMOUNT_BANDS = (Decimal("500.00"), Decimal("1500.00"))
AMOUNT_BAND_LABELS = (gettext_noop("500 元以下"), gettext_noop("500–1500 元"), gettext_noop("1500 元及以上"))
# Score bands: no finding counted (0), some points below the straight-through threshold, at or above it (a claim
# a later scan flagged after it was approved). The threshold is RiskSettings.score_threshold's.
SCORE_BAND_LABELS = (gettext_noop("0 分"), gettext_noop("1–%(below)s 分"), gettext_noop("%(threshold)s 分及以上"))
DEFAULT_SCORE_THRESHOLD = RiskSettings().score_threshold


@dataclass(frozen=True)
class SampleCandidate:
    """An automatically approved claim of the month: what the sample is stratified on."""

    claim_id: int
    county_code: str
    benefit_amount: Decimal
    score: int


def amount_band(amount: Decimal) -> int:
    return sum(1 for bound in AMOUNT_BANDS if amount >= bound)


def score_band(score: int, threshold: int = DEFAULT_SCORE_THRESHOLD) -> int:
    return 0 if score <= 0 else 1 if score < threshold else 2


def stratum_of(candidate: SampleCandidate, threshold: int = DEFAULT_SCORE_THRESHOLD) -> str:
    """The stratum code stored on a sample: "a<amount band>s<score band>", e.g. "a1s0"."""
    return f"a{amount_band(candidate.benefit_amount)}s{score_band(candidate.score, threshold)}"


def stratum_label(code: str, threshold: int = DEFAULT_SCORE_THRESHOLD, translate: Callable[[str], str] = str) -> str:
    """"500–1500 元 · 0 分" for "a1s0" (`translate` is the caller's gettext); an unknown code as it is."""
    if len(code) != 4 or not code[1].isdigit() or not code[3].isdigit():
        return code
    a, s = int(code[1]), int(code[3])
    if a >= len(AMOUNT_BAND_LABELS) or s >= len(SCORE_BAND_LABELS):
        return code
    score = translate(SCORE_BAND_LABELS[s]) % {"below": threshold - 1, "threshold": threshold}
    return f"{translate(AMOUNT_BAND_LABELS[a])} · {score}"


def _draw_key(seed: str, claim_id: int) -> str:
    # A hash of the seed (the month) and the claim id: the same draw on a re-run, whatever order the rows came in.
    return hashlib.sha256(f"{seed}:{claim_id}".encode()).hexdigest()


def draw_sample(candidates: Iterable[SampleCandidate], share: Decimal, seed: str, *,
                threshold: int = DEFAULT_SCORE_THRESHOLD) -> list[int]:
    """The claim ids of the post-audit sample, ascending: ceil(share × size) of each non-empty stratum, then one
    more claim of each county none of whose claims was drawn. Deterministic for a seed.

    Within a stratum the claims are taken in the seeded hash order, not highest score first: the strata already
    separate the scores, and a random pick inside each keeps the stratum's outcome rate an estimate of its error
    rate (what the miss rate and the precision figures are read from).
    """
    share = Decimal(share)
    if not Decimal("0") <= share <= Decimal("1"):
        raise ValidationFailed("invalid_share", gettext_noop("抽查比例应在 0 到 1 之间（当前为 %(share)s）"),
                               field="share", params={"share": share})
    strata: dict[str, list[tuple[str, SampleCandidate]]] = {}
    counties: dict[str, list[tuple[str, SampleCandidate]]] = {}
    for candidate in candidates:
        keyed = (_draw_key(seed, candidate.claim_id), candidate)
        strata.setdefault(stratum_of(candidate, threshold), []).append(keyed)
        counties.setdefault(candidate.county_code, []).append(keyed)
    drawn: set[int] = set()
    for members in strata.values():
        members.sort(key=lambda pair: pair[0])
        take = math.ceil(share * len(members))
        drawn.update(c.claim_id for _key, c in members[:take])
    # DOMAIN (issue 21): at least one per county a month, whatever the share.
    for members in counties.values():
        if not any(c.claim_id in drawn for _key, c in members):
            drawn.add(min(members, key=lambda pair: pair[0])[1].claim_id)
    return sorted(drawn)


def parse_month(text) -> date | None:
    """The first day of the month "YYYY-MM" writes (full-width digits read as ASCII), else None."""
    compact = unicodedata.normalize("NFKC", str(text or "")).strip()
    if len(compact) != 7 or compact[4] != "-" or not (compact[:4] + compact[5:]).isascii():
        return None
    year, month = compact[:4], compact[5:]
    if not (year.isdigit() and month.isdigit()) or not 1 <= int(month) <= 12 or not 1900 <= int(year) <= 2999:
        return None
    return date(int(year), int(month), 1)


def previous_month(today: date) -> date:
    """The first day of the month before `today`'s (the month a monthly draw covers)."""
    first = today.replace(day=1)
    return date(first.year - 1, 12, 1) if first.month == 1 else date(first.year, first.month - 1, 1)
