"""Reads of claims, always filtered by the actor's region scope."""
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Concat, ExtractYear, TruncDate
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.core.crypto import blind_indexes
from huzhu.core.idnumbers import normalize
from huzhu.core.params import parse_integer
from huzhu.core.replica import read_connection
from huzhu.core.scopes import Scope
from huzhu.enrollment import queries as enrollment_queries
from huzhu.ledger.queries import EntrySource
from huzhu.plans import queries as plan_queries
from huzhu.plans.rules import claim_deadline
from huzhu.regions.models import Role

from . import review_clock, rules, workflow
from .models import (
    Claim,
    ClaimAdjustment,
    ClaimDocument,
    ClaimReading,
    ClaimRecovery,
    ClaimStatusChange,
    ExpertOpinion,
    Invoice,
    OfficialDay,
    VoidedInvoice,
)

S = Claim.Status
# The queue each role works: the status waiting for its level (auditors and units see all open).
QUEUE_STATUS: dict[str, tuple[str, ...]] = {Role.AGENCY: (S.FIRST_REVIEW,), Role.OFFICE: (S.SECOND_REVIEW,),
                                            Role.EXPERT: (S.EXPERT_REVIEW,), Role.ASSOCIATION: (S.APPROVAL,)}


def expert_sees() -> Q:
    """A medical expert sees the claims at expert review and those she gave an opinion on, nothing else."""
    return Q(status=S.EXPERT_REVIEW) | Q(Exists(ExpertOpinion.objects.filter(claim_id=OuterRef("pk"))))


def due_field(scope: Scope) -> str:
    """The clock a role's queue runs on: the expert's own step clock for the medical expert, else the review clock."""
    return "expert_due_on" if scope.role == Role.EXPERT else "due_on"


def claims_in_scope(scope: Scope) -> QuerySet[Claim]:
    """Claims the scope may see (a unit contact: their unit's workers' claims; an expert: those sent to her)."""
    qs = scope.filter(Claim.objects.select_related("worker", "county", "plan_year__plan"))
    return qs.filter(expert_sees()) if scope.role == Role.EXPERT else qs


def claim_for(scope: Scope, pk: int) -> Claim:
    """One claim inside the scope with its history and documents, or 404."""
    history = ClaimStatusChange.objects.select_related("actor").order_by("at", "pk")
    documents = ClaimDocument.objects.select_related("file").order_by("kind", "pk")
    qs = claims_in_scope(scope).select_related("terms_version", "coverage", "unit", "recovery").prefetch_related(
        Prefetch("status_changes", queryset=history), Prefetch("documents", queryset=documents), "invoices",
        "adjustments", Prefetch("expert_opinions", queryset=ExpertOpinion.objects.select_related("expert")))
    return get_object_or_404(qs, pk=pk)


def claims_awaiting_review(scope: Scope) -> QuerySet[Claim]:
    """The actor's work queue: claims waiting at their level, oldest deadline first."""
    statuses = QUEUE_STATUS.get(scope.role, workflow.OPEN_STATUSES)
    return claims_in_scope(scope).filter(status__in=statuses).order_by("due_on", "submitted_at", "pk")


# 即将超期: the queue marks a claim with this many working days left or fewer (and the 工作台 counts them).
DUE_SOON_WORKING_DAYS = 3


def due_soon_before(today: date) -> date:
    """The first due date that is no longer "due soon": DUE_SOON_WORKING_DAYS working days after today are left."""
    return review_clock.add_working_days(today, DUE_SOON_WORKING_DAYS + 1)


@dataclass(frozen=True)
class QueueFilters:
    """What a reviewer narrows the queue by; empty values filter nothing."""

    status: str = ""
    plan: str = ""
    claim_type: str = ""
    county_code: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    overdue: bool = False
    channel: str = ""
    text: str = ""
    due_soon: bool = False  # due within DUE_SOON_WORKING_DAYS working days, not yet overdue

    @property
    def narrowed(self) -> bool:
        return any((self.plan, self.claim_type, self.county_code, self.submitted_from, self.submitted_to,
                    self.overdue, self.channel, self.text, self.due_soon))


