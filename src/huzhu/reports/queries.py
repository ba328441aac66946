"""The dashboards' reads: scope-filtered, from the summary tables (a unit's own page reads live).

`view_scope` narrows the actor's scope to the region or unit a page drills into (outside the
actor's scope: NotFound, a 404). `dashboard` returns every figure of one page: the person-times
by year and since the first year, this year's money and claims, the drill-down table, statuses,
review speed, top diagnoses and the women's plan tiers.
"""
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from huzhu.claims import icd10
from huzhu.claims import queries as claim_queries
from huzhu.claims.workflow import DECIDED_STATUSES, Channel, ClaimType, Status
from huzhu.core.errors import NotFound
from huzhu.core.money import quantize_money
from huzhu.core.scopes import Level, Scope
from huzhu.ledger import queries as ledger_queries
from huzhu.members.models import MemberUnit
from huzhu.plans.models import PlanYear
from huzhu.regions.models import Division

from . import aggregates, rules
from .aggregates import renamed
from .models import ClaimFigures, DiagnosisFigures, ReviewStepFigures, SummaryRefresh, UnitYearFigures

S = Status
# Labels stay Chinese in the (cached, shared) boards; pages translate them on display.
PLAN_LABELS = {"hospitalization": gettext_noop("职工住院医疗互助保障"), "women_health": gettext_noop("女性馨康互助保障")}
STEP_LABELS = {"first_review": gettext_noop("初审（代办点）"), "second_review": gettext_noop("复审（办事处）"),
               "expert_review": gettext_noop("专家评审"), "approval": gettext_noop("审批（协会）"), "payment": gettext_noop("审批至支付")}
TIER_LABELS = {"A": gettext_noop("A档 恶性肿瘤"), "B": gettext_noop("B档 原位癌"), "C": gettext_noop("C档 子宫/卵巢切除")}
STATUS_ORDER = [S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.EXPERT_REVIEW, S.APPROVAL, S.SUPPLEMENT, S.APPROVED, S.PAID,
                S.REJECTED, S.WITHDRAWN]
UNIT_SUMS = ("covered", "eligible", "contribution_amount", "subsidy_amount", "claims", "decided", "beneficiaries",
             "benefit_amount", "paid_amount")
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Filters:
    """What a page asks for: a plan ("" = both), a year (None = the latest under way), a region or a unit."""

    plan: str = ""
    year: int | None = None
    region: str = ""
    unit: int | None = None


@dataclass
class Figures:
    """The sums of one region (or unit) for one year, or one row of a table."""

    code: str = ""
    name: str = ""
    year: int | None = None
    units: int = 0
    covered: int = 0
    eligible: int = 0
    cumulative: int = 0
    contribution_amount: Decimal = Decimal(0)
    subsidy_amount: Decimal = Decimal(0)
    claims: int = 0
    decided: int = 0
    beneficiaries: int = 0
    benefit_amount: Decimal = Decimal(0)
    paid_amount: Decimal = Decimal(0)

    @property
    def participation(self) -> Decimal | None:
        return rules.ratio(self.covered, self.eligible)

    @property
    def loss_ratio(self) -> Decimal | None:
        return rules.ratio(self.benefit_amount, self.contribution_amount)

    @property
    def average_benefit(self) -> Decimal | None:
        return rules.average_amount(self.benefit_amount, self.beneficiaries)

    @property
    def claim_rate(self) -> Decimal | None:
        """Beneficiaries per covered person-time (DOMAIN: about 3.9%)."""
        return rules.ratio(self.beneficiaries, self.covered)


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    claims: int
    benefit_amount: Decimal


@dataclass(frozen=True)
class StepRow:
    step: str
    label: str
    claims: int
    median_days: int | None
    p90_days: int | None


@dataclass(frozen=True)
class NoPaperRow:
    """Claims nobody applied for, in one county and plan year: made from data (免申即享, channel 医保数据) and settled
    at discharge (出院即赔, channel 医院直接结算). The share of the paid benefits that needed no paper, the share of
    the paid hospital stays settled at discharge, and the median days from a settlement in the data to the payout
    sent to the bank."""

    code: str
    name: str
    paid_claims: int
    data_claims: int
    paid_amount: Decimal
    data_amount: Decimal
    median_days: int | None
    paid_stays: int = 0        # paid inpatient claims, every channel
    hospital_claims: int = 0   # of them, settled at discharge
    hospital_amount: Decimal = Decimal("0.00")

    @property
    def share(self) -> Decimal | None:
        return rules.ratio(self.data_amount + self.hospital_amount, self.paid_amount)

    @property
    def at_discharge_share(self) -> Decimal | None:
        return rules.ratio(self.hospital_claims, self.paid_stays)


