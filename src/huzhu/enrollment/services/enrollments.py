"""Enrollment workflow writes: start, pick workers, submit, cancel, renew, new hires and leavers."""
from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.members import services as member_services
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear
from huzhu.regions.queries import scope_of

from .. import queries, rules
from ..models import Coverage, Enrollment
from .coverages import insert_coverages
from .workflow import (
    ENROLLMENT,
    Action,
    S,
    ensure_editable,
    ensure_in_scope,
    refresh_totals,
    transition_enrollment,
)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


@transaction.atomic
def start_enrollment(*, actor: Actor, unit: MemberUnit, plan_year: PlanYear, is_renewal: bool = False,
                     today: date | None = None) -> Enrollment:
    """Open a draft enrollment: the annual one if the unit has none yet, else a mid-year batch."""
    scope = scope_of(actor)
    today = _today(today)
    ensure_in_scope(scope, unit)
    if plan_year.status != PlanYear.Status.OPEN:
        raise Conflict("plan_year_not_open", _("%(plan_year)s未开放参互") % {"plan_year": plan_year})
    terms = plan_year.terms
    if today < terms.enrollment_opens_on:
        raise Conflict("enrollment_not_open", _("%(plan_year)s将于%(day)s开放参互") % {
            "plan_year": plan_year, "day": f"{terms.enrollment_opens_on:%Y-%m-%d}"})
    if today >= terms.protection_end_on:
        raise Conflict("period_over", _("%(plan_year)s的保障期已结束") % {"plan_year": plan_year})
    annual = (Enrollment.objects.select_for_update()
              .filter(unit=unit, plan_year=plan_year, kind=Enrollment.Kind.ANNUAL)
              .exclude(status=S.CANCELLED).first())
    if annual is None:
        kind = Enrollment.Kind.ANNUAL
    elif annual.status != S.PAID:
        raise Conflict("annual_in_progress", _("本单位%(plan_year)s的年度参互正在办理（%(status)s），请在其中继续") % {
            "plan_year": plan_year, "status": annual.get_status_display()})
    elif is_renewal:
        raise Conflict("already_enrolled", _("本单位已办理%(plan_year)s的年度参互，新入职职工请办理年中增员") % {
            "plan_year": plan_year})
    elif not terms.mid_year_join:
        raise Conflict("no_mid_year_join", _("%(plan_year)s不接受年中增员") % {"plan_year": plan_year})
    else:
        kind = Enrollment.Kind.MID_YEAR
    if kind == Enrollment.Kind.MID_YEAR and Enrollment.objects.filter(
            unit=unit, plan_year=plan_year, kind=kind, status=S.DRAFT).exists():
        raise Conflict("draft_exists", _("本单位已有一笔未提交的年中增员，请在其中继续"))
    enrollment = Enrollment.objects.create(
        unit=unit, plan_year=plan_year, kind=kind, is_renewal=is_renewal, league_id=unit.league_id,
        county_id=unit.county_id, created_by=user_of(actor))
    record_event(actor=actor, action="start_enrollment", object_type="Enrollment", object_id=enrollment.pk,
                 after={"unit": unit.pk, "plan_year": plan_year.pk, "kind": kind, "renewal": is_renewal})
    return enrollment


def _describe(hit: queries.CoveredElsewhere, enrollment: Enrollment) -> str:
    if hit.enrollment_id == enrollment.pk:
        return f"{hit.worker_name}（{hit.masked}）已在本次参互名单中"
    where = "本单位另一笔参互" if hit.unit_id == enrollment.unit_id else f"“{hit.unit_name}”"
    return f"{hit.worker_name}（{hit.masked}）已在{where}参加{enrollment.plan_year}，同一人每年度只能参互一次"


def _list(problems: list[str], limit: int = 5) -> str:
    more = f"等{len(problems)}人" if len(problems) > limit else ""
    return "；".join(problems[:limit]) + more