def _matching_text(qs: QuerySet[Claim], text: str) -> QuerySet[Claim]:
    """A claim number (#123), a full ID number (through the blind index) or the start of the worker's name."""
    compact = normalize(text)
    if re.fullmatch(r"\d{17}[\dX]|\d{15}", compact):
        return qs.filter(worker__id_number_index__in=blind_indexes(compact))
    number = re.fullmatch(r"#?(\d{1,12})", compact)
    if number:
        return qs.filter(pk=parse_integer(number[1]) or 0)
    return qs.filter(worker__name__startswith=" ".join(text.split()))


def search_claims(scope: Scope, filters: QueueFilters, *, today: date) -> QuerySet[Claim]:
    """The queue as filtered: the role's waiting claims (or one status), narrowed by plan, type, county,
    submission dates, the review clock, channel and a claim number / worker; overdue first by due date."""
    if filters.status:
        qs = claims_in_scope(scope).filter(status=filters.status)
    else:
        qs = claims_in_scope(scope).filter(status__in=QUEUE_STATUS.get(scope.role, workflow.OPEN_STATUSES))
    if filters.plan:
        qs = qs.filter(plan_year__plan_id=filters.plan)
    if filters.claim_type:
        qs = qs.filter(claim_type=filters.claim_type)
    if filters.county_code:
        qs = qs.filter(county_id=filters.county_code)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    zone = timezone.get_current_timezone()
    if filters.submitted_from:
        qs = qs.filter(submitted_at__gte=datetime.combine(filters.submitted_from, time.min, tzinfo=zone))
    if filters.submitted_to:
        qs = qs.filter(submitted_at__lt=datetime.combine(filters.submitted_to + timedelta(days=1), time.min, tzinfo=zone))
    due = due_field(scope)
    if filters.overdue:
        qs = qs.filter(status__in=workflow.OPEN_STATUSES, **{f"{due}__lt": today})
    if filters.due_soon:
        qs = qs.filter(status__in=workflow.OPEN_STATUSES, **{f"{due}__gte": today, f"{due}__lt": due_soon_before(today)})
    if filters.text.strip():
        qs = _matching_text(qs, filters.text.strip())
    if filters.status and not (filters.overdue or filters.due_soon):
        return qs.order_by("-created_at", "-pk")
    return qs.order_by(due, "submitted_at", "pk")


def recent_claims(scope: Scope, *, status: str = "") -> QuerySet[Claim]:
    """Claims in scope, newest first, optionally of one status."""
    qs = claims_in_scope(scope)
    return (qs.filter(status=status) if status else qs).order_by("-created_at", "-pk")


def claims_of_worker_in_scope(scope: Scope, worker_id: int) -> QuerySet[Claim]:
    """A worker's claims the scope may see, newest first (her page at the desk)."""
    return claims_in_scope(scope).filter(worker_id=worker_id).order_by("-created_at", "-pk")


def claims_of_unit(scope: Scope, unit_id: int) -> QuerySet[Claim]:
    """The claims of a unit's workers inside the scope, newest first."""
    return claims_in_scope(scope).filter(unit_id=unit_id).order_by("-created_at", "-pk")


def documents_of_worker(scope: Scope, worker_id: int) -> QuerySet[ClaimDocument]:
    """The documents of a worker's claims inside the scope, newest first (one query, claim and file joined)."""
    claims = claims_in_scope(scope).filter(worker_id=worker_id).values("pk")
    return (ClaimDocument.objects.filter(claim_id__in=claims).select_related("claim", "file")
            .order_by("-uploaded_at", "-pk"))


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
    expert_overdue: bool = False  # at expert review past the expert's own clock


def clock_state(claim: Claim, today: date) -> ClockState:
    """How many working days are left on the review clock; overdue when past the due date."""
    if claim.due_on is None or claim.status not in workflow.OPEN_STATUSES:
        return ClockState(None, False)
    left = review_clock.working_days_between(today, claim.due_on)
    expert_overdue = claim.status == S.EXPERT_REVIEW and claim.expert_due_on is not None and claim.expert_due_on < today
    return ClockState(left, claim.due_on < today, review_clock.is_provisional(claim.due_on.year), expert_overdue)


