"""Pure campaign rules: targets, progress ratios, follow-up deadlines, staffing and the KPI score.

No ORM here: queries gather the figures, these functions decide and explain.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from huzhu.core.translation import gettext_noop

# DOMAIN: an office (办事处) has at least two staff, an agency point (代办点) at least one.
MINIMUM_STAFF = {"office": 2, "agency": 1}
# A unit taken for follow-up must be contacted within this many days, or it shows as overdue.
FIRST_CONTACT_DAYS = 3
PERCENT = Decimal("0.0001")


def ratio(part: int | Decimal | None, whole: int | Decimal | None) -> Decimal | None:
    """part / whole to four places (0.1234 = 12.34%); None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(PERCENT, rounding=ROUND_HALF_UP)


# --- targets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Goal:
    units: int
    people: int
    is_default: bool  # True = no target set: "steady with growth" means at least last year's figures


def effective_goal(*, units: int | None, people: int | None, units_last_year: int, people_last_year: int) -> Goal:
    """The target in force: the association's if set, else last year's figures (稳中有增)."""
    if units is None or people is None:
        return Goal(units_last_year, people_last_year, True)
    return Goal(units, people, False)


def target_problem(*, units: int, people: int, units_last_year: int, people_last_year: int, reason: str) -> str | None:
    """Why a target may not be stored, or None. Below last year's figures needs a written reason."""
    if units < 0 or people < 0:
        return gettext_noop("目标不能为负数")
    if units > people:
        return gettext_noop("目标单位数不能多于目标人数")
    if (units < units_last_year or people < people_last_year) and not reason.strip():
        return (f"“稳中有增”要求目标不低于上年（{units_last_year}家单位、{people_last_year}人）；"
                "确需下调请填写原因")
    return None


# --- progress ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """One region's campaign figures on a day. Renewed + new = enrolled; renewed + lost = last year."""

    code: str
    name: str
    units_last_year: int = 0
    people_last_year: int = 0
    units_target: int = 0
    people_target: int = 0
    target_is_default: bool = True
    units_enrolled: int = 0
    renewed_units: int = 0
    new_units: int = 0
    lost_units: int = 0
    people_enrolled: int = 0

    @property
    def units_attainment(self) -> Decimal | None:
        return ratio(self.units_enrolled, self.units_target)

    @property
    def people_attainment(self) -> Decimal | None:
        return ratio(self.people_enrolled, self.people_target)

    @property
    def renewal_rate(self) -> Decimal | None:
        return ratio(self.renewed_units, self.units_last_year)

    @property
    def people_vs_last_year(self) -> Decimal | None:
        return ratio(self.people_enrolled, self.people_last_year)

    @property
    def people_growth(self) -> Decimal | None:
        """People enrolled over last year's, minus one (+0.05 = 5% more people)."""
        share = self.people_vs_last_year
        return None if share is None else share - 1


def total_progress(rows: list[Progress], *, code: str = "", name: str = gettext_noop("合计")) -> Progress:
    """The sum of region rows (targets too: a default target sums to last year's figures)."""
    sums = {key: sum(getattr(row, key) for row in rows) for key in (
        "units_last_year", "people_last_year", "units_target", "people_target", "units_enrolled",
        "renewed_units", "new_units", "lost_units", "people_enrolled")}
    return Progress(code=code, name=name, target_is_default=all(r.target_is_default for r in rows), **sums)


@dataclass(frozen=True)
class Window:
    opens_on: date
    closes_on: date  # last day to enroll, inclusive

    def days_left(self, today: date) -> int:
        """Days of the window still to come, today included; 0 once it has closed."""
        if today > self.closes_on:
            return 0
        return (self.closes_on - max(today, self.opens_on)).days + 1

    def days(self) -> list[date]:
        return [self.opens_on + timedelta(days=n) for n in range((self.closes_on - self.opens_on).days + 1)]


# --- follow-up ---------------------------------------------------------------------------------
def is_overdue(*, assigned_on: date | None, last_contact_on: date | None, next_due_on: date | None,
               today: date) -> bool:
    """A followed unit is overdue when its next step is past due, or it was never contacted in time."""
    if assigned_on is None:
        return False
    if last_contact_on is None:
        return today > assigned_on + timedelta(days=FIRST_CONTACT_DAYS)
    return next_due_on is not None and today > next_due_on


