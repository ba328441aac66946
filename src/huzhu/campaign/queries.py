"""Campaign reads, always filtered by the actor's region scope and set-based (GROUP BY, never per unit).

Definitions used throughout (plan year Y of one plan, Y-1 the same plan's year before):
- last year's units / people: units with active coverage in Y-1, and those coverages;
- enrolled units / people (to a day): units with a paid enrollment in Y paid on or before the
  day, and the headcount of those enrollments;
- renewed = enrolled this year and covered last year; new = enrolled, not covered last year;
  lost (not yet renewed) = covered last year, no paid enrollment yet this year.
Each figure is counted in the league/county its own record carries (the enrollment or the
last year's coverage), so renewed + lost = last year's units of a region.
"""
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from huzhu.core.scopes import Scope
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members.models import MemberUnit
from huzhu.payouts.models import Payout
from huzhu.plans.models import PlanYear
from huzhu.regions.models import AgencyPoint, Division, Office, Role, StaffProfile

from . import rules
from .models import ContactLog, FollowUp, OutreachEvent, ProgressSnapshot, Target
from .rules import ClaimFigures


# --- plan years --------------------------------------------------------------------------------
def campaign_plan_years() -> QuerySet[PlanYear]:
    """Plan years that have terms, newest first (the year picker)."""
    return (PlanYear.objects.filter(current_version__isnull=False).select_related("plan", "current_version")
            .order_by("-year", "plan_id"))


def plan_year_for(plan_code: str, year: int | None, *, today: date) -> PlanYear | None:
    """The chosen plan year, or by default the one whose enrollment window is open (else the latest started)."""
    years = list(campaign_plan_years().filter(plan_id=plan_code))
    if year:
        return next((p for p in years if p.year == year), None)
    for plan_year in years:
        terms = plan_year.terms
        if terms.enrollment_opens_on <= today <= terms.enrollment_closes_on:
            return plan_year
    started = [p for p in years if p.terms.enrollment_opens_on <= today]
    return started[0] if started else (years[-1] if years else None)


def window_of(plan_year: PlanYear) -> rules.Window:
    terms = plan_year.terms
    return rules.Window(terms.enrollment_opens_on, terms.enrollment_closes_on)


# --- progress ----------------------------------------------------------------------------------
def region_rows(scope: Scope, *, league_code: str = "") -> tuple[str, list[Division]]:
    """The divisions a progress table lists for a scope: leagues, or the counties of one league."""
    if scope.is_county:
        return "county_id", list(Division.objects.filter(pk=scope.code))
    if scope.is_league:
        league_code = scope.code
    elif not scope.is_province:
        return "county_id", []
    if league_code:
        return "county_id", list(Division.objects.filter(parent_id=league_code, level=Division.Level.COUNTY))
    return "league_id", list(Division.objects.filter(level=Division.Level.LEAGUE))


