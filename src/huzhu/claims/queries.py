"""Reads of claims, always filtered by the actor's region scope."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404

from huzhu.core.scopes import Scope
from huzhu.regions.models import Role

from . import review_clock, rules, workflow
from .models import Claim, ClaimDocument, ClaimStatusChange, OfficialDay

S = Claim.Status
# The queue each role works: the status waiting for its level (auditors and units see all open).
QUEUE_STATUS = {Role.AGENCY: (S.FIRST_REVIEW,), Role.OFFICE: (S.SECOND_REVIEW,), Role.ASSOCIATION: (S.APPROVAL,)}


def claims_in_scope(scope: Scope) -> QuerySet[Claim]:
    """Claims the scope may see (a unit contact: their unit's workers' claims)."""
    return scope.filter(Claim.objects.select_related("worker", "county", "plan_year__plan"))


def claim_for(scope: Scope, pk: int) -> Claim:
    """One claim inside the scope with its history and documents, or 404."""
    history = ClaimStatusChange.objects.select_related("actor").order_by("at", "pk")
    documents = ClaimDocument.objects.select_related("file").order_by("kind", "pk")
    qs = claims_in_scope(scope).select_related("terms_version", "coverage", "unit").prefetch_related(
        Prefetch("status_changes", queryset=history), Prefetch("documents", queryset=documents), "invoices",
        "adjustments")
    return get_object_or_404(qs, pk=pk)


def claims_awaiting_review(scope: Scope) -> QuerySet[Claim]:
    """The actor's work queue: claims waiting at their level, oldest deadline first."""
    statuses = QUEUE_STATUS.get(scope.role, workflow.OPEN_STATUSES)
    return claims_in_scope(scope).filter(status__in=statuses).order_by("due_on", "submitted_at", "pk")


def recent_claims(scope: Scope, *, status: str = "") -> QuerySet[Claim]:
    """Claims in scope, newest first, optionally of one status."""
    qs = claims_in_scope(scope)
    return (qs.filter(status=status) if status else qs).order_by("-created_at", "-pk")


def claims_of_worker(worker_id: int) -> QuerySet[Claim]:
    """A worker's own claims, newest first (the worker's phone page)."""
    return Claim.objects.filter(worker_id=worker_id).select_related("plan_year__plan").order_by("-created_at", "-pk")


def notifications_of_worker(worker_id: int, *, limit: int = 10) -> QuerySet[ClaimStatusChange]:
    """The messages a worker was (or will be) sent about her claims: status changes past draft, newest first."""
    return (ClaimStatusChange.objects.filter(claim__worker_id=worker_id).exclude(to_status=Claim.Status.DRAFT)
            .select_related("claim").order_by("-at", "-id")[:limit])


def claim_of_worker(worker_id: int, pk: int) -> Claim:
    """One of the worker's own claims, or 404."""
    return get_object_or_404(claims_of_worker(worker_id).prefetch_related("status_changes", "documents__file"), pk=pk)


def required_documents_of(claim: Claim) -> tuple[str, ...]:
    """The document kinds the claim's plan-year terms require for its type."""
    return rules.required_documents(claim.plan_year.terms, claim.claim_type, deceased=claim.worker_deceased)


@dataclass(frozen=True)
class ClockState:
    working_days_left: int | None
    overdue: bool
    provisional: bool = False  # the due date's year has no official schedule yet


def clock_state(claim: Claim, today: date) -> ClockState:
    """How many working days are left on the review clock; overdue when past the due date."""
    if claim.due_on is None or claim.status not in workflow.OPEN_STATUSES:
        return ClockState(None, False)
    left = review_clock.working_days_between(today, claim.due_on)
    return ClockState(left, claim.due_on < today, review_clock.is_provisional(claim.due_on.year))


def provisional_calendar_years(years: Iterable[int]) -> list[int]:
    """Those of `years` whose review clock is provisional: nobody entered the schedule and the
    chinesecalendar package does not have it, so only the statutory holidays are known."""
    return sorted(year for year in set(years) if review_clock.is_provisional(year))


def straight_through_share(scope: Scope, *, year: int) -> tuple[int, int]:
    """(approved straight through, approved in all) for a plan year — the share shown in reports."""
    approved = claims_in_scope(scope).filter(plan_year__year=year, status__in=workflow.DECIDED_STATUSES)
    return approved.filter(straight_through=True).count(), approved.count()


def official_days() -> dict[date, bool]:
    """The holiday schedule the association entered: day → is a working day (for the review clock)."""
    return dict(OfficialDay.objects.values_list("on", "is_working"))


def official_days_of(year: int) -> QuerySet[OfficialDay]:
    """The days entered for one year, in date order (the schedule is national: no region scope)."""
    return OfficialDay.objects.filter(on__year=year).order_by("on")


@dataclass(frozen=True)
class YearSchedule:
    """What the review clock follows in a year: the days the association entered ("entered"), else the
    chinesecalendar package's data ("package"), else the statutory holidays of the `holidays`
    package without the adjusted working days ("provisional"), else Monday to Friday ("weekdays")."""

    year: int
    source: str
    package_knows: bool
    holidays: int = 0
    working_days: int = 0


def provisional_holidays_of(year: int) -> list[tuple[date, str]]:
    """The statutory holidays the review clock assumes for a year without a known schedule, in date order."""
    return list(review_clock.provisional_holidays(year).items())


def official_schedules(years: Iterable[int] = ()) -> list[YearSchedule]:
    """Every year with an entered schedule and each of `years`, in order, with what the review clock follows."""
    counts: dict[int, list[int]] = {year: [0, 0] for year in years}
    per_year = list(OfficialDay.objects.annotate(year=ExtractYear("on")).order_by().values("year", "is_working")
                .annotate(n=Count("pk")).values_list("year", "is_working", "n"))
    for year, is_working, n in per_year:
        counts.setdefault(year, [0, 0])[is_working] = n
    entered = {year for year, _, _ in per_year}
    schedules = []
    for year, (holidays, working) in sorted(counts.items()):
        knows = review_clock.package_knows(year)
        if year in entered:
            source = "entered"
        elif knows:
            source = "package"
        else:
            source = "provisional" if review_clock.provisional_holidays(year) else "weekdays"
            holidays = sum(1 for day in review_clock.provisional_holidays(year) if day.weekday() < 5)
        schedules.append(YearSchedule(year, source, knows, holidays, working))
    return schedules