@dataclass
class Dashboard:
    scope: Scope
    title: str
    filters: Filters
    year: int | None
    plan_years: list[int]
    by_year: list[Figures]
    current: Figures
    child_level: str  # "league" / "county" / "unit" / ""
    children: list[Figures]
    statuses: list[CountRow]
    types: list[CountRow]
    tiers: list[CountRow]
    diagnoses: list[CountRow]
    steps: list[StepRow]
    straight_through: int = 0
    straight_through_share: Decimal | None = None
    overdue: int = 0
    refreshed_at: datetime | None = None
    live: bool = False
    first_year: int | None = None
    extra: dict = field(default_factory=dict)
    no_paper: list[NoPaperRow] = field(default_factory=list)  # per county, then the total (code "")


# --- scope ---------------------------------------------------------------------------------------

def view_scope(scope: Scope, *, region: str = "", unit: int | None = None) -> Scope:
    """The actor's scope narrowed to a league, county or unit; NotFound when that lies outside it."""
    if scope.is_none:
        raise NotFound()
    if unit is not None:
        found = MemberUnit.objects.filter(pk=unit).values_list("league_id", "county_id").first()
        if found is None or not scope.includes(league_code=found[0], county_code=found[1], unit_id=unit):
            raise NotFound()
        return Scope("unit", str(unit), role=scope.role)
    if region:
        division = Division.objects.filter(code=region).values_list("level", "parent_id").first()
        if division is None or division[0] not in (Division.Level.LEAGUE, Division.Level.COUNTY):
            raise NotFound()
        level, parent = division
        league = region if level == Division.Level.LEAGUE else parent
        if not scope.includes(league_code=league, county_code=region if level == Division.Level.COUNTY else ""):
            raise NotFound()
        return Scope(cast(Level, str(level)), region, role=scope.role)  # Division.Level values are scope levels
    return scope


def title_of(view: Scope) -> str:
    if view.is_province:
        return gettext_noop("全区")
    if view.is_unit:
        return MemberUnit.objects.filter(pk=int(view.code)).values_list("name", flat=True).first() or ""
    return Division.objects.filter(code=view.code).values_list("name", flat=True).first() or view.code


def breadcrumbs(actor_scope: Scope, view: Scope) -> list[tuple[str, dict]]:
    """The drill-down path from the actor's own level to the page: (name, query parameters)."""
    trail: list[tuple[str, dict]] = []
    names = dict(Division.objects.filter(level__in=["league", "county"]).values_list("code", "name"))
    if actor_scope.is_province:
        trail.append((gettext_noop("全区"), {}))
    league = county = ""
    if view.is_unit:
        league, county = MemberUnit.objects.filter(pk=int(view.code)).values_list("league_id", "county_id").first() or ("", "")
    elif view.is_county:
        county = view.code
        league = Division.objects.filter(code=view.code).values_list("parent_id", flat=True).first() or ""
    elif view.is_league:
        league = view.code
    if league and (actor_scope.is_province or actor_scope.is_league):
        trail.append((names.get(league, league), {"region": league}))
    if county and not actor_scope.is_unit:  # view_scope refused a scope with no region
        trail.append((names.get(county, county), {"region": county}))
    if view.is_unit and not actor_scope.is_unit:
        trail.append((title_of(view), {"unit": view.code}))
    return trail


# --- plan years ----------------------------------------------------------------------------------

def plan_years_of(plan: str) -> dict[int, tuple[str, int]]:
    """Plan year id -> (plan code, year), for one plan or both."""
    rows = PlanYear.objects.filter(current_version__isnull=False)
    if plan:
        rows = rows.filter(plan_id=plan)
    return {pk: (code, year) for pk, code, year in rows.values_list("pk", "plan_id", "year")}


def default_year(years: Iterable[int], today: date) -> int | None:
    """The latest year already under way, else the earliest."""
    years = sorted(set(years))
    started = [y for y in years if y <= today.year]
    return started[-1] if started else (years[0] if years else None)


# --- rows ----------------------------------------------------------------------------------------

def _group(rows: Iterable[dict], key: Callable[[dict], object], sums: Iterable[str]) -> dict:
    sums = tuple(sums)
    out: dict = {}
    for row in rows:
        target = out.setdefault(key(row), dict.fromkeys(sums, 0) | {"_units": set()})
        for name in sums:
            target[name] += row.get(name) or 0
        if "unit_id" in row and (row.get("covered") or 0) > 0:
            target["_units"].add(row["unit_id"])
    return out