def progress_by(scope: Scope, plan_year: PlanYear, *, as_of: date, group: str, divisions: list[Division]
                ) -> list[rules.Progress]:
    """Progress of each division (grouped by `league_id` or `county_id`) on `as_of`: five GROUP BY queries."""
    codes = [d.code for d in divisions]
    key = {f"{group}__in": codes}
    last = scope.filter(enrollment_queries.last_year_coverages(plan_year)).filter(**key)
    paid = scope.filter(enrollment_queries.paid_enrollments(plan_year, paid_to=as_of)).filter(**key)
    covered_last_year = enrollment_queries.last_year_coverages(plan_year).filter(unit_id=OuterRef("unit_id"))
    paid_this_year = enrollment_queries.paid_enrollments(plan_year, paid_to=as_of).filter(unit_id=OuterRef("unit_id"))

    before = {r[group]: r for r in last.values(group).annotate(
        units=Count("unit_id", distinct=True), people=Count("pk"))}
    lost = dict(last.filter(~Exists(paid_this_year)).values(group).annotate(
        n=Count("unit_id", distinct=True)).values_list(group, "n"))
    now = {r[group]: r for r in paid.values(group).annotate(
        units=Count("unit_id", distinct=True),
        renewed=Count("unit_id", distinct=True, filter=Q(Exists(covered_last_year))),
        people=Coalesce(Sum("headcount"), 0))}
    targets = {t.division_id: t for t in Target.objects.filter(plan_year=plan_year, division_id__in=codes)}
    rows = []
    for division in divisions:
        b, n, t = before.get(division.code, {}), now.get(division.code, {}), targets.get(division.code)
        goal = rules.effective_goal(units=t.units if t else None, people=t.people if t else None,
                                    units_last_year=b.get("units", 0), people_last_year=b.get("people", 0))
        rows.append(rules.Progress(
            code=division.code, name=division.name, units_last_year=b.get("units", 0),
            people_last_year=b.get("people", 0), units_target=goal.units, people_target=goal.people,
            target_is_default=goal.is_default, units_enrolled=n.get("units", 0),
            renewed_units=n.get("renewed", 0), new_units=n.get("units", 0) - n.get("renewed", 0),
            lost_units=lost.get(division.code, 0), people_enrolled=n.get("people", 0)))
    return rows


def progress_table(scope: Scope, plan_year: PlanYear, *, as_of: date, league_code: str = ""
                   ) -> tuple[list[rules.Progress], rules.Progress]:
    """The progress rows the scope sees (leagues, or counties of one league) and their total."""
    group, divisions = region_rows(scope, league_code=league_code)
    rows = progress_by(scope, plan_year, as_of=as_of, group=group, divisions=divisions)
    total = rules.total_progress(rows)
    league = scope.code if scope.is_league else (league_code if scope.is_province else "")
    target = Target.objects.filter(plan_year=plan_year, division_id=league).first() if league else None
    if target is not None:  # the league's own target is the goal of its counties together
        total = replace(total, units_target=target.units, people_target=target.people, target_is_default=False)
    return rows, total


@dataclass(frozen=True)
class Day:
    on: date
    renewed_units: int
    new_units: int
    people: int
    units_to_date: int
    people_to_date: int


def progress_by_day(scope: Scope, plan_year: PlanYear, *, as_of: date, league_code: str = "") -> list[Day]:
    """Annual enrollments paid per day of the window (renewed and new units, people), with running totals."""
    paid = scope.filter(enrollment_queries.paid_enrollments(plan_year, paid_to=as_of))
    if league_code and scope.is_province:
        paid = paid.filter(league_id=league_code)
    covered_last_year = enrollment_queries.last_year_coverages(plan_year).filter(unit_id=OuterRef("unit_id"))
    annual = Q(kind=enrollment_queries.ENROLLMENT_ANNUAL)
    rows = (paid.values("paid_on").annotate(
        renewed=Count("unit_id", distinct=True, filter=annual & Q(Exists(covered_last_year))),
        units=Count("unit_id", distinct=True, filter=annual),
        people=Coalesce(Sum("headcount"), 0)).order_by("paid_on"))
    days, units, people = [], 0, 0
    for row in rows:
        units += row["units"]
        people += row["people"]
        days.append(Day(row["paid_on"], row["renewed"], row["units"] - row["renewed"], row["people"], units, people))
    return days


@dataclass(frozen=True)
class BurnUp:
    days: list[str]
    people: list[int | None]
    units: list[int | None]
    people_target: int
    units_target: int
    people_last_year: int
    today_index: int | None


