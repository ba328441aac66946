"""Service levels (服务时效): how fast claims are decided and paid, by county and by review level, in a scope.

By county, over the claims decided (approved or refused) in the period: median and 90th percentile working days from
complete documents to the decision, calendar days from the decision to payment, the share decided by the claim's own
due date (the review clock, 15 working days or 30 for complex cases), the first-time-complete rate (never returned for
supplement), the supplement rate (claims returned for supplement in the period per claim submitted in it) and the
claims overdue now. By review level (drawn from claims.workflow.REVIEW_LEVEL_OF_STATUS, so a level the workflow adds
appears by itself): the stays at the level that a person ended in the period with their working days, the stays
passed automatically, the claims waiting now and those overdue. Then the overdue claims with who holds them.

All set-based: one grouped read per table, one row per distinct pair of days for the clock arithmetic in Python.
"""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from huzhu.claims import queries as claim_queries
from huzhu.claims import workflow
from huzhu.claims.review_clock import working_days_between
from huzhu.complaints import queries as complaint_queries
from huzhu.core.scopes import Scope
from huzhu.regions import queries as region_queries
from huzhu.regions.roles import Role

from . import rules
from .models import ServiceDigest

S = workflow.Status
OVERDUE_LIST_LIMIT = 200
# A review level as a row of the level table; a level the workflow adds without a line here reads as its status.
LEVEL_LABELS = {workflow.COUNTY: gettext_noop("初审（代办点）"), workflow.LEAGUE: gettext_noop("复审（办事处）"),
                workflow.EXPERT: gettext_noop("专家评审（医学专家）"), workflow.ASSOCIATION: gettext_noop("审批（协会）")}
MONTHS_OFFERED = 24


# --- the period --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Days [start, end): a calendar year to date, a whole past year, a month, or a week (the digest)."""

    key: str
    label: str
    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end, time.min))


def year_period(year: int, today: date) -> Period:
    end = min(date(year + 1, 1, 1), today + timedelta(days=1))
    label = (gettext("%(year)s年") % {"year": year} if end == date(year + 1, 1, 1)
             else gettext("%(year)s年1月1日至%(month)s月%(day)s日") % {"year": year, "month": today.month, "day": today.day})
    return Period(str(year), label, date(year, 1, 1), end)


def month_period(year: int, month: int) -> Period:
    end = date(year + (month == 12), month % 12 + 1, 1)
    return Period(f"{year}-{month:02d}", gettext("%(year)s年%(month)s月") % {"year": year, "month": month},
                  date(year, month, 1), end)


def week_period(monday: date) -> Period:
    sunday = monday + timedelta(days=6)
    return Period(f"week-{monday.isoformat()}", gettext("%(start)s至%(end)s") % {
        "start": f"{monday:%Y-%m-%d}", "end": f"{sunday:%Y-%m-%d}"}, monday, monday + timedelta(days=7))


