"""Reads of enrollments and coverages, always filtered by the actor's region scope.

The door other apps use (they never import enrollment.models). The roster import's reads (jobs,
staged rows and their conflicts) are enrollment's own, in queries/imports.py.
"""
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.core.params import parse_integer
from huzhu.core.scopes import Scope
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.queries import EntrySource
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear

from .. import rules
from ..models import Coverage, Enrollment

# The values other apps filter on by name (they never import enrollment.models; see pyproject.toml).
ENROLLMENT_PAID = Enrollment.Status.PAID
ENROLLMENT_ANNUAL = Enrollment.Kind.ANNUAL
COVERAGE_ACTIVE = Coverage.Status.ACTIVE


def enrollments_in_scope(scope: Scope) -> QuerySet[Enrollment]:
    """Enrollments the scope may see, newest first."""
    qs = Enrollment.objects.select_related("unit", "plan_year__plan", "county")
    return scope.filter(qs).order_by("-created_at", "-pk")


def enrollment_for(scope: Scope, pk: int) -> Enrollment:
    """One enrollment inside the scope, or 404."""
    return get_object_or_404(enrollments_in_scope(scope).select_related("plan_year__current_version"), pk=pk)


def coverages_of(enrollment: Enrollment) -> QuerySet[Coverage]:
    """The enrollment's coverages with their workers, by name."""
    return (enrollment.coverages.exclude(status=Coverage.Status.CANCELLED)
            .select_related("worker").order_by("worker__name", "pk"))


def coverages_in_scope(scope: Scope) -> QuerySet[Coverage]:
    return scope.filter(Coverage.objects.select_related("worker", "unit", "plan_year__plan"))


def active_coverages_of(scope: Scope, plan_year: PlanYear) -> QuerySet[Coverage]:
    """The plan year's active coverages in scope (other apps count and sum coverages through these)."""
    return scope.filter(Coverage.objects.filter(plan_year=plan_year, status=Coverage.Status.ACTIVE))


def active_coverages_of_years(plan_year_ids: Iterable[int], *, unit_id: int | None = None) -> QuerySet[Coverage]:
    """Active coverages of the plan years (of one unit if given), unscoped: summary tables."""
    coverages = Coverage.objects.filter(status=Coverage.Status.ACTIVE, plan_year_id__in=list(plan_year_ids))
    return coverages.filter(unit_id=unit_id) if unit_id is not None else coverages


def active_coverages_of_year(year: int) -> QuerySet[Coverage]:
    """Active coverages of every plan of a calendar plan year, unscoped: the risk scan's unit figures."""
    return Coverage.objects.filter(plan_year__year=year, status=Coverage.Status.ACTIVE)


def previous_plan_year(plan_year: PlanYear) -> PlanYear | None:
    return PlanYear.objects.filter(plan_id=plan_year.plan_id, year=plan_year.year - 1).first()


def last_year_coverages(plan_year: PlanYear) -> QuerySet[Coverage]:
    """Active coverages of the same plan's year before, unscoped (none in a plan's first year)."""
    previous = previous_plan_year(plan_year)
    if previous is None:
        return Coverage.objects.none()
    return Coverage.objects.filter(plan_year=previous, status=Coverage.Status.ACTIVE)


def paid_enrollments(plan_year: PlanYear, *, paid_to: date | None = None) -> QuerySet[Enrollment]:
    """Paid enrollments of the plan year (paid on or before `paid_to` if given), unscoped."""
    paid = Enrollment.objects.filter(plan_year=plan_year, status=Enrollment.Status.PAID)
    return paid.filter(paid_on__lte=paid_to) if paid_to is not None else paid


def enrollments_of_year(plan_year: PlanYear, *, status: str) -> QuerySet[Enrollment]:
    """The plan year's enrollments in one status ("draft", "submitted", …) with their units, oldest first, unscoped."""
    return Enrollment.objects.filter(plan_year=plan_year, status=status).select_related("unit").order_by("pk")


def enrollments_in_progress(plan_year: PlanYear) -> QuerySet[Enrollment]:
    """Enrollments of the plan year started and not yet paid (draft or submitted), unscoped."""
    return Enrollment.objects.filter(plan_year=plan_year,
                                     status__in=[Enrollment.Status.DRAFT, Enrollment.Status.SUBMITTED])


