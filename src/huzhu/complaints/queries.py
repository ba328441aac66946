"""Reads of complaints and questions, every one filtered by the actor's region scope.

The service-level page (reports) reads `figures(scope, start, end)`; the 工作台 reads `todos_for(user)`.
"""
import statistics
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.claims.review_clock import add_working_days, working_days_between
from huzhu.core.scopes import Scope
from huzhu.core.todo import Todo
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role

from .models import Complaint

L, S = Complaint.Level, Complaint.Status
# The level at which each staff role answers; the order of escalation.
LEVEL_OF_ROLE = {Role.AGENCY: L.COUNTY, Role.OFFICE: L.LEAGUE, Role.ASSOCIATION: L.PROVINCE}
LEVELS: list[str] = [L.COUNTY, L.LEAGUE, L.PROVINCE]
READ_ROLES = frozenset({Role.AGENCY, Role.OFFICE, Role.ASSOCIATION, Role.AUDITOR})
WRITE_ROLES = frozenset(LEVEL_OF_ROLE)
# "即将超期": due today or on the next working day.
SOON_WORKING_DAYS = 1


def may_read(scope: Scope) -> bool:
    """Agency points, offices, the association and the auditor read the complaints of their region."""
    return scope.role in READ_ROLES and not scope.is_none


def may_write(scope: Scope) -> bool:
    """…and the three answering levels log calls and reply (the auditor reads only)."""
    return scope.role in WRITE_ROLES and not scope.is_none


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def level_of(scope: Scope) -> str | None:
    """The level a staff scope answers at, or None (auditor, unit contact, administrators)."""
    return LEVEL_OF_ROLE.get(scope.role)  # type: ignore[call-overload]


def next_level(level: str) -> str | None:
    rank = level_rank(level)
    return LEVELS[rank + 1] if 0 <= rank < len(LEVELS) - 1 else None


def soon_limit(today: date) -> date:
    """The last due date that counts as about to run out today."""
    return add_working_days(today, SOON_WORKING_DAYS)


def complaints_in_scope(scope: Scope) -> QuerySet[Complaint]:
    """Complaints of the scope's region (none for a role that does not read them)."""
    if not may_read(scope):
        return Complaint.objects.none()
    return scope.filter(Complaint.objects.select_related("worker", "county", "league", "claim"))


@dataclass(frozen=True)
class Filters:
    status: str = ""
    level: str = ""
    kind: str = ""
    category: str = ""
    county_code: str = ""
    overdue: bool = False
    due_soon: bool = False

    @property
    def narrowed(self) -> bool:
        return any((self.status, self.level, self.kind, self.category, self.county_code, self.overdue, self.due_soon))