def provisional_calendar_years(years: Iterable[int]) -> list[int]:
    """Those of `years` whose review clock is provisional: nobody entered the schedule and the
    chinesecalendar package does not have it, so only the statutory holidays are known."""
    return sorted(year for year in set(years) if review_clock.is_provisional(year))


@dataclass(frozen=True)
class StraightThroughFigures:
    """Of one county's claims approved in a period: how many automation decided, and how many clean ones it did not.

    A clean claim is approved as submitted: never sent back for supplement, no amount adjusted, and left to a person
    only by a rule (rules.RULE_REASONS: above the limit, cut by a yearly limit, complex, expert review), not by a risk
    finding or missing papers. `automatable` leaves out the clean claims a rule reserves for a person whatever the
    automation (complex cases and expert review), so it measures the automation itself.
    """

    county_code: str
    county_name: str
    automated: int
    clean: int          # automated + the clean ones a person approved
    automatable: int    # automated + the clean ones a person approved that no rule reserves for a person
    by_reason: dict[str, int]  # the clean ones a person approved, by reason code

    @property
    def share(self) -> Decimal | None:
        return (Decimal(self.automated) / self.clean) if self.clean else None

    @property
    def automatable_share(self) -> Decimal | None:
        return (Decimal(self.automated) / self.automatable) if self.automatable else None


RESERVED_FOR_A_PERSON = frozenset({"complex", "expert"})


def straight_through_by_county(scope: Scope, *, start: date, end: date) -> list[StraightThroughFigures]:
    """The straight-through share of clean claims approved from `start` to `end` (inclusive), per county of the scope.

    One query: a row per approved claim (a province-year is some 60,000), counted here.
    """
    returned = ClaimStatusChange.objects.filter(claim_id=OuterRef("pk"), to_status=S.SUPPLEMENT)
    adjusted = ClaimAdjustment.objects.filter(claim_id=OuterRef("pk"))
    rows = (claims_in_scope(scope).filter(status__in=workflow.DECIDED_STATUSES, approved_at__date__gte=start,
                                          approved_at__date__lte=end)
            .annotate(returned=Exists(returned), adjusted=Exists(adjusted))
            .values_list("county_id", "county__name", "straight_through", "manual_review_reasons", "returned",
                         "adjusted"))
    counts: dict[tuple[str, str], list] = {}
    for county, name, automated, reasons, was_returned, was_adjusted in rows.iterator(chunk_size=5000):
        entry = counts.setdefault((county, name), [0, 0, 0, {}])
        if automated:
            entry[0] += 1
            entry[1] += 1
            entry[2] += 1
            continue
        codes = set(reasons or [])
        if was_returned or was_adjusted or not codes or not codes <= rules.RULE_REASONS:
            continue  # not clean: a person had something to find, or it was never screened
        entry[1] += 1
        if not codes & RESERVED_FOR_A_PERSON:
            entry[2] += 1
        for code in codes:
            entry[3][code] = entry[3].get(code, 0) + 1
    return [StraightThroughFigures(county, name, *values) for (county, name), values in sorted(counts.items())]


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


# --- The door for other apps: claim data by meaning (no other app imports claims.models) ------------
# Reports, campaign, risk, payouts, actuarial and webhooks read claims only through these; the status
# sets are workflow's. Functions taking a scope filter by it; the others serve set-wise, unscoped jobs
# (summary tables, risk scans, event delivery) exactly as those jobs read the table before.

def _of_years(queryset: QuerySet, plan_year_ids: Sequence[int], unit_id: int | None) -> QuerySet:
    queryset = queryset.filter(plan_year_id__in=list(plan_year_ids))
    return queryset.filter(unit_id=unit_id) if unit_id is not None else queryset