def burn_up(scope: Scope, plan_year: PlanYear, *, today: date, league_code: str = "",
            current: rules.Progress) -> BurnUp:
    """The burn-up series over the whole window: snapshot history, today's live figure, nothing after."""
    window = window_of(plan_year)
    if scope.is_county:
        division = Q(division_id=scope.code)
    elif scope.is_league or league_code:
        division = Q(division_id=scope.code if scope.is_league else league_code)
    elif scope.is_province:
        division = Q(division__level=Division.Level.LEAGUE)
    else:
        division = Q(pk__in=[])
    snapshots = (ProgressSnapshot.objects.filter(division, plan_year=plan_year, taken_on__lt=today)
                 .values("taken_on").annotate(p=Sum("people_enrolled"), u=Sum("units_enrolled")))
    history = {r["taken_on"]: (r["p"], r["u"]) for r in snapshots}
    days = window.days()
    people: list[int | None] = []
    units: list[int | None] = []
    today_index = None
    for index, day in enumerate(days):
        if day == today:
            today_index = index
            people.append(current.people_enrolled)
            units.append(current.units_enrolled)
        elif day in history:
            people.append(history[day][0])
            units.append(history[day][1])
        else:
            people.append(None)
            units.append(None)
    if today > window.closes_on:
        today_index = len(days) - 1
    return BurnUp([d.isoformat() for d in days], people, units, current.people_target, current.units_target,
                  current.people_last_year, today_index)


def last_year_figures(plan_year: PlanYear, codes: list[str]) -> dict[str, tuple[int, int]]:
    """Division code → (units, people) covered in the year before, for leagues and counties alike."""
    last = enrollment_queries.last_year_coverages(plan_year)
    result: dict[str, tuple[int, int]] = {}
    for group in ("league_id", "county_id"):
        for row in last.filter(**{f"{group}__in": codes}).values(group).annotate(
                units=Count("unit_id", distinct=True), people=Count("pk")):
            result[row[group]] = (row["units"], row["people"])
    return result


def targets_of(plan_year: PlanYear) -> dict[str, Target]:
    return {t.division_id: t for t in Target.objects.filter(plan_year=plan_year).select_related("set_by")}


def all_divisions() -> QuerySet[Division]:
    return Division.objects.filter(level__in=[Division.Level.LEAGUE, Division.Level.COUNTY])


# --- follow-up ---------------------------------------------------------------------------------
def _follow_up_overdue(today: date) -> Q:
    """The SQL form of rules.is_overdue (the two must agree; a test checks them side by side)."""
    never_contacted = Q(fu__last_contact_on__isnull=True,
                        fu__assigned_on__lt=today - timedelta(days=rules.FIRST_CONTACT_DAYS))
    past_due = Q(fu__last_contact_on__isnull=False, fu__next_due_on__lt=today)
    return Q(fu__assignee__isnull=False) & (never_contacted | past_due)


def units_to_follow(scope: Scope, plan_year: PlanYear, *, today: date, show: str = "", actor=None
                    ) -> QuerySet[MemberUnit]:
    """Units covered last year and not yet renewed, largest first, with who follows them and when next.

    `show`: "" all, "mine" followed by `actor`, "untaken", "overdue". One query (GROUP BY unit).
    """
    previous = enrollment_queries.previous_plan_year(plan_year)
    paid = enrollment_queries.paid_enrollments(plan_year).filter(unit_id=OuterRef("pk"))
    started = enrollment_queries.enrollments_in_progress(plan_year).filter(unit_id=OuterRef("pk"))
    qs = (scope.filter(MemberUnit.objects.all(), unit="pk")
          .annotate(fu=FilteredRelation("follow_ups", condition=Q(follow_ups__plan_year=plan_year)))
          .annotate(people_last_year=Count("coverages", filter=Q(coverages__plan_year=previous,
                                                                  coverages__status=enrollment_queries.COVERAGE_ACTIVE)))
          .filter(people_last_year__gt=0)
          .exclude(Exists(paid))
          .annotate(in_progress=Exists(started), follow_up_id=F("fu__pk"), assignee_id=F("fu__assignee_id"),
                    assignee_name=F("fu__assignee__first_name"), assignee_username=F("fu__assignee__username"),
                    assigned_on=F("fu__assigned_on"), last_contact_on=F("fu__last_contact_on"),
                    next_step=F("fu__next_step"), next_due_on=F("fu__next_due_on"),
                    contact_count=F("fu__contact_count"), county_name=F("county__name"))
          .order_by("-people_last_year", "-eligible_headcount", "pk"))
    if show == "mine" and actor is not None:
        qs = qs.filter(fu__assignee_id=actor.pk)
    elif show == "untaken":
        qs = qs.filter(fu__assignee__isnull=True)
    elif show == "overdue":
        qs = qs.filter(_follow_up_overdue(today))
    return qs