def has_enrollments(plan_year: PlanYear) -> bool:
    """Whether any enrollment of the plan year exists, in any status."""
    return Enrollment.objects.filter(plan_year=plan_year).exists()


def annual_enrollment_of(plan_year: PlanYear, unit: MemberUnit) -> Enrollment | None:
    """The unit's annual enrollment of the plan year that is not cancelled, if any."""
    return (Enrollment.objects.filter(plan_year=plan_year, unit=unit, kind=Enrollment.Kind.ANNUAL)
            .exclude(status=Enrollment.Status.CANCELLED).first())


def coverage_covering(worker_id: int, plan_code: str, day: date) -> Coverage | None:
    """The worker's coverage (not cancelled) in the plan year whose protection period holds `day` (DOMAIN.md)."""
    candidates = (Coverage.objects.select_related("plan_year__current_version")
                  .filter(worker_id=worker_id, plan_year__plan_id=plan_code, plan_year__year__in=(day.year - 1, day.year))
                  .exclude(status=Coverage.Status.CANCELLED))
    for coverage in candidates:
        if coverage.plan_year.current_version and coverage.plan_year.terms.covers(day):
            return coverage
    return None


def coverages_by_id(ids: Iterable[int]) -> dict[int, Coverage]:
    """Coverages by id with their plan years and current terms, in one query (claims made from data in a batch)."""
    return Coverage.objects.select_related("plan_year__current_version").in_bulk(set(ids))


def locked_coverage(pk: int) -> Coverage:
    """One coverage row under FOR UPDATE (a claim's annual cap: approvals of one coverage queue here)."""
    return Coverage.objects.select_for_update().get(pk=pk)


def active_coverage_ids(plan_year: PlanYear) -> Iterator[int]:
    """Ids of the plan year's active coverages in id order, streamed (the demo draws its claims from them)."""
    return (Coverage.objects.filter(plan_year=plan_year, status=Coverage.Status.ACTIVE).order_by("pk")
            .values_list("pk", flat=True).iterator(chunk_size=50_000))


def coverage_facts(ids: Iterable[int]) -> list[tuple]:
    """(pk, worker, unit, league, county, consecutive years, starts, ends, left, gender, birth, kind) of each coverage."""
    return list(Coverage.objects.filter(pk__in=list(ids)).values_list(
        "pk", "worker_id", "unit_id", "league_id", "county_id", "consecutive_years", "starts_on", "ends_on", "left_on",
        "worker__gender", "worker__birth_on", "worker__kind"))


@dataclass(frozen=True)
class CoveredElsewhere:
    worker_id: int
    worker_name: str
    masked: str
    unit_id: int
    unit_name: str
    enrollment_id: int
    certificate_no: str | None


def live_coverages(plan_year: PlanYear, *, worker_ids: Iterable[int] = (), indexes: Iterable[str] = ()
                   ) -> dict[object, CoveredElsewhere]:
    """Non-cancelled coverages of the plan year by worker id or blind index (chunked look-ups)."""
    found: dict[object, CoveredElsewhere] = {}
    fields = ("worker_id", "worker__name", "worker__id_number_masked", "unit_id", "unit__name",
              "enrollment_id", "certificate_no", "worker__id_number_index")
    base = Coverage.objects.filter(plan_year=plan_year).exclude(status=Coverage.Status.CANCELLED)
    for key, values in (("worker_id__in", list(worker_ids)), ("worker__id_number_index__in", list(indexes))):
        for start in range(0, len(values), 5000):
            for row in base.filter(**{key: values[start:start + 5000]}).values_list(*fields):
                hit = CoveredElsewhere(*row[:7])
                found[row[0] if key == "worker_id__in" else row[7]] = hit
    return found