def contact_problem(*, contacted_on: date, today: date, outcome: str, next_step: str,
                    next_due_on: date | None) -> tuple[str, str] | None:
    """(field, message) when a contact log is not acceptable, else None."""
    if contacted_on > today:
        return "contacted_on", gettext_noop("联系日期不能晚于今天")
    if next_step.strip() and next_due_on is None:
        return "next_due_on", gettext_noop("填写了下一步，请同时填写完成期限")
    if next_due_on is not None and next_due_on < contacted_on:
        return "next_due_on", gettext_noop("下一步期限不能早于联系日期")
    if outcome not in ("declined", "will_renew") and not next_step.strip():
        return "next_step", gettext_noop("单位尚未答复续互，请写明下一步安排")
    return None


# --- staffing ----------------------------------------------------------------------------------
def staff_shortfall(kind: str, active_staff: int) -> int:
    """How many active staff an office ("office") or agency point ("agency") lacks (0 = enough)."""
    return max(0, MINIMUM_STAFF[kind] - active_staff)


# --- evaluation (考核评价) ---------------------------------------------------------------------
@dataclass(frozen=True)
class Weights:
    """Points of each indicator out of 100. Indicators without data drop out and the rest rescale."""

    growth: int = 20
    attainment: int = 25
    review_speed: int = 10
    overdue: int = 10
    supplement: int = 5
    rejection: int = 5
    payout_errors: int = 10
    outreach: int = 15


WEIGHTS = Weights()
# Scales: the figure that earns full marks and the one that earns none (linear in between).
GROWTH_FULL, GROWTH_NONE = Decimal("0.05"), Decimal("-0.10")  # +5% people earns 100; -10% earns 0
REVIEW_DAYS_FULL, REVIEW_DAYS_NONE = Decimal(5), Decimal(15)   # DOMAIN: 15 working days to pay
OVERDUE_NONE = Decimal("0.20")     # 20% of cases over the review clock earns 0
SUPPLEMENT_NONE = Decimal("0.30")  # 30% of claims sent back for supplement earns 0
REJECTION_NONE = Decimal("0.20")   # 20% rejected earns 0 (a sign of poor intake advice)
PAYOUT_ERRORS_NONE = Decimal("0.05")  # 5 lines returned failed by the bank per 100 answered earns 0
OUTREACH_PER_MONTH = {"league": 2, "county": 1}  # activities a month that earn full marks


@dataclass(frozen=True)
class Figures:
    """What an office or agency point did in the period; None = no data (claims/payouts not there yet)."""

    code: str
    name: str
    level: str  # "league" (office) or "county" (agency point)
    months: Decimal
    people_enrolled: int
    people_last_year: int
    units_enrolled: int
    units_target: int
    people_target: int
    review_days: Decimal | None = None      # mean working days from complete documents to decision
    reviewed: int | None = None
    overdue: int | None = None              # decisions later than the review clock allowed
    supplements: int | None = None          # claims sent back for supplement
    rejections: int | None = None
    decided: int | None = None
    payouts: int | None = None              # payout lines the bank answered (paid or failed)
    payout_errors: int | None = None        # of which the bank returned failed
    outreach_events: int = 0
    outreach_audience: int = 0


@dataclass(frozen=True)
class ClaimFigures:
    """Review KPIs of one region's decided claims (campaign.claim_kpis counts them)."""

    review_days: Decimal | None
    reviewed: int
    overdue: int
    supplements: int
    rejections: int
    decided: int


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    figure: str      # the figure behind the score, readable
    score: Decimal | None  # 0-100; None = no data
    weight: int