def search_complaints(scope: Scope, filters: Filters, *, today: date) -> QuerySet[Complaint]:
    """The queue: filtered, open cases first by their clock, then the rest newest first."""
    qs = complaints_in_scope(scope)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.county_code:
        qs = qs.filter(county_id=filters.county_code)
    if filters.overdue:
        qs = qs.filter(status=S.OPEN, due_on__lt=today)
    if filters.due_soon:
        qs = qs.filter(status=S.OPEN, due_on__gte=today, due_on__lte=soon_limit(today))
    # Open cases first, by their clock; then the answered and closed ones, newest first.
    first = Case(When(status=S.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(open_first=first).order_by("open_first", "due_on", "-received_on", "-pk")


def complaint_for(scope: Scope, pk: int) -> Complaint:
    """One complaint inside the scope with its escalations, or 404."""
    return get_object_or_404(complaints_in_scope(scope).select_related("replied_by", "logged_by")
                             .prefetch_related("escalations"), pk=pk)


def complaints_of_worker(worker_id: int) -> QuerySet[Complaint]:
    """A worker's own complaints and questions with their replies, newest first (her phone page)."""
    return Complaint.objects.filter(worker_id=worker_id).order_by("-received_on", "-pk")


def complaint_of_worker(worker_id: int, pk: int) -> Complaint:
    """One of the worker's own complaints, or 404."""
    return get_object_or_404(complaints_of_worker(worker_id), pk=pk)


def is_overdue(complaint: Complaint, today: date) -> bool:
    return complaint.status == S.OPEN and complaint.due_on < today


def working_days_left(complaint: Complaint, today: date) -> int | None:
    """Working days from today to the due date (negative once past); None once answered."""
    if complaint.status != S.OPEN:
        return None
    return working_days_between(today, complaint.due_on)


def may_reply(scope: Scope, complaint: Complaint) -> bool:
    """Staff at the complaint's level or above, in scope, may answer it (until it is closed)."""
    level = level_of(scope)
    return (may_write(scope) and level is not None and level_rank(level) >= level_rank(complaint.level)
            and in_scope(scope, complaint) and complaint.status != S.CLOSED)


def in_scope(scope: Scope, complaint: Complaint) -> bool:
    """Whether the complaint's county lies in the scope (a complaint belongs to no unit)."""
    return scope.includes(league_code=complaint.league_id, county_code=complaint.county_id)


# --- the 工作台 ---------------------------------------------------------------------------------
def todos_for(user) -> list[Todo]:
    """待答复 and 即将超期 (and, at the association, 已超期) of the user's level: one query."""
    scope = scope_of(user)
    level = level_of(scope)
    if level is None or scope.is_none:
        return []
    today = timezone.localdate()
    counts = complaints_in_scope(scope).filter(status=S.OPEN, level=level).aggregate(
        waiting=Count("pk"),
        soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon_limit(today))),
        overdue=Count("pk", filter=Q(due_on__lt=today)))
    queue = reverse("complaints:queue")
    base = {"status": S.OPEN, "level": level}
    todos = [
        Todo(_("待答复投诉/咨询"), counts["waiting"], f"{queue}?{urlencode(base)}"),
        Todo(_("投诉/咨询即将超期"), counts["soon"], f"{queue}?{urlencode({**base, 'due': 'soon'})}", urgent=True),
    ]
    if counts["overdue"]:  # only the association keeps overdue cases: the job moves the others up
        todos.append(Todo(_("投诉/咨询已超期"), counts["overdue"], f"{queue}?{urlencode({**base, 'overdue': '1'})}",
                          urgent=True))
    return todos


# --- figures for the service-level page ------------------------------------------------------------
@dataclass(frozen=True)
class CountyFigures:
    """One county's complaints and questions received in a period, and how they were answered.

    received: received in the period; answered: of those, answered (status answered or closed);
    answered_in_time: answered at the level that received them, on or before the due date (never
    escalated); median_days_to_answer: the median of working days from received to answered (None when
    none was answered); open: still awaiting an answer; overdue: open past the due date as of `today`;
    escalated: moved up at least once.
    """

    county_code: str
    county_name: str
    league_code: str
    received: int
    answered: int
    answered_in_time: int
    median_days_to_answer: float | None
    open: int
    overdue: int
    escalated: int


def figures(scope: Scope, start: date, end: date, *, today: date | None = None) -> list[CountyFigures]:
    """Per county of the scope, complaints and questions received in [start, end) (half-open), in county order.

    Two queries: the counts grouped by county, and the answered pairs for the medians (working days,
    holidays and 调休 respected). `today` (default: today) decides what is overdue.
    """
    today = today or timezone.localdate()
    received = complaints_in_scope(scope).filter(received_on__gte=start, received_on__lt=end)
    answered = Q(replied_on__isnull=False)
    rows = (received.order_by().values("county_id", "county__name", "league_id").annotate(
        received=Count("pk"), answered=Count("pk", filter=answered),
        in_time=Count("pk", filter=answered & Q(escalation_count=0, replied_on__lte=F("due_on"))),
        open=Count("pk", filter=Q(status=S.OPEN)),
        overdue=Count("pk", filter=Q(status=S.OPEN, due_on__lt=today)),
        escalated=Count("pk", filter=Q(escalation_count__gt=0))).order_by("county_id"))
    days: dict[str, list[int]] = {}
    for county, received_on, replied_on in received.filter(answered).order_by().values_list(
            "county_id", "received_on", "replied_on"):
        if replied_on is not None:
            days.setdefault(county, []).append(working_days_between(received_on, replied_on))
    return [CountyFigures(
        county_code=row["county_id"], county_name=row["county__name"], league_code=row["league_id"],
        received=row["received"], answered=row["answered"], answered_in_time=row["in_time"],
        median_days_to_answer=float(statistics.median(days[row["county_id"]])) if row["county_id"] in days else None,
        open=row["open"], overdue=row["overdue"], escalated=row["escalated"]) for row in rows]