@transaction.atomic
def add_workers(*, actor: Actor, enrollment: Enrollment, worker_ids: Iterable[int],
                today: date | None = None) -> int:
    """Add roster workers to a draft enrollment (set-based); refuses naming the workers who cannot join."""
    scope = scope_of(actor)
    today = _today(today)
    ensure_in_scope(scope, enrollment)
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("plan_year__current_version", "unit").get(
        pk=enrollment.pk)
    ensure_editable(enrollment, actor)
    ids = sorted(set(int(i) for i in worker_ids))
    if not ids:
        return 0
    workers = list(Worker.objects.filter(pk__in=ids, unit_id=enrollment.unit_id))
    if len(workers) != len(ids):
        raise ValidationFailed("not_on_roster", _("所选职工中有人不在本单位在职名册中"), field="workers")
    terms = enrollment.plan_year.terms
    ref = rules.age_reference_on(terms, today)
    problems = []
    for worker in workers:
        reason = rules.ineligibility_reason(rules.Person(worker.gender, worker.birth_on, worker.kind),
                                            terms.eligibility, ref)
        if reason:
            problems.append(f"{worker.name}（{worker.id_number_masked}）{reason}")
    if problems:
        raise ValidationFailed("not_eligible", _("不符合参互条件：%(problems)s") % {"problems": _list(problems)}, field="workers")
    covered = queries.live_coverages(enrollment.plan_year, worker_ids=ids)
    if covered:
        raise Conflict("already_covered", _list([_describe(hit, enrollment) for hit in covered.values()]),
                       field="workers")
    unit = enrollment.unit
    try:
        with transaction.atomic():
            insert_coverages(plan_year=enrollment.plan_year, rows=[
                (w.pk, enrollment.pk, unit.pk, unit.league_id, unit.county_id) for w in workers])
    except IntegrityError as exc:  # another unit enrolled one of them at the same moment
        raise Conflict("already_covered", _("所选职工中有人刚刚在其他单位参互，请刷新后重试"), field="workers") from exc
    refresh_totals(enrollment)
    record_event(actor=actor, action="add_workers", object_type="Enrollment", object_id=enrollment.pk,
                 after={"added": len(workers), "headcount": enrollment.headcount})
    return len(workers)


@transaction.atomic
def remove_workers(*, actor: Actor, enrollment: Enrollment, worker_ids: Iterable[int]) -> int:
    """Take workers out of a draft enrollment (their pending coverages are deleted: nothing was paid)."""
    scope = scope_of(actor)
    ensure_in_scope(scope, enrollment)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    ensure_editable(enrollment, actor)
    removed = enrollment.coverages.filter(worker_id__in=list(worker_ids), status=Coverage.Status.PENDING).delete()[0]
    refresh_totals(enrollment)
    record_event(actor=actor, action="remove_workers", object_type="Enrollment", object_id=enrollment.pk,
                 after={"removed": removed, "headcount": enrollment.headcount})
    return removed