def claims_past_draft_of_years(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> QuerySet[Claim]:
    """Every claim past draft (withdrawn ones included) of the plan years, of one unit if given: the reports."""
    return _of_years(Claim.objects.exclude(status=S.DRAFT), plan_year_ids, unit_id)


def decided_claims_of_years(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> QuerySet[Claim]:
    """Decided claims (a benefit granted) of the plan years, of one unit if given."""
    return _of_years(Claim.objects.filter(status__in=workflow.DECIDED_STATUSES), plan_year_ids, unit_id)


def _days_sql() -> str:
    """Whole days a step took, counting a begun day as a day (0 only for an instant decision)."""
    if connection.vendor == "postgresql":
        return "CEIL(EXTRACT(EPOCH FROM (s.next_at - s.at)) / 86400.0)::int"
    elapsed = "(julianday(s.next_at) - julianday(s.at))"
    return f"(CAST({elapsed} AS INTEGER) + ({elapsed} > CAST({elapsed} AS INTEGER)))"


def review_step_days(plan_year_ids: Sequence[int], statuses: Sequence[str], *,
                     unit_id: int | None = None) -> list[tuple]:
    """(plan year, league, county, status, whole days, claims): how long claims stayed in each status.

    A stay lasts from the move into the status to the claim's next move. Stays ended by an
    automatic (straight-through) move are left out, except in `approved` (waiting for payment).
    """
    ids = list(plan_year_ids)
    if not ids:
        return []
    claims, changes = Claim._meta.db_table, ClaimStatusChange._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    unit_sql = " AND c.unit_id = %s" if unit_id is not None else ""
    params: list[int | str] = [*ids, *([unit_id] if unit_id is not None else []), *statuses]
    sql = f"""
        SELECT c.plan_year_id, c.league_id, c.county_id, s.to_status, {_days_sql()} AS days, COUNT(*)
        FROM (SELECT claim_id, to_status, at,
                     LEAD(at) OVER (PARTITION BY claim_id ORDER BY at, id) AS next_at,
                     LEAD(actor_kind) OVER (PARTITION BY claim_id ORDER BY at, id) AS next_kind
              FROM {changes}
              WHERE claim_id IN (SELECT id FROM {claims} c WHERE c.plan_year_id IN ({marks}){unit_sql})) s
        JOIN {claims} c ON c.id = s.claim_id
        WHERE s.to_status IN ({", ".join(["%s"] * len(statuses))}) AND s.next_at IS NOT NULL
          AND (s.to_status = 'approved' OR s.next_kind <> 'system')
        GROUP BY c.plan_year_id, c.league_id, c.county_id, s.to_status, days"""
    with read_connection().cursor() as cursor:  # a report's read: the replica when the page reads from one
        cursor.execute(sql, params)
        return cursor.fetchall()


def overdue_claim_count(scope: Scope, plan_year_ids: Sequence[int], today: date) -> int:
    """Claims of the plan years under review past their due date (the review clock ran out), counted live."""
    return (scope.filter(Claim.objects.filter(plan_year_id__in=list(plan_year_ids)))
            .filter(status__in=workflow.UNDER_REVIEW_STATUSES, due_on__lt=today).count())


def _ever_sent_back() -> Exists:
    return Exists(ClaimStatusChange.objects.filter(claim_id=OuterRef("pk"), to_status=S.SUPPLEMENT))


def claims_closed_by_review(scope: Scope, *, since: datetime, until: datetime) -> QuerySet[Claim]:
    """Claims whose review ended (decided or refused) in [since, until), each marked if ever sent back."""
    return (scope.filter(Claim.objects.filter(status__in=workflow.CLOSED_BY_REVIEW_STATUSES, decided_at__gte=since,
                                              decided_at__lt=until))
            .annotate(was_sent_back=_ever_sent_back()))


def approved_claims_with_benefit(scope: Scope) -> QuerySet[Claim]:
    """Approved claims (waiting for payment) with a benefit, in scope; payouts narrows them to those it owes."""
    return scope.filter(Claim.objects.filter(status=S.APPROVED, benefit_amount__gt=0))


def use_card_on_file() -> bool:
    """The association's setting: pay a claim made from data to the card on file, without the worker's
    confirmation on her phone (HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE, default False)."""
    return bool(getattr(settings, "HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE", False))


def made_from_data(claim: Claim) -> bool:
    """Made from a medical-insurance settlement (免申即享), not applied for."""
    return claim.channel == Claim.Channel.DATA


def awaits_bank_confirmation(claim: Claim) -> bool:
    """A claim made from data, standing and not paid, whose worker has not confirmed her card yet."""
    return (made_from_data(claim) and claim.status in workflow.CARD_CONFIRMABLE_STATUSES
            and claim.bank_confirmed_at is None)


def held_for_bank_confirmation() -> Q:
    """Claims made from data whose worker has not confirmed her bank card yet: not paid until she does,
    unless the association's setting says to pay the card on file."""
    if use_card_on_file():
        return Q(pk__in=[])
    return Q(channel=Claim.Channel.DATA, bank_confirmed_at__isnull=True)


def payable_claims_with_benefit(scope: Scope) -> QuerySet[Claim]:
    """Approved claims with a benefit that may be paid now (a data claim's card confirmed or the card on file)."""
    return approved_claims_with_benefit(scope).exclude(held_for_bank_confirmation())


def claims_waiting_for_bank_confirmation(scope: Scope) -> QuerySet[Claim]:
    """Approved claims made from data the payout batches hold until the worker confirms her card, oldest first."""
    return (approved_claims_with_benefit(scope).filter(held_for_bank_confirmation())
            .select_related("worker", "county").order_by("approved_at", "pk"))


def open_recoveries(scope: Scope) -> QuerySet[ClaimRecovery]:
    """Benefits owed back (应收) because the bureau reversed the settlement after payment, in scope, newest first."""
    return (ClaimRecovery.objects.filter(claim__in=scope.filter(Claim.objects.all()), status=ClaimRecovery.Status.OPEN)
            .select_related("claim__worker", "claim__county").order_by("-opened_on", "-pk"))


# The payouts app (a floor above) registers its reader of (county, days from settlement to payout sent) of the
# paid claims made from data at start-up; reports read it here. Without it the figure is simply empty.
_settlement_to_sent_reader: Callable[[Scope, list[int]], list[tuple[str, int]]] | None = None


def register_settlement_to_sent_reader(reader: Callable[[Scope, list[int]], list[tuple[str, int]]]) -> None:
    global _settlement_to_sent_reader
    _settlement_to_sent_reader = reader


def data_claims_settlement_to_sent(scope: Scope, plan_year_ids: list[int]) -> list[tuple[str, int]]:
    """(county, days) of every paid claim made from data, from its settlement to its payout sent to the bank."""
    return _settlement_to_sent_reader(scope, plan_year_ids) if _settlement_to_sent_reader else []


# The payouts app also registers its reader of the claims whose benefit is on its way to the bank (a payout line
# waiting in a batch or sent and not yet answered): a reversal must not cancel such a claim behind the batch's back.
_in_payment_reader: Callable[[list[int]], set[int]] | None = None


def register_in_payment_reader(reader: Callable[[list[int]], set[int]]) -> None:
    global _in_payment_reader
    _in_payment_reader = reader


def claims_in_payment(claim_ids: list[int]) -> set[int]:
    """Of these claims, those with a live payout not yet paid (pending in a batch, or sent to the bank)."""
    return _in_payment_reader(claim_ids) if _in_payment_reader and claim_ids else set()


def paid_benefit_by_county_and_channel(scope: Scope, plan_year_ids: Sequence[int]) -> list[dict]:
    """Paid claims of the plan years in scope, per county, intake channel and claim type:
    {county_id, channel, claim_type, claims, amount}."""
    from django.db.models import Sum

    return list(scope.filter(Claim.objects.filter(plan_year_id__in=list(plan_year_ids), status=S.PAID))
                .values("county_id", "channel", "claim_type").annotate(claims=Count("pk"), amount=Sum("benefit_amount"))
                .order_by("county_id", "channel", "claim_type"))


def claim_with_worker(scope: Scope, pk: int) -> Claim:
    """One claim in scope with its worker, or 404."""
    return get_object_or_404(scope.filter(Claim.objects.select_related("worker")), pk=pk)


def decided_claims_of(scope: Scope, plan_year) -> QuerySet[Claim]:
    """The plan year's decided claims in scope."""
    return scope.filter(Claim.objects.filter(plan_year=plan_year, status__in=workflow.DECIDED_STATUSES))


def tiers_granted_before(plan_year) -> QuerySet:
    """(worker, tier) of every decided women's-plan benefit of the plan's earlier years."""
    return (Claim.objects.filter(plan_year__plan_id=plan_year.plan_id, plan_year__year__lt=plan_year.year,
                                 status__in=workflow.DECIDED_STATUSES, benefit_amount__gt=0)
            .exclude(tier="").values_list("worker_id", "tier"))


def standing_claims_reported(scope: Scope, plan_code: str) -> QuerySet[Claim]:
    """The plan's standing claims ever submitted, with their event day and when they were paid (if ever)."""
    qs = scope.filter(Claim.objects.filter(plan_year__plan_id=plan_code, submitted_at__isnull=False,
                                           status__in=workflow.STANDING_STATUSES))
    return qs.annotate(event_on=Coalesce("admitted_on", "period_start_on", "diagnosed_on"),
                       paid_at=Max("status_changes__at", filter=Q(status_changes__to_status=S.PAID)))


def latest_status_change_id() -> int:
    """The id of the newest status change (0 before the first)."""
    return ClaimStatusChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def status_changes_after(change_id: int, *, league_id: str = "", county_id: str = "",
                         limit: int) -> list[ClaimStatusChange]:
    """Status changes past draft after `change_id` (of one league's or county's claims), oldest first, with the claim."""
    changes = ClaimStatusChange.objects.select_related("claim").filter(id__gt=change_id)
    if league_id:
        changes = changes.filter(claim__league_id=league_id)
    if county_id:
        changes = changes.filter(claim__county_id=county_id)
    return list(changes.exclude(to_status=S.DRAFT).order_by("id")[:limit])


def filed_claims_of_year(year: int) -> QuerySet[Claim]:
    """Every filed claim of the plan year (not a draft, not withdrawn): what a risk scan looks at."""
    return Claim.objects.filter(plan_year__year=year).exclude(status__in=workflow.NOT_FILED_STATUSES)


def filed_claims_of_workers(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Every filed claim, of any year, of the workers of `claims`."""
    return Claim.objects.filter(worker_id__in=claims.values("worker_id")).exclude(status__in=workflow.NOT_FILED_STATUSES)


def invoices_held_in_year(year: int) -> QuerySet[Invoice]:
    """Invoices still held by a filed claim of the plan year."""
    return (Invoice.objects.filter(released_at__isnull=True, claim__plan_year__year=year)
            .exclude(claim__status__in=workflow.NOT_FILED_STATUSES))


def invoices_held_by(claims: QuerySet[Claim]) -> QuerySet[Invoice]:
    """The invoices `claims` still hold."""
    return Invoice.objects.filter(claim__in=claims.values("pk"), released_at__isnull=True)


def every_invoice() -> QuerySet[Invoice]:
    """Every invoice ever recorded, of any claim in any status, released or not."""
    return Invoice.objects.all()


def first_review_decisions(year: int, actions: Sequence[str]) -> QuerySet[ClaimStatusChange]:
    """Moves by a person at the county's first review of the plan year's claims, of the given actions."""
    return ClaimStatusChange.objects.filter(claim__plan_year__year=year, level=workflow.COUNTY, actor__isnull=False,
                                            action__in=actions)


def first_review_passes(claims: QuerySet[Claim]) -> QuerySet[ClaimStatusChange]:
    """Passes at first review by a person (desk intake included) of `claims`, oldest first."""
    return ClaimStatusChange.objects.filter(claim__in=claims.values("pk"), action=workflow.Action.PASS_FIRST,
                                            actor__isnull=False).order_by("pk")


def first_claimant_with_phone(county_id: str):
    """The worker of the county's first claim whose worker has a phone (the demo's sign-in), or None."""
    claim = (Claim.objects.filter(worker__county_id=county_id).exclude(worker__phone_encrypted="")
             .select_related("worker").order_by("pk").first())
    return claim.worker if claim else None
def ledger_sources(scope: Scope, cause_ids: list[str]) -> dict[str, EntrySource]:
    """The claims behind ledger entries (an approval's), linked when the claim lies inside the scope."""
    ids = [pk for pk in (parse_integer(text, minimum=1) for text in cause_ids) if pk]
    visible = set(claims_in_scope(scope).filter(pk__in=ids).values_list("pk", flat=True))
    parties = {pk: (unit or "", league or "") for pk, unit, league in
               Claim.objects.filter(pk__in=ids).values_list("pk", "unit__name", "league__name")}
    return {str(pk): EntrySource(((_("申领 #%(number)s") % {"number": pk},
                                   reverse("claims:detail", args=[pk]) if pk in visible else ""),),
                                 unit=parties.get(pk, ("", ""))[0], league=parties.get(pk, ("", ""))[1]) for pk in ids}


def claim_ids_in_scope(scope: Scope, claim_ids: Iterable[int]) -> set[int]:
    """Which of these claims the scope may open (one query)."""
    return set(scope.filter(Claim.objects.filter(pk__in=list(claim_ids))).values_list("pk", flat=True))


def straight_through_approvals(*, since: datetime, until: datetime) -> QuerySet:
    """Claims approved automatically (straight through) in [since, until), still approved or paid, for risk's
    post-audit draw: (id, league, county, benefit) rows, one query, unscoped (the draw is the province's)."""
    return (Claim.objects.filter(straight_through=True, status__in=workflow.DECIDED_STATUSES, approved_at__gte=since,
                                 approved_at__lt=until)
            .values_list("pk", "league_id", "county_id", "benefit_amount").order_by("pk"))


# The phone's coverages: a paid one, in its year or after it until the claim deadline.
CLAIMABLE_STANDINGS = ("active", "expired")


def claimable_coverages(worker_id: int, *, today: date) -> list:
    """The worker's own coverages she may still claim on today (paid, and the claim deadline not passed)."""
    return [own for own in enrollment_queries.own_coverages(worker_id, today=today)
            if own.standing in CLAIMABLE_STANDINGS and today <= claim_deadline(own.coverage.plan_year.terms)]


def voided_invoices() -> QuerySet:
    """The voided and red-flushed invoices on the imported lists, latest first (province-wide reference data)."""
    return VoidedInvoice.objects.order_by("-imported_at", "code", "number")


def reading_corrections_of(claims: QuerySet[Claim]) -> QuerySet:
    """(claim id, kind, corrections) of the documents the claims were filled from: the risk check's input."""
    return ClaimReading.objects.filter(claim__in=claims).order_by("claim_id", "pk").values_list(
        "claim_id", "kind", "corrections")


def readings_of(claim: Claim) -> QuerySet:
    return ClaimReading.objects.filter(claim=claim).order_by("pk")


def reading_accuracy() -> dict[str, dict[str, int]]:
    """Per field, over every document read into a filed claim: proposed, and kept as read (not corrected)."""
    figures: dict[str, dict[str, int]] = {}
    for fields, corrections in ClaimReading.objects.values_list("fields", "corrections").iterator(chunk_size=2000):
        for name in fields:
            if name in rules.READING_COMPARED_FIELDS:
                row = figures.setdefault(name, {"proposed": 0, "kept": 0})
                row["proposed"] += 1
                row["kept"] += name not in corrections
    return dict(sorted(figures.items()))


def required_documents_by_type(year: int) -> tuple[dict[str, list[str]], list[str]]:
    """The kinds this year's terms require per claim type, and the deceased-worker extras: the desk form's live
    checklist (a type whose plan has no terms this year is left out)."""
    by_type: dict[str, list[str]] = {}
    extras: list[str] = []
    for claim_type, plan_code in rules.PLAN_OF_TYPE.items():
        found = plan_queries.plan_year(plan_code, year)
        if found is None:
            continue
        by_type[claim_type] = list(rules.required_documents(found.terms, claim_type, deceased=False))
        extras = list(found.terms.documents.deceased_extra)
    return by_type, extras


# --- Service levels (reports) and the 工作台's counts -------------------------------------------------
# The decision is the move into approved or rejected as the history records it (decided_at is the benefit's
# calculation time, which a refusal does not change).

def _last_move_into(statuses: Sequence[str]) -> Subquery:
    return Subquery(ClaimStatusChange.objects.filter(claim_id=OuterRef("pk"), to_status__in=list(statuses))
                    .order_by("-at", "-id").values("at")[:1])


def claims_decided_between(scope: Scope, *, since: datetime, until: datetime) -> QuerySet[Claim]:
    """Claims approved or refused in [since, until) in scope, each with `decision_at`, `paid_at` (None until paid)
    and `was_sent_back` (ever returned for supplement)."""
    closed = Claim.objects.filter(status__in=workflow.CLOSED_BY_REVIEW_STATUSES, submitted_at__lt=until)
    return (scope.filter(closed).annotate(decision_at=_last_move_into((S.APPROVED, S.REJECTED)))
            .filter(decision_at__gte=since, decision_at__lt=until)
            .annotate(paid_at=_last_move_into((S.PAID,)), was_sent_back=_ever_sent_back()))


def _changes_in_scope(scope: Scope) -> QuerySet[ClaimStatusChange]:
    return scope.filter(ClaimStatusChange.objects.all(), league="claim__league_id", county="claim__county_id",
                        unit="claim__unit_id")


def stays_ended_between(scope: Scope, statuses: Sequence[str], *, since: datetime,
                        until: datetime) -> list[dict]:
    """How long claims in scope stayed in each of `statuses`, for the stays whose next move fell in [since, until):
    {status, entered_on, left_on, left_level, left_kind, stays}, grouped by the local days of entering and leaving
    and by the level and kind (staff, worker, system) of the move that ended the stay."""
    following = (ClaimStatusChange.objects.filter(claim_id=OuterRef("claim_id"))
                 .filter(Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id"))).order_by("at", "id"))
    entered = _changes_in_scope(scope).filter(to_status__in=list(statuses), at__lt=until)
    return list(entered.annotate(left_at=Subquery(following.values("at")[:1]),
                                 left_level=Subquery(following.values("level")[:1]),
                                 left_kind=Subquery(following.values("actor_kind")[:1]))
                .filter(left_at__gte=since, left_at__lt=until)
                .values("left_level", "left_kind", status=F("to_status"), entered_on=TruncDate("at"),
                        left_on=TruncDate("left_at"))
                .annotate(stays=Count("id")).order_by())


def intake_and_returns_by_county(scope: Scope, *, since: datetime, until: datetime) -> list[dict]:
    """{county_id, submitted, returned} in scope: claims submitted for the first time, and claims returned for
    supplement (每件计一次), in [since, until)."""
    changes = _changes_in_scope(scope).filter(at__gte=since, at__lt=until).filter(
        Q(action=workflow.Action.SUBMIT) | Q(to_status=S.SUPPLEMENT))
    return list(changes.values(county_id=F("claim__county_id"))
                .annotate(submitted=Count("claim_id", distinct=True, filter=Q(action=workflow.Action.SUBMIT)),
                          returned=Count("claim_id", distinct=True, filter=Q(to_status=S.SUPPLEMENT)))
                .order_by())


def open_claims_by_county_and_status(scope: Scope, statuses: Sequence[str], *, today: date) -> list[dict]:
    """{county_id, status, claims, overdue, due_soon} of the claims in scope now in `statuses`: overdue past their
    due date, due soon with DUE_SOON_WORKING_DAYS working days left or fewer (as the queue marks them)."""
    due = due_field(scope)
    return list(scope.filter(Claim.objects.filter(status__in=list(statuses))).values("county_id", "status")
                .annotate(claims=Count("pk"), overdue=Count("pk", filter=Q(**{f"{due}__lt": today})),
                          due_soon=Count("pk", filter=Q(**{f"{due}__gte": today,
                                                           f"{due}__lt": due_soon_before(today)})))
                .order_by())


def overdue_claims_in(scope: Scope, statuses: Sequence[str], *, today: date, limit: int) -> list[Claim]:
    """Claims in scope now in `statuses` past their due date, longest overdue first, with their county and league and
    the last person who moved each (`last_actor_username`, `last_actor_name`; None if only the system or the worker)."""
    people = ClaimStatusChange.objects.filter(claim_id=OuterRef("pk"), actor__isnull=False).order_by("-at", "-id")
    return list(scope.filter(Claim.objects.filter(status__in=list(statuses), due_on__lt=today))
                .select_related("county", "league")
                .annotate(last_actor_username=Subquery(people.values("actor__username")[:1]),
                          last_actor_name=Subquery(people.annotate(
                              full=Concat("actor__last_name", "actor__first_name")).values("full")[:1]))
                .order_by("due_on", "pk")[:limit])