def _money(value) -> Decimal:
    """A database sum as yuan to the fen (SQLite's decimal sums come back with long tails)."""
    return quantize_money(Decimal(value or 0))


def _figures(values: dict, **names) -> Figures:
    kwargs: dict[str, Any] = {name: _money(values.get(name)) if name.endswith("_amount") else values.get(name) or 0
              for name in UNIT_SUMS}
    units = values.get("units")
    kwargs["units"] = units if units is not None else len(values.get("_units", ()))
    return Figures(**kwargs, **names)


class _Summary:
    """Reads of the summary tables, grouped in the database."""

    live = False

    def __init__(self, view: Scope, ids: dict[int, tuple[str, int]]):
        self.view, self.ids = view, ids

    def _units(self, year_ids):
        return self.view.filter(UnitYearFigures.objects.filter(plan_year_id__in=year_ids))

    def _sums(self, queryset, key: str) -> dict[Any, dict]:
        sums = {f"total_{name}": Sum(name) for name in UNIT_SUMS if name != "eligible"}
        rows = queryset.values(key).annotate(units=Count("unit_id", distinct=True, filter=Q(covered__gt=0)),
                                             total_eligible=Sum("eligible", filter=Q(covered__gt=0)), **sums)
        return {row.pop(key): row for row in renamed(rows)}

    def by_year(self) -> dict[int, dict]:
        return self._sums(self._units(list(self.ids)), "plan_year__year")

    def children(self, year_ids: list[int], key: str) -> dict[str, dict]:
        return {str(k): v for k, v in self._sums(self._units(year_ids), key).items()}

    def claims(self, year_ids: list[int]) -> list[dict]:
        return renamed(self.view.filter(ClaimFigures.objects.filter(plan_year_id__in=year_ids))
                        .values("claim_type", "status", "tier", "straight_through")
                        .annotate(total_claims=Sum("claims"), total_benefit_amount=Sum("benefit_amount")))

    def diagnoses(self, year_ids: list[int]) -> list[dict]:
        return renamed(self.view.filter(DiagnosisFigures.objects.filter(plan_year_id__in=year_ids))
                        .values("category")
                        .annotate(total_claims=Sum("claims"), total_benefit_amount=Sum("benefit_amount"))
                        .order_by("-total_claims", "category")[:10])

    def steps(self, year_ids: list[int]) -> list[dict]:
        return renamed(self.view.filter(ReviewStepFigures.objects.filter(plan_year_id__in=year_ids))
                        .values("step", "days").annotate(total_claims=Sum("claims")))


class _Live:
    """The same reads computed from the claims and coverages of one unit (a unit contact's page)."""

    live = True

    def __init__(self, view: Scope, ids: dict[int, tuple[str, int]]):
        self.view, self.ids, self.unit = view, ids, int(view.code)
        self._unit_rows = aggregates.unit_year_rows(list(ids), unit_id=self.unit)

    def by_year(self) -> dict[int, dict]:
        # eligible headcount counts where the unit enrolled, as in the summary path
        rows = [{**r, "eligible": r["eligible"] if r["covered"] else 0} for r in self._unit_rows]
        return _group(rows, lambda r: self.ids[r["plan_year_id"]][1], UNIT_SUMS)

    def children(self, year_ids: list[int], key: str) -> dict[str, dict]:
        return {}

    def claims(self, year_ids: list[int]) -> list[dict]:
        return aggregates.claim_rows(year_ids, unit_id=self.unit)

    def diagnoses(self, year_ids: list[int]) -> list[dict]:
        grouped = _group(aggregates.diagnosis_rows(year_ids, unit_id=self.unit), lambda r: r["category"],
                         ("claims", "benefit_amount"))
        rows = [{"category": k, **v} for k, v in grouped.items()]
        return sorted(rows, key=lambda r: (-r["claims"], r["category"]))[:10]

    def steps(self, year_ids: list[int]) -> list[dict]:
        return aggregates.review_step_rows(year_ids, unit_id=self.unit)


CHILD_LEVEL = {"province": "league", "league": "county", "county": "unit", "unit": ""}