@transaction.atomic
def submit_enrollment(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Submit a draft for payment; the annual enrollment must meet the participation threshold."""
    scope = scope_of(actor)
    ensure_in_scope(scope, enrollment)
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("plan_year__current_version", "unit").get(
        pk=enrollment.pk)
    checked = ENROLLMENT.check(actor=actor, record=enrollment, action=Action.SUBMIT)  # the participation guard
    refresh_totals(enrollment)
    transition_enrollment(enrollment, Action.SUBMIT, actor=actor, checked=checked)
    record_event(actor=actor, action="submit_enrollment", object_type="Enrollment", object_id=enrollment.pk,
                 before={"status": S.DRAFT}, after={"status": S.SUBMITTED, "headcount": enrollment.headcount,
                                                    "due_amount": str(enrollment.due_amount)})
    return enrollment


@transaction.atomic
def withdraw_enrollment(*, actor: Actor, enrollment: Enrollment) -> Enrollment:
    """Take a submitted, unpaid enrollment back to draft to change it."""
    scope = scope_of(actor)
    ensure_in_scope(scope, enrollment)
    transition_enrollment(enrollment, Action.WITHDRAW, actor=actor, note="withdrawn")
    record_event(actor=actor, action="withdraw_enrollment", object_type="Enrollment", object_id=enrollment.pk,
                 before={"status": S.SUBMITTED}, after={"status": S.DRAFT})
    return enrollment


@transaction.atomic
def cancel_enrollment(*, actor: Actor, enrollment: Enrollment, reason: str = "") -> Enrollment:
    """Cancel an unpaid enrollment; its coverages are cancelled and free the workers for other units."""
    scope = scope_of(actor)
    ensure_in_scope(scope, enrollment)
    before = enrollment.status
    transition_enrollment(enrollment, Action.CANCEL, actor=actor, note=reason)
    enrollment.coverages.update(status=Coverage.Status.CANCELLED)
    record_event(actor=actor, action="cancel_enrollment", object_type="Enrollment", object_id=enrollment.pk,
                 before={"status": before}, after={"status": S.CANCELLED, "reason": reason})
    return enrollment


@transaction.atomic
def renew_enrollment(*, actor: Actor, unit: MemberUnit, plan_year: PlanYear,
                     today: date | None = None) -> Enrollment:
    """续互 in one action: a draft with last year's covered workers still employed, plus new eligible staff."""
    scope = scope_of(actor)
    today = _today(today)
    ensure_in_scope(scope, unit)
    preview = queries.renewal_preview(unit, plan_year, on=today)
    if preview.previous is None or not (preview.diff.kept or preview.diff.left or preview.diff.changed):
        raise Conflict("nothing_to_renew", _("本单位上一年度没有参加%(plan)s，请办理新参互") % {"plan": plan_year.plan})
    enrollment = start_enrollment(actor=actor, unit=unit, plan_year=plan_year, is_renewal=True,
                                  today=today)
    add_workers(actor=actor, enrollment=enrollment, worker_ids=preview.diff.to_enroll, today=today)
    record_event(actor=actor, action="renew_enrollment", object_type="Enrollment", object_id=enrollment.pk,
                 after={"kept": len(preview.diff.kept), "joined": len(preview.diff.joined),
                        "left": len(preview.diff.left), "changed": len(preview.diff.changed)})
    enrollment.refresh_from_db()
    return enrollment


@transaction.atomic
def add_new_hire(*, actor: Actor, enrollment: Enrollment, name: str, id_number: str, phone: str = "",
                 kind: str = "", started_on: date | None = None, today: date | None = None) -> Worker:
    """Register a new hire at the unit and add them to this draft (mid-year: full fee, covered after payment)."""
    scope = scope_of(actor)
    today = _today(today)
    ensure_in_scope(scope, enrollment)
    ensure_editable(enrollment, actor)
    unit = enrollment.unit
    default_kind = Worker.Kind.GIG if unit.kind in (MemberUnit.Kind.REGIONAL_UNION, MemberUnit.Kind.INDUSTRY_UNION) \
        else Worker.Kind.EMPLOYEE
    worker = member_services.register_worker(actor=actor, unit=unit, name=name, id_number=id_number,
                                             phone=phone, kind=kind or default_kind, started_on=started_on or today,
                                             today=today)
    add_workers(actor=actor, enrollment=enrollment, worker_ids=[worker.pk], today=today)
    return worker


@transaction.atomic
def record_leaving(*, actor: Actor, worker: Worker, left_on: date) -> int:
    """A worker left the unit: employment ends; paid coverage runs to its period's end, unpaid is withdrawn.

    DOMAIN: paid coverage continues to the end of the protection period. The leaving day is noted
    on the paid coverage whose period holds it and changes no coverage dates; a paid coverage of
    another plan year (next year's, paid in the enrollment window) stays whole. The unit is not
    billed for a leaver: a pending coverage leaves its draft, or is withdrawn (cancelled) from a
    submitted, unpaid enrollment, whose due is recomputed. Returns the paid coverages noted.
    """
    unit = worker.unit
    member_services.end_employment(actor=actor, worker=worker, ended_on=left_on)
    pending = Coverage.objects.filter(worker=worker, unit=unit, status=Coverage.Status.PENDING)
    drafts = pending.filter(enrollment__status=S.DRAFT)
    touched = set(drafts.values_list("enrollment_id", flat=True))
    drafts.delete()
    submitted = pending.filter(enrollment__status=S.SUBMITTED)
    withdrawn = set(submitted.values_list("enrollment_id", flat=True))
    submitted.update(status=Coverage.Status.CANCELLED)
    for enrollment in Enrollment.objects.select_related("plan_year__current_version").filter(pk__in=touched | withdrawn):
        refresh_totals(enrollment)
        if enrollment.pk in withdrawn and enrollment.headcount == 0:
            # Nobody is left to pay for: the bill is withdrawn with its last person.
            transition_enrollment(enrollment, Action.CANCEL, actor=actor, note="all workers left")
    marked = (Coverage.objects.filter(worker=worker, unit=unit, status=Coverage.Status.ACTIVE, left_on__isnull=True,
                                      plan_year__in=_plan_years_holding(left_on))
              .update(left_on=left_on))
    record_event(actor=actor, action="record_leaving", object_type="Worker", object_id=worker.pk,
                 after={"unit": unit.pk if unit else None, "left_on": left_on.isoformat(), "coverages": marked,
                        "withdrawn_from": sorted(withdrawn), "dropped_from": sorted(touched)})
    return marked


def _plan_years_holding(day: date) -> list[int]:
    """The plan years whose protection period holds `day` (the terms are data, so read them)."""
    candidates = PlanYear.objects.select_related("current_version").filter(year__in=(day.year - 1, day.year, day.year + 1))
    return [p.pk for p in candidates if p.current_version and p.terms.covers(day)]