def headcounts_for(enrollment: Enrollment) -> rules.Headcounts:
    """The unit's staff and female staff (declared or on the roster, whichever is larger) and enrolled."""
    # The business day the enrollment was started, in Asia/Shanghai (created_at is stored in UTC).
    started_on = timezone.localdate(enrollment.created_at) if enrollment.created_at else timezone.localdate()
    enrolled = enrollment.coverages.exclude(status=Coverage.Status.CANCELLED).count()
    return unit_headcounts(enrollment.plan_year, {enrollment.unit: enrolled}, on=started_on)[enrollment.unit.pk]


def unit_headcounts(plan_year: PlanYear, enrolled: dict[MemberUnit, int], *, on: date) -> dict[int, rules.Headcounts]:
    """headcounts_for many units at once (`enrolled` = people enrolled per unit), by unit id: one
    roster query per 500 units, ages measured as for an enrollment started on `on`."""
    terms = plan_year.terms
    ref = rules.age_reference_on(terms, on)
    staff: dict[int, int] = defaultdict(int)
    female: dict[int, int] = defaultdict(int)
    units = sorted(enrolled, key=lambda u: u.pk)
    for start in range(0, len(units), 500):
        roster = (Worker.objects.filter(unit_id__in=[u.pk for u in units[start:start + 500]])
                  .values_list("unit_id", "gender", "birth_on", "kind"))
        for unit_id, gender, birth_on, kind in roster.iterator(chunk_size=5000):
            person = rules.Person(gender=gender, birth_on=birth_on, kind=kind)
            eligible = rules.is_eligible(person, terms.eligibility, ref)
            if eligible or terms.participation.basis == "female":
                staff[unit_id] += 1
            if gender == "F" and eligible:
                female[unit_id] += 1
    return {unit.pk: rules.Headcounts(staff=max(staff[unit.pk], unit.eligible_headcount),
                                      female=max(female[unit.pk], unit.female_headcount), enrolled=count)
            for unit, count in enrolled.items()}


def participation_for(enrollment: Enrollment) -> rules.ParticipationCheck:
    """The participation verdict of an enrollment against its plan year's threshold."""
    return rules.check_participation(enrollment.plan_year.terms.participation, headcounts_for(enrollment))


@dataclass(frozen=True)
class Candidate:
    worker: Worker
    reason: str | None  # why the worker cannot be added; None = may be added
    in_enrollment: bool


def roster_candidates(enrollment: Enrollment, *, on: date) -> list[Candidate]:
    """The unit's roster with, for each worker, whether they are in this enrollment or why they cannot be."""
    terms = enrollment.plan_year.terms
    workers = list(Worker.objects.filter(unit=enrollment.unit).order_by("name", "pk"))
    covered = live_coverages(enrollment.plan_year, worker_ids=[w.pk for w in workers])
    result = []
    ref = rules.age_reference_on(terms, on)
    for worker in workers:
        hit = covered.get(worker.pk)
        if hit and hit.enrollment_id == enrollment.pk:
            result.append(Candidate(worker, None, True))
            continue
        if hit:
            where = "本单位" if hit.unit_id == enrollment.unit_id else f"“{hit.unit_name}”"
            result.append(Candidate(worker, f"已在{where}参加本年度", False))
            continue
        reason = rules.ineligibility_reason(rules.Person(worker.gender, worker.birth_on, worker.kind),
                                            terms.eligibility, ref)
        result.append(Candidate(worker, reason, False))
    return result


@dataclass(frozen=True)
class RenewalPreview:
    unit: MemberUnit
    plan_year: PlanYear
    previous: PlanYear | None
    diff: rules.RenewalDiff
    workers: dict[int, Worker]

    def people(self, ids: Iterable[int]) -> list[Worker]:
        return [self.workers[i] for i in ids]

    @property
    def kept_workers(self) -> list[Worker]:
        return self.people(self.diff.kept)

    @property
    def joined_workers(self) -> list[Worker]:
        return self.people(self.diff.joined)

    @property
    def left_workers(self) -> list[Worker]:
        return self.people(self.diff.left)

    @property
    def changed_workers(self) -> list[tuple[Worker, str]]:
        return [(self.workers[i], reason) for i, reason in self.diff.changed]