def follow_up_summary(scope: Scope, plan_year: PlanYear, *, today: date) -> dict[str, int]:
    """How many units wait for renewal, how many are taken, and how many are overdue."""
    qs = units_to_follow(scope, plan_year, today=today).order_by()
    return {
        "units": qs.count(),
        # `fu` is the FilteredRelation that units_to_follow adds; the stubs plugin sees only model fields.
        "taken": qs.filter(fu__assignee__isnull=False).count(),  # type: ignore[misc]
        "overdue": qs.filter(_follow_up_overdue(today)).count(),
    }


def unit_in_scope(scope: Scope, pk: int) -> MemberUnit:
    """One unit inside the scope, or 404."""
    return get_object_or_404(scope.filter(MemberUnit.objects.select_related("county", "league"), unit="pk"), pk=pk)


def follow_up_of(plan_year: PlanYear, unit: MemberUnit) -> FollowUp | None:
    return FollowUp.objects.select_related("assignee").filter(plan_year=plan_year, unit=unit).first()


def contacts_of(follow_up: FollowUp | None) -> QuerySet[ContactLog]:
    if follow_up is None:
        return ContactLog.objects.none()
    return follow_up.contacts.select_related("logged_by")


@dataclass(frozen=True)
class UnitStanding:
    people_last_year: int
    this_year_status: str  # "" none, else the enrollment's status label


def unit_standing(plan_year: PlanYear, unit: MemberUnit) -> UnitStanding:
    """Last year's covered people of one unit and where its enrollment for this year stands."""
    people = enrollment_queries.last_year_coverages(plan_year).filter(unit=unit).count()
    enrollment = enrollment_queries.annual_enrollment_of(plan_year, unit)
    return UnitStanding(people, enrollment.get_status_display() if enrollment else "")


def was_covered_last_year(plan_year: PlanYear, unit: MemberUnit) -> bool:
    return enrollment_queries.last_year_coverages(plan_year).filter(unit=unit).exists()


# --- outreach ----------------------------------------------------------------------------------
def outreach_in_scope(scope: Scope) -> QuerySet[OutreachEvent]:
    """Outreach events the scope may see (an agency point: its own; an office: its league's)."""
    if scope.is_unit:
        return OutreachEvent.objects.none()
    return scope.filter(OutreachEvent.objects.select_related("league", "county", "created_by"))