def _child_names(level: str, codes: Iterable[str]) -> dict[str, str]:
    codes = list(codes)
    if level == "unit":
        return {str(pk): name for pk, name in MemberUnit.objects.filter(pk__in=[int(c) for c in codes])
                .values_list("pk", "name")}
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def _count_rows(rows: list[dict], key: str, labels: dict, order: list | None = None) -> list[CountRow]:
    grouped = _group(rows, lambda r: r[key], ("claims", "benefit_amount"))
    keys = [k for k in (order or sorted(grouped)) if k in grouped]
    return [CountRow(str(k), str(labels.get(k, k)), grouped[k]["claims"], _money(grouped[k]["benefit_amount"]))
            for k in keys]


def _cache_key(view: Scope, filters: Filters, ids: dict) -> str:
    stamp = SummaryRefresh.objects.filter(plan_year_id__in=list(ids)).aggregate(last=Max("refreshed_at"))["last"]
    return f"reports:v1:{view.level}:{view.code}:{filters.plan}:{filters.year}:{stamp.timestamp() if stamp else 0}"


def dashboard(scope: Scope, filters: Filters, *, today: date | None = None) -> Dashboard:
    """Every figure of one dashboard page, for the actor's scope narrowed by the filters."""
    today = today or timezone.localdate()
    view = view_scope(scope, region=filters.region, unit=filters.unit)
    ids = plan_years_of(filters.plan)
    live = view.is_unit
    key = None if live else _cache_key(view, filters, ids)
    board = cache.get(key) if key else None
    if board is None:
        with translation.override(settings.LANGUAGE_CODE):  # one cached board serves every page language
            board = _build(view, filters, ids, today)
        if key:
            cache.set(key, board, CACHE_SECONDS)
    # the review clock runs every day: overdue claims are counted live (an index range on due_on)
    board.overdue = aggregates.overdue_claims(view, list(ids), today)
    # claims from data are paid as the bank returns files, read live (two grouped reads)
    board.no_paper = no_paper_rows(view, [pk for pk, (_, y) in ids.items() if y == board.year])
    board.scope = view
    return board


def _build(view: Scope, filters: Filters, ids: dict[int, tuple[str, int]], today: date) -> Dashboard:
    source = _Live(view, ids) if view.is_unit else _Summary(view, ids)
    all_years = sorted({year for _, year in ids.values()})
    by_year_rows = source.by_year()
    year = filters.year if filters.year in all_years else default_year(
        [y for y in all_years if y in by_year_rows] or all_years, today)
    year_ids = [pk for pk, (_, y) in ids.items() if y == year]
    shown_years = [y for y in all_years if y in by_year_rows and (year is None or y <= year)]
    by_year = [_figures(by_year_rows[y], year=y) for y in shown_years]
    for figures, running in zip(by_year, rules.cumulative(f.covered for f in by_year), strict=True):
        figures.cumulative = running
    current = next((f for f in by_year if f.year == year), Figures(year=year))
    child_level = CHILD_LEVEL[view.level]
    child_key = {"league": "league_id", "county": "county_id", "unit": "unit_id"}.get(child_level)
    children = []
    if child_key:
        rows = source.children(year_ids, child_key)
        names = _child_names(child_level, rows)
        children = sorted((_figures(values, code=code, name=names.get(code, code)) for code, values in rows.items()),
                          key=lambda f: (-f.covered, f.code))
    claim_rows = source.claims(year_ids)
    decided = [r for r in claim_rows if r["status"] in DECIDED_STATUSES]
    straight = sum(r["claims"] for r in decided if r["straight_through"])
    decided_count = sum(r["claims"] for r in decided)
    histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in source.steps(year_ids):
        histograms[row["step"]][row["days"]] += row["claims"]
    steps = [StepRow(step, label, sum(histograms[step].values()), rules.percentile(histograms[step], 0.5),
                     rules.percentile(histograms[step], 0.9)) for step, label in STEP_LABELS.items()]
    refreshed = SummaryRefresh.objects.filter(plan_year_id__in=year_ids).aggregate(last=Max("refreshed_at"))["last"]
    return Dashboard(
        scope=view, title=title_of(view), filters=filters, year=year, plan_years=all_years, by_year=by_year,
        current=current, child_level=child_level, children=children,
        statuses=_count_rows(claim_rows, "status", dict(S.choices), STATUS_ORDER),
        types=_count_rows(claim_rows, "claim_type", dict(ClaimType.choices)),
        tiers=_count_rows([r for r in decided if r["tier"]], "tier", TIER_LABELS),
        diagnoses=[CountRow(r["category"], icd10.name_of(r["category"]) or r["category"], r["claims"],
                            _money(r["benefit_amount"])) for r in source.diagnoses(year_ids)],
        steps=steps, straight_through=straight, straight_through_share=rules.ratio(straight, decided_count),
        refreshed_at=None if source.live else refreshed, live=source.live,
        first_year=by_year[0].year if by_year else None,
    )