def renewal_preview(unit: MemberUnit, plan_year: PlanYear, *, on: date) -> RenewalPreview:
    """Last year's covered workers of the unit against today's roster: kept, joined, left, changed."""
    previous = previous_plan_year(plan_year)
    last_ids = list(Coverage.objects.filter(plan_year=previous, unit=unit, status=Coverage.Status.ACTIVE)
                    .values_list("worker_id", flat=True)) if previous else []
    roster = list(Worker.objects.filter(unit=unit))
    terms = plan_year.terms
    ref = rules.age_reference_on(terms, on)
    covered = live_coverages(plan_year, worker_ids=[w.pk for w in roster])
    blocked = {}
    for worker in roster:
        hit = covered.get(worker.pk)
        if hit:
            blocked[worker.pk] = f"本年度已在“{hit.unit_name}”参互"
            continue
        reason = rules.ineligibility_reason(rules.Person(worker.gender, worker.birth_on, worker.kind),
                                            terms.eligibility, ref)
        if reason:
            blocked[worker.pk] = reason
    diff = rules.renewal_diff(last_year=last_ids, roster=[w.pk for w in roster], blocked=blocked)
    workers = {w.pk: w for w in roster}
    workers.update({w.pk: w for w in Worker.objects.filter(pk__in=diff.left)})
    return RenewalPreview(unit, plan_year, previous, diff, workers)


def coverages_of_worker(worker_id: int) -> QuerySet[Coverage]:
    """A worker's own coverages (not cancelled), newest plan year first."""
    return (Coverage.objects.filter(worker_id=worker_id).exclude(status=Coverage.Status.CANCELLED)
            .select_related("worker", "plan_year__plan", "unit").order_by("-plan_year__year", "plan_year__plan_id", "pk"))


@dataclass(frozen=True)
class OwnCoverage:
    """One of a worker's coverages with where it stands today (what her pages show as its status)."""

    coverage: Coverage
    standing: str

    @property
    def standing_label(self) -> str:
        return str(Coverage.Standing(self.standing).label)

    @property
    def has_certificate(self) -> bool:
        return bool(self.coverage.certificate_no) and self.standing != Coverage.Standing.PENDING


def own_coverages(worker_id: int, *, today: date | None = None) -> list[OwnCoverage]:
    """The worker's coverages, newest year first, each with its standing on `today` (default: today)."""
    today = today or timezone.localdate()
    return [OwnCoverage(c, rules.coverage_standing(status=c.status, starts_on=c.starts_on, ends_on=c.ends_on,
                                                   today=today))
            for c in coverages_of_worker(worker_id)]


def own_coverage(worker_id: int, pk: int, *, today: date | None = None) -> OwnCoverage:
    """One of the worker's own coverages, or 404 (someone else's is "not found" too)."""
    coverage = get_object_or_404(coverages_of_worker(worker_id).select_related("enrollment"), pk=pk)
    today = today or timezone.localdate()
    return OwnCoverage(coverage, rules.coverage_standing(status=coverage.status, starts_on=coverage.starts_on,
                                                         ends_on=coverage.ends_on, today=today))


def coverages_of_worker_in_scope(scope: Scope, worker_id: int, *, today: date | None = None) -> list[OwnCoverage]:
    """A worker's coverages the scope may see (cancelled ones too, marked), newest year first, with their standing."""
    today = today or timezone.localdate()
    coverages = (coverages_in_scope(scope).filter(worker_id=worker_id).select_related("enrollment")
                 .order_by("-plan_year__year", "plan_year__plan_id", "-pk"))
    return [OwnCoverage(c, rules.coverage_standing(status=c.status, starts_on=c.starts_on, ends_on=c.ends_on,
                                                   today=today))
            for c in coverages]


def enrollments_of_unit(scope: Scope, unit_id: int) -> QuerySet[Enrollment]:
    """A unit's enrollments inside the scope, newest plan year first."""
    return enrollments_in_scope(scope).filter(unit_id=unit_id).order_by("-plan_year__year", "-created_at", "-pk")


def payments_of_unit(scope: Scope, unit_id: int) -> QuerySet[Enrollment]:
    """A unit's paid enrollments (each payment: date, amount, bank reference), newest first."""
    return enrollments_of_unit(scope, unit_id).filter(paid_on__isnull=False).order_by("-paid_on", "-pk")