def outreach_conversions(plan_year: PlanYear, event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Event id → (units reached, of which enrolled in the plan year on or after the event day)."""
    through = OutreachEvent.units_reached.through
    enrolled_after = enrollment_queries.paid_enrollments(plan_year).filter(
        unit_id=OuterRef("memberunit_id"), paid_on__gte=OuterRef("outreachevent__held_on"))
    rows = (through.objects.filter(outreachevent_id__in=event_ids).values("outreachevent_id")
            .annotate(reached=Count("memberunit_id", distinct=True),
                      enrolled=Count("memberunit_id", distinct=True, filter=Q(Exists(enrolled_after)))))
    return {r["outreachevent_id"]: (r["reached"], r["enrolled"]) for r in rows}


@dataclass(frozen=True)
class OutreachTotal:
    league_code: str
    office: str
    month: date
    events: int
    audience: int
    materials: int
    units_reached: int
    units_enrolled: int


def outreach_totals(scope: Scope, plan_year: PlanYear, *, start: date, end: date) -> list[OutreachTotal]:
    """Per office (league) and month in [start, end): events, audience, materials, units reached and won."""
    events = outreach_in_scope(scope).filter(held_on__gte=start, held_on__lt=end)
    sums = (events.annotate(month=TruncMonth("held_on")).values("league_id", "month")
            .annotate(events=Count("pk"), audience=Coalesce(Sum("audience_size"), 0),
                      materials=Coalesce(Sum("materials_count"), 0)))
    through = OutreachEvent.units_reached.through
    enrolled_after = enrollment_queries.paid_enrollments(plan_year).filter(
        unit_id=OuterRef("memberunit_id"), paid_on__gte=OuterRef("outreachevent__held_on"))
    reached = {(r["outreachevent__league_id"], _month(r["month"])): r for r in (
        # The plugin takes values() after annotate(month=...) on the M2M table for a field lookup.
        through.objects.filter(outreachevent__in=events)  # type: ignore[misc]
        .annotate(month=TruncMonth("outreachevent__held_on")).values("outreachevent__league_id", "month")
        .annotate(reached=Count("memberunit_id", distinct=True),
                  enrolled=Count("memberunit_id", distinct=True, filter=Q(Exists(enrolled_after)))))}
    offices = dict(Office.objects.values_list("league_id", "name"))
    result = []
    for row in sums:
        month = _month(row["month"])
        hit = reached.get((row["league_id"], month), {})
        result.append(OutreachTotal(row["league_id"] or "", offices.get(row["league_id"], _("协会")), month,
                                    row["events"], row["audience"], row["materials"],
                                    hit.get("reached", 0), hit.get("enrolled", 0)))
    return sorted(result, key=lambda t: (t.month, t.league_code))


def _month(value) -> date:
    """TruncMonth gives a date on SQLite and a datetime on PostgreSQL when the field is a date."""
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def outreach_by_region(scope: Scope, *, start: date, end: date, group: str) -> dict[str, tuple[int, int]]:
    """Region code → (events, audience) in [start, end), by league or county of the organiser."""
    rows = (outreach_in_scope(scope).filter(held_on__gte=start, held_on__lt=end).values(group)
            .annotate(events=Count("pk"), audience=Coalesce(Sum("audience_size"), 0)))
    return {r[group]: (r["events"], r["audience"]) for r in rows if r[group]}


def reachable_units(scope: Scope) -> QuerySet[MemberUnit]:
    """Units an outreach event in this scope may name, by name."""
    return scope.filter(MemberUnit.objects.all(), unit="pk").order_by("name")


# --- staffing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Staffing:
    kind: str  # "office" or "agency"
    code: str
    name: str
    active_staff: int
    minimum: int
    shortfall: int


def staffing(scope: Scope) -> list[Staffing]:
    """Every office and agency point in scope with its active staff count; failures first. Three queries."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for division_id, role, n in (StaffProfile.objects.filter(user__is_active=True, role__in=[Role.OFFICE, Role.AGENCY],
                                                              division__isnull=False)
                                 .values("division_id", "role").annotate(n=Count("pk"))
                                 .values_list("division_id", "role", "n")):
        counts[(division_id, role)] = n
    offices = scope.filter(Office.objects.all(), league="league_id", county="league__children__code")
    points = scope.filter(AgencyPoint.objects.all(), league="office__league_id", county="county_id")
    rows = []
    for code, name in offices.values_list("league_id", "name"):
        active = counts[(code, Role.OFFICE)]
        rows.append(Staffing("office", code, name, active, rules.MINIMUM_STAFF["office"],
                             rules.staff_shortfall("office", active)))
    for code, name in points.values_list("county_id", "name"):
        active = counts[(code, Role.AGENCY)]
        rows.append(Staffing("agency", code, name, active, rules.MINIMUM_STAFF["agency"],
                             rules.staff_shortfall("agency", active)))
    return sorted(rows, key=lambda r: (r.shortfall == 0, r.code))