def no_paper_rows(view: Scope, plan_year_ids: list[int]) -> list[NoPaperRow]:
    """Per county of the view (and a total row, code ""): paid claims and benefits, those made from data,
    and the median days from settlement to payout sent. Empty when nothing was paid."""
    if not plan_year_ids:
        return []
    sums: dict[str, dict] = defaultdict(lambda: {"paid_claims": 0, "data_claims": 0, "paid_amount": Decimal(0),
                                                 "data_amount": Decimal(0), "paid_stays": 0, "hospital_claims": 0,
                                                 "hospital_amount": Decimal(0)})
    for row in claim_queries.paid_benefit_by_county_and_channel(view, plan_year_ids):
        for key in (row["county_id"], ""):
            sums[key]["paid_claims"] += row["claims"]
            sums[key]["paid_amount"] += row["amount"] or 0
            if row["claim_type"] == "inpatient":
                sums[key]["paid_stays"] += row["claims"]
            if row["channel"] == Channel.DATA:
                sums[key]["data_claims"] += row["claims"]
                sums[key]["data_amount"] += row["amount"] or 0
            elif row["channel"] == Channel.HOSPITAL:
                sums[key]["hospital_claims"] += row["claims"]
                sums[key]["hospital_amount"] += row["amount"] or 0
    days: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for county, value in claim_queries.data_claims_settlement_to_sent(view, plan_year_ids):
        days[county][value] += 1
        days[""][value] += 1
    if not sums:
        return []
    names = dict(Division.objects.filter(code__in=[k for k in sums if k]).values_list("code", "name"))
    counties = sorted((k for k in sums if k), key=lambda k: (names.get(k, k), k))
    return [NoPaperRow(code=key, name=names.get(key, key) if key else "", paid_claims=sums[key]["paid_claims"],
                       data_claims=sums[key]["data_claims"], paid_amount=quantize_money(sums[key]["paid_amount"]),
                       data_amount=quantize_money(sums[key]["data_amount"]),
                       median_days=rules.percentile(days.get(key, {}), 0.5), paid_stays=sums[key]["paid_stays"],
                       hospital_claims=sums[key]["hospital_claims"],
                       hospital_amount=quantize_money(sums[key]["hospital_amount"]))
            for key in counties + [""]]


@dataclass(frozen=True)
class FundRow:
    """One plan year's fund from the ledger, the prior-year adjustments (往年调整) apart."""

    plan_label: str
    closed_on: date | None
    contribution_amount: Decimal
    in_year_benefit_amount: Decimal
    prior_year_benefit_amount: Decimal
    reserve_amount: Decimal
    working_funds_amount: Decimal
    fund_balance_amount: Decimal
    payable_amount: Decimal


def fund_rows(scope: Scope, *, year: int, plan: str = "") -> list[FundRow]:
    """The fund of each plan year of `year` (the whole fund: province scope only, else nothing)."""
    if not scope.is_province:
        return []
    years = PlanYear.objects.filter(year=year, current_version__isnull=False).order_by("plan_id")
    if plan:
        years = years.filter(plan_id=plan)
    rows = []
    for plan_year in years:
        position = ledger_queries.fund_position(plan_year)
        close = ledger_queries.year_close_of(plan_year)
        rows.append(FundRow(
            plan_label=PLAN_LABELS.get(plan_year.plan_id, plan_year.plan_id),
            closed_on=timezone.localtime(close.closed_at).date() if close else None,
            contribution_amount=quantize_money(position.total_contributions_amount),
            in_year_benefit_amount=quantize_money(position.in_year_benefits_amount),
            prior_year_benefit_amount=quantize_money(position.prior_year_benefits_amount),
            reserve_amount=quantize_money(position.reserve_amount),
            working_funds_amount=quantize_money(position.working_funds_amount),
            fund_balance_amount=quantize_money(position.fund_balance_amount),
            payable_amount=quantize_money(position.payable_amount)))
    return rows


def unearned_contributions(scope: Scope, *, year: int, plan: str = "", on: date) -> Decimal:
    """Contributions of the year's plan years (one plan or both) not yet earned at the end of `on`, in scope."""
    plan_years = PlanYear.objects.filter(year=year, current_version__isnull=False).select_related("current_version")
    if plan:
        plan_years = plan_years.filter(plan_id=plan)
    return sum((ledger_queries.unearned_contributions(plan_year, on=on, scope=scope) for plan_year in plan_years), Decimal("0.00"))