def coverage_by_certificate_no(certificate_no: str) -> Coverage | None:
    """The numbered, not cancelled coverage with this certificate number (the public check)."""
    return (Coverage.objects.filter(certificate_no=certificate_no).exclude(status=Coverage.Status.CANCELLED)
            .select_related("worker", "plan_year__plan").first())


def open_plan_years_for_enrollment() -> QuerySet[PlanYear]:
    return PlanYear.objects.filter(status=PlanYear.Status.OPEN).select_related("plan", "current_version")


def enrollable_plan_years(*, on: date) -> list[PlanYear]:
    """Open plan years whose protection period has not ended by `on` (enrollment refuses the others),
    the running year first: the picker's default."""
    years = open_plan_years_for_enrollment().filter(current_version__isnull=False).order_by("year", "plan_id")
    return [plan_year for plan_year in years if on < plan_year.terms.protection_end_on]


def search_enrollments(scope: Scope, *, plan_year_id: int | None = None, status: str = "", text: str = "",
                       county_code: str = "") -> QuerySet[Enrollment]:
    """Enrollments in scope, newest first, filtered by plan year, status, unit name fragment and county."""
    qs = enrollments_in_scope(scope)
    if plan_year_id:
        qs = qs.filter(plan_year_id=plan_year_id)
    if status:
        qs = qs.filter(status=status)
    if county_code:
        qs = qs.filter(county_id=county_code)
    if text.strip():
        qs = qs.filter(unit__name__icontains=text.strip())
    return qs


def unearned_contributions(plan_year: PlanYear, *, on: date, scope: Scope | None = None) -> Decimal:
    """Contributions of the plan year's paid coverages not yet earned at the end of `on` (1/365 of what is left)."""
    terms = plan_year.terms
    coverages = Coverage.objects.filter(plan_year=plan_year, status=Coverage.Status.ACTIVE)
    groups = ((scope.filter(coverages) if scope else coverages)
              .values_list("starts_on", "ends_on", "contribution_amount").annotate(people=Count("pk")).order_by())
    # DOMAIN: a coverage runs from the day after payment (never before the period) to the period's end
    return ledger_rules.unearned_amount(((amount * people, max(starts_on or terms.protection_start_on,
                                                        terms.protection_start_on),
                                   ends_on or terms.protection_end_on)
                                  for starts_on, ends_on, amount, people in groups), on=on)


def ledger_sources(scope: Scope, cause_ids: list[str]) -> dict[str, EntrySource]:
    """The enrollments behind contribution entries: the unit's payment and its bank reference (流水号)."""
    ids = [pk for pk in (parse_integer(text, minimum=1) for text in cause_ids) if pk]
    visible = set(enrollments_in_scope(scope).filter(pk__in=ids).values_list("pk", flat=True))
    rows = Enrollment.objects.filter(pk__in=ids).values_list("pk", "bank_reference", "unit__name", "league__name")
    return {str(pk): EntrySource(((_("参互缴费 #%(number)s") % {"number": pk},
                                   reverse("enrollment:detail", args=[pk]) if pk in visible else ""),),
                                 bank_reference=bank_reference, unit=unit, league=league)
            for pk, bank_reference, unit, league in rows}


@dataclass(frozen=True)
class HeldCoverage:
    """A paid coverage of a worker in a plan, for matching a dated event to it (settlements)."""

    coverage_id: int
    worker_id: int
    plan_code: str
    plan_year_id: int
    league_id: str
    county_id: str


def active_coverages_of_workers(worker_ids: Iterable[int], plan_codes: Iterable[str]) -> list[HeldCoverage]:
    """The active coverages of these workers in these plans, any year (the caller picks the one holding a date)."""
    ids, codes = list(set(worker_ids)), list(plan_codes)
    found: list[HeldCoverage] = []
    for start in range(0, len(ids), 5000):
        found += [HeldCoverage(*row) for row in Coverage.objects.filter(
            worker_id__in=ids[start:start + 5000], plan_year__plan_id__in=codes, status=Coverage.Status.ACTIVE)
            .values_list("pk", "worker_id", "plan_year__plan_id", "plan_year_id", "league_id", "county_id")]
    return found