# --- evaluation --------------------------------------------------------------------------------
def claim_figures(scope: Scope, *, start: date, end: date, group: str) -> dict[str, ClaimFigures] | None:
    """Review KPIs per region from the claims app; None while the claims app has no Claim model yet."""
    try:
        apps.get_model("claims", "Claim")
    except LookupError:
        return None
    from . import claim_kpis  # only importable once the claims models exist

    return claim_kpis.figures(scope, start=start, end=end, group=group)


def payout_figures(scope: Scope, *, start: date, end: date, group: str) -> dict[str, tuple[int, int]]:
    """Region code → (payouts the bank answered, of which failed) of batches sent in [start, end). One query.

    Population: payout lines (one per payment attempt, so a retry is a line of its own) of batches
    sent to the bank in the period, counted in the league/county of the claim, once the bank's
    return file has answered them (paid or failed); lines still waiting for the answer do not count
    yet. Error: a line the bank returned failed. The bank fails single lines for the payee's data
    (account wrong or closed, name not matching it) that the agency point took from the bank card
    at intake and the office checked at second review, so every failed line is the region's error;
    no structured cause is recorded (the bank's reason is free text). No answered line: no figure.
    """
    answered = Payout.objects.filter(batch__sent_on__gte=start, batch__sent_on__lt=end,
                                     status__in=[Payout.Status.PAID, Payout.Status.FAILED])
    rows = (scope.filter(answered).order_by().values(group)
            .annotate(payouts=Count("pk"), errors=Count("pk", filter=Q(status=Payout.Status.FAILED))))
    return {r[group]: (r["payouts"], r["errors"]) for r in rows}


def evaluation(scope: Scope, plan_year: PlanYear, *, start: date, end: date, level: str,
               weights: rules.Weights = rules.WEIGHTS) -> list[rules.Evaluation]:
    """The ranked evaluation of offices (level "league") or agency points ("county") for [start, end)."""
    group = f"{level}_id"
    if level == "league":
        divisions = list(Division.objects.filter(level=Division.Level.LEAGUE)) if scope.is_province else \
            list(Division.objects.filter(pk=scope.code, level=Division.Level.LEAGUE))
    else:
        divisions = list(scope.filter(Division.objects.filter(level=Division.Level.COUNTY),
                                      league="parent_id", county="code"))
    as_of = end - timedelta(days=1)
    progress = {p.code: p for p in progress_by(scope, plan_year, as_of=as_of, group=group, divisions=divisions)}
    outreach = outreach_by_region(scope, start=start, end=end, group=group)
    claims = claim_figures(scope, start=start, end=end, group=group)
    payouts = payout_figures(scope, start=start, end=end, group=group)
    months = (Decimal((end - start).days) / Decimal("30.4")).quantize(Decimal("0.1"))
    results = []
    for division in divisions:
        p = progress[division.code]
        c = claims.get(division.code) if claims is not None else None
        if claims is not None and c is None:
            c = ClaimFigures(None, 0, 0, 0, 0, 0)
        answered, failed = payouts.get(division.code, (0, 0))
        events, audience = outreach.get(division.code, (0, 0))
        results.append(rules.score(rules.Figures(
            code=division.code, name=division.name, level=level, months=months,
            people_enrolled=p.people_enrolled, people_last_year=p.people_last_year,
            units_enrolled=p.units_enrolled, units_target=p.units_target, people_target=p.people_target,
            review_days=c.review_days if c else None, reviewed=c.reviewed if c else None,
            overdue=c.overdue if c else None, supplements=c.supplements if c else None,
            rejections=c.rejections if c else None, decided=c.decided if c else None,
            payouts=answered, payout_errors=failed,
            outreach_events=events, outreach_audience=audience), weights))
    return rules.rank(results)