@dataclass(frozen=True)
class Evaluation:
    figures: Figures
    indicators: tuple[Indicator, ...]
    total: Decimal
    rank: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def _scale(value: Decimal, full: Decimal, none: Decimal) -> Decimal:
    """Linear from `none` (0 points) to `full` (100 points), clamped; works for either direction."""
    points = (value - none) / (full - none) * 100
    return min(Decimal(100), max(Decimal(0), points)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def score(figures: Figures, weights: Weights = WEIGHTS) -> Evaluation:
    """Score one office or agency point: each indicator 0-100 with its figure, then the weighted total."""
    f = figures
    growth = ratio(f.people_enrolled, f.people_last_year)
    growth = None if growth is None else growth - 1
    units_att = ratio(f.units_enrolled, f.units_target)
    people_att = ratio(f.people_enrolled, f.people_target)
    # Each part is capped at 100% first: extra people do not make up for units not renewed.
    attainment = None if units_att is None or people_att is None else \
        (min(units_att, Decimal(1)) + min(people_att, Decimal(1))) / 2
    overdue_share = ratio(f.overdue, f.reviewed)
    supplement_rate = ratio(f.supplements, f.reviewed)
    rejection_rate = ratio(f.rejections, f.decided)
    error_rate = ratio(f.payout_errors, f.payouts)
    expected = OUTREACH_PER_MONTH[f.level] * f.months
    indicators = (
        Indicator("growth", gettext_noop("参互人数增长"), f"{f.people_enrolled}人 / 上年{f.people_last_year}人，{_pct(growth)}",
                  None if growth is None else _scale(growth, GROWTH_FULL, GROWTH_NONE), weights.growth),
        Indicator("attainment", gettext_noop("目标完成率"),
                  f"单位{_pct(units_att)}（{f.units_enrolled}/{f.units_target}），人数{_pct(people_att)}"
                  f"（{f.people_enrolled}/{f.people_target}）",
                  None if attainment is None else _scale(attainment, Decimal(1), Decimal(0)),
                  weights.attainment),
        Indicator("review_speed", gettext_noop("审核时效"),
                  "—" if f.review_days is None else f"平均{f.review_days.quantize(Decimal('0.1'))}个工作日（{f.reviewed}件）",
                  None if f.review_days is None else _scale(f.review_days, REVIEW_DAYS_FULL, REVIEW_DAYS_NONE),
                  weights.review_speed),
        Indicator("overdue", gettext_noop("超期占比"), "—" if overdue_share is None else f"{_pct(overdue_share)}（{f.overdue}/{f.reviewed}）",
                  None if overdue_share is None else _scale(overdue_share, Decimal(0), OVERDUE_NONE), weights.overdue),
        Indicator("supplement", gettext_noop("补正率"),
                  "—" if supplement_rate is None else f"{_pct(supplement_rate)}（{f.supplements}/{f.reviewed}）",
                  None if supplement_rate is None else _scale(supplement_rate, Decimal(0), SUPPLEMENT_NONE),
                  weights.supplement),
        Indicator("rejection", gettext_noop("不予补助率"),
                  "—" if rejection_rate is None else f"{_pct(rejection_rate)}（{f.rejections}/{f.decided}）",
                  None if rejection_rate is None else _scale(rejection_rate, Decimal(0), REJECTION_NONE),
                  weights.rejection),
        Indicator("payout_errors", gettext_noop("支付差错"),
                  "—" if error_rate is None else f"{_pct(error_rate)}（{f.payout_errors}/{f.payouts}）",
                  None if error_rate is None else _scale(error_rate, Decimal(0), PAYOUT_ERRORS_NONE),
                  weights.payout_errors),
        Indicator("outreach", gettext_noop("宣传活动"), f"{f.outreach_events}场，受众{f.outreach_audience}人（应{expected.normalize()}场）",
                  None if expected <= 0 else _scale(Decimal(f.outreach_events), expected, Decimal(0)),
                  weights.outreach),
    )
    scored = [(i.score, i.weight) for i in indicators if i.score is not None and i.weight]
    weight_sum = sum(weight for _score, weight in scored)
    total = (sum((score * weight for score, weight in scored), Decimal(0)) / weight_sum) if weight_sum else Decimal(0)
    notes = tuple(f"{i.label}无数据，未计分" for i in indicators if i.score is None)
    return Evaluation(f, indicators, Decimal(total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), notes=notes)


def rank(evaluations: list[Evaluation]) -> list[Evaluation]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4); ties listed by region code."""
    ordered = sorted(evaluations, key=lambda e: (-e.total, e.figures.code))
    result: list[Evaluation] = []
    for position, evaluation in enumerate(ordered, start=1):
        same = result and result[-1].total == evaluation.total
        result.append(Evaluation(evaluation.figures, evaluation.indicators, evaluation.total,
                                 result[-1].rank if same else position, evaluation.notes))
    return result