def period_choices(today: date) -> list[Period]:
    """This year to date, last year, then the months of both back from this one."""
    choices = [year_period(today.year, today), year_period(today.year - 1, today)]
    year, month = today.year, today.month
    for _ in range(MONTHS_OFFERED):
        choices.append(month_period(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return choices


def period_of(key: str, today: date) -> Period:
    """The period a page asks for by its key; this year to date for an unknown key."""
    return next((p for p in period_choices(today) if p.key == key), year_period(today.year, today))


# --- rows --------------------------------------------------------------------------------------------

@dataclass
class CountyRow:
    code: str
    name: str
    decided: int = 0
    review_median: int | None = None
    review_p90: int | None = None
    with_clock: int = 0  # decided claims that had a due date
    within: int = 0      # of those, decided on or before it
    paid: int = 0
    payment_median: int | None = None
    payment_p90: int | None = None
    first_time_complete: int = 0
    submitted: int = 0
    returned: int = 0
    overdue: int = 0
    # 自动审批占比: of the clean claims approved in the period, those automation decided (claims.queries
    # .straight_through_by_county, the figure bench/straight_through.py measures)
    automated: int = 0
    clean: int = 0

    @property
    def straight_through_share(self) -> Decimal | None:
        return rules.ratio(self.automated, self.clean)

    @property
    def within_share(self) -> Decimal | None:
        return rules.ratio(self.within, self.with_clock)

    @property
    def first_time_share(self) -> Decimal | None:
        return rules.ratio(self.first_time_complete, self.decided)

    @property
    def supplement_rate(self) -> Decimal | None:
        return rules.ratio(self.returned, self.submitted)


@dataclass(frozen=True)
class LevelRow:
    level: str
    label: str
    statuses: tuple[str, ...]
    handled: int
    median_days: int | None
    p90_days: int | None
    automatic: int
    waiting: int
    overdue: int


@dataclass(frozen=True)
class OverdueClaim:
    pk: int
    claim_type: str
    status: str
    county_name: str
    level_label: str
    holder: str
    due_on: date
    working_days_over: int
    last_actor: str


@dataclass
class ServiceLevels:
    scope: Scope
    period: Period
    today: date
    counties: list[CountyRow]
    total: CountyRow
    levels: list[LevelRow]
    overdue: list[OverdueClaim]
    overdue_count: int
    complaints: list | None = None  # per county, once the complaints app answers (see complaint_rows)
    extra: dict = field(default_factory=dict)


# --- the clock arithmetic ----------------------------------------------------------------------------

@lru_cache(maxsize=65536)
def _working_days(start: date, end: date) -> int:
    return max(0, working_days_between(start, end))


def _histogram() -> defaultdict[int, int]:
    return defaultdict(int)


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def level_statuses() -> dict[str, tuple[str, ...]]:
    """Review level → the statuses a claim waits in at it, in the workflow's order."""
    levels: dict[str, list[str]] = {}
    for status, level in workflow.REVIEW_LEVEL_OF_STATUS.items():
        levels.setdefault(level, []).append(str(status))
    return {level: tuple(statuses) for level, statuses in levels.items()}


def level_label(level: str, statuses: Iterable[str] = ()) -> str:
    label = LEVEL_LABELS.get(level)
    if label:
        return label
    first = next(iter(statuses), "")
    return str(S(first).label) if first in S.values else level


def waiting_statuses() -> tuple[str, ...]:
    """Where an open claim waits on the scheme (what can be overdue): submitted, and every review level's status."""
    return tuple(dict.fromkeys((*map(str, workflow.UNDER_REVIEW_STATUSES), *map(str, workflow.REVIEW_LEVEL_OF_STATUS))))


# --- the figures -------------------------------------------------------------------------------------

def open_rows(scope: Scope, *, today: date) -> list[dict]:
    """The claims waiting on the scheme now, per county and status, with those overdue (one grouped read)."""
    return claim_queries.open_claims_by_county_and_status(scope, waiting_statuses(), today=today)


def county_rows(scope: Scope, period: Period, *, waiting: list[dict]) -> tuple[list[CountyRow], CountyRow]:
    """The by-county table and its total row (code ""); `waiting` is `open_rows`."""
    review: dict[str, defaultdict[int, int]] = defaultdict(_histogram)
    payment: dict[str, defaultdict[int, int]] = defaultdict(_histogram)
    rows: dict[str, CountyRow] = {}
    total = CountyRow("", gettext_noop("合计"))

    def row_of(code: str) -> CountyRow:
        return rows.setdefault(code, CountyRow(code, ""))

    decided = (claim_queries.claims_decided_between(scope, since=period.since, until=period.until)
               .values_list("county_id", "documents_complete_on", "due_on", "decision_at", "paid_at", "was_sent_back"))
    for county, complete_on, due_on, decision_at, paid_at, sent_back in decided.iterator(chunk_size=5000):
        decided_on = _local_day(decision_at)
        assert decided_on is not None  # filtered on it
        for row, key in ((row_of(county), county), (total, "")):
            row.decided += 1
            row.first_time_complete += not sent_back
            if due_on is not None:
                row.with_clock += 1
                row.within += decided_on <= due_on
            if complete_on is not None:
                review[key][_working_days(complete_on, decided_on)] += 1
            paid_on = _local_day(paid_at)
            if paid_on is not None:
                row.paid += 1
                payment[key][max(0, (paid_on - decided_on).days)] += 1
    for found in claim_queries.intake_and_returns_by_county(scope, since=period.since, until=period.until):
        for row in (row_of(found["county_id"]), total):
            row.submitted += found["submitted"]
            row.returned += found["returned"]
    for found in waiting:
        for row in (row_of(found["county_id"]), total):
            row.overdue += found["overdue"]
    last_day = period.end - timedelta(days=1)
    for figures in claim_queries.straight_through_by_county(scope, start=period.start, end=last_day):
        for row in (row_of(figures.county_code), total):
            row.automated += figures.automated
            row.clean += figures.clean
    for key, row in (*rows.items(), ("", total)):
        row.review_median, row.review_p90 = rules.percentile(review[key], 0.5), rules.percentile(review[key], 0.9)
        row.payment_median, row.payment_p90 = rules.percentile(payment[key], 0.5), rules.percentile(payment[key], 0.9)
    names = dict(region_queries.counties().filter(code__in=list(rows)).values_list("code", "name"))
    for code, row in rows.items():
        row.name = names.get(code, code)
    return sorted(rows.values(), key=lambda r: r.code), total


def level_rows(scope: Scope, period: Period, *, waiting: list[dict]) -> list[LevelRow]:
    """The by-level table: each review level the workflow declares, in its order; `waiting` is `open_rows`."""
    levels = level_statuses()
    level_of = {status: level for level, statuses in levels.items() for status in statuses}
    spent: dict[str, defaultdict[int, int]] = defaultdict(_histogram)
    handled: dict[str, int] = defaultdict(int)
    automatic: dict[str, int] = defaultdict(int)
    stays = claim_queries.stays_ended_between(scope, list(level_of), since=period.since, until=period.until)
    for stay in stays:
        level = level_of[stay["status"]]
        if stay["left_level"] != level:
            continue  # withdrawn or reversed, not decided at the level
        if stay["left_kind"] == "system":
            automatic[level] += stay["stays"]
            continue
        handled[level] += stay["stays"]
        spent[level][_working_days(stay["entered_on"], stay["left_on"])] += stay["stays"]
    now: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for found in waiting:
        if found["status"] in level_of:
            now[level_of[found["status"]]][0] += found["claims"]
            now[level_of[found["status"]]][1] += found["overdue"]
    return [LevelRow(level, level_label(level, statuses), statuses, handled[level],
                     rules.percentile(spent[level], 0.5), rules.percentile(spent[level], 0.9), automatic[level],
                     now[level][0], now[level][1])
            for level, statuses in levels.items()]


def _holders() -> tuple[dict[str, str], dict[str, str]]:
    """League → its office's name, county → its agency point's name (two small reads of the region tables)."""
    offices = dict(region_queries.offices().values_list("league_id", "name"))
    agencies = dict(region_queries.agency_points().values_list("county_id", "name"))
    return offices, agencies


def overdue_list(scope: Scope, *, today: date, waiting: list[dict],
                 limit: int = OVERDUE_LIST_LIMIT) -> tuple[list[OverdueClaim], int]:
    """The overdue open claims (longest overdue first, at most `limit`) with who holds each, and how many in all."""
    statuses = waiting_statuses()
    total = sum(row["overdue"] for row in waiting)
    if not total:
        return [], 0
    offices, agencies = _holders()
    levels = workflow.REVIEW_LEVEL_OF_STATUS
    listed = []
    for claim in claim_queries.overdue_claims_in(scope, statuses, today=today, limit=limit):
        level = levels.get(claim.status, "")
        role = workflow.LEVEL_ROLE.get(level) if level else Role.AGENCY  # submitted: routing to the county
        if role == Role.AGENCY:
            holder = agencies.get(claim.county_id) or f"{claim.county.name}代办点"
        elif role == Role.OFFICE:
            holder = offices.get(claim.league_id) or f"{claim.league.name}办事处"
        else:
            holder = gettext_noop("协会")
        listed.append(OverdueClaim(
            pk=claim.pk, claim_type=claim.get_claim_type_display(), status=claim.get_status_display(),
            county_name=claim.county.name, level_label=level_label(level, [claim.status]) if level else
            gettext_noop("待分派初审"), holder=holder, due_on=claim.due_on,
            working_days_over=_working_days(claim.due_on, today),
            last_actor=claim.last_actor_name or claim.last_actor_username or ""))
    return listed, total


def complaint_rows(scope: Scope, period: Period) -> list:
    """投诉/咨询 figures per county for the period (complaints.queries.figures: received, answered in time, overdue,
    escalated)."""
    return complaint_queries.figures(scope, period.start, period.end)


def service_levels(scope: Scope, period: Period, *, today: date | None = None) -> ServiceLevels:
    """Every figure of the service-level page for the scope and period."""
    today = today or timezone.localdate()
    waiting = open_rows(scope, today=today)
    counties, total = county_rows(scope, period, waiting=waiting)
    overdue, overdue_count = overdue_list(scope, today=today, waiting=waiting)
    return ServiceLevels(scope=scope, period=period, today=today, counties=counties, total=total,
                         levels=level_rows(scope, period, waiting=waiting), overdue=overdue, overdue_count=overdue_count,
                         complaints=complaint_rows(scope, period))


# --- the weekly digest -------------------------------------------------------------------------------

def digest_content(scope: Scope, monday: date, *, today: date) -> dict:
    """The week's figures of a scope for its digest: decided, within the clock, overdue now (by level), supplements."""
    week = week_period(monday)
    waiting = open_rows(scope, today=today)
    _counties, total = county_rows(scope, week, waiting=waiting)
    levels = level_rows(scope, week, waiting=waiting)
    share = total.within_share
    return {
        "week_start": week.start.isoformat(), "week_end": (week.end - timedelta(days=1)).isoformat(),
        "as_of": today.isoformat(), "decided": total.decided, "with_clock": total.with_clock,
        "within": total.within, "within_share": str(share) if share is not None else None,
        "review_median": total.review_median, "submitted": total.submitted, "supplements": total.returned,
        "overdue": total.overdue,
        "overdue_by_level": [{"level": row.level, "label": row.label, "overdue": row.overdue, "waiting": row.waiting}
                             for row in levels],
    }


def percent(share: Decimal | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def latest_digest(view: Scope) -> ServiceDigest | None:
    """The newest weekly digest of the scope's own office (the province's for a province view), or None."""
    if view.is_province:
        digests = ServiceDigest.objects.filter(region__isnull=True)
    elif view.is_league or view.is_county:
        digests = ServiceDigest.objects.filter(region_id=view.code)
    else:
        return None
    return digests.order_by("-week_start").first()
