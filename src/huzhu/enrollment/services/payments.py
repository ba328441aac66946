"""Payments: the county clerk records a unit's contribution; coverages start and get certificates."""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.core.money import format_yuan, parse_money
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger import services as ledger
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear
from huzhu.regions.queries import scope_of

from .. import queries, rules
from ..models import Coverage, Enrollment
from .coverages import activate_coverages, insert_coverages
from .history import refresh_consecutive_years
from .workflow import (
    ENROLLMENT,
    Action,
    S,
    ensure_in_scope,
    refresh_totals,
    transition_enrollment,
    transition_enrollments,
)


def _refuse_payment(enrollment: Enrollment, *, amount: Decimal, bank_reference: str, paid_on: date, today: date,
                    named: bool = False) -> None:
    """What a payment must be, whichever door records it: the due to the fen, a bank serial, a day the terms allow.
    `named` (several at once) puts the unit's name before the amount's and the day's reasons."""
    if amount != enrollment.due_amount:
        message = _("实缴金额%(paid)s元与应缴金额%(due)s元不符") % {
            "paid": format_yuan(amount), "due": format_yuan(enrollment.due_amount)}
        raise ValidationFailed("amount_mismatch", _("%(unit)s：%(problem)s") % {
            "unit": enrollment.unit.name, "problem": message} if named else message, field="amount")
    if not bank_reference:
        raise ValidationFailed("invalid_bank_reference", _("请填写银行流水号"), field="bank_reference")
    problem = rules.payment_problem(enrollment.plan_year.terms, paid_on=paid_on, today=today)
    if problem:
        raise ValidationFailed("invalid_paid_on", _("%(unit)s：%(problem)s") % {
            "unit": enrollment.unit.name, "problem": problem} if named else problem, field="paid_on")


@transaction.atomic
def record_payment(*, actor: Actor, enrollment: Enrollment, amount: Decimal | str, paid_on: date,
                   bank_reference: str, today: date | None = None) -> Enrollment:
    """Record a submitted enrollment's payment; the amount must equal the due (after the union subsidy)."""
    scope = scope_of(actor)
    today = today or timezone.localdate()
    ensure_in_scope(scope, enrollment)
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("plan_year__current_version").get(
        pk=enrollment.pk)
    checked = ENROLLMENT.check(actor=actor, record=enrollment, action=Action.PAY)
    try:
        amount = parse_money(amount)
    except ValueError as exc:
        raise ValidationFailed("invalid_amount", str(exc), field="amount") from exc
    refresh_totals(enrollment)
    bank_reference = bank_reference.strip()
    _refuse_payment(enrollment, amount=amount, bank_reference=bank_reference, paid_on=paid_on, today=today)
    transition_enrollment(enrollment, Action.PAY, actor=actor, checked=checked, paid_amount=amount, paid_on=paid_on,
                          bank_reference=bank_reference[:60])
    activated = activate_coverages(plan_year=enrollment.plan_year, enrollments=[enrollment], paid_on=paid_on)
    # Paid now: the workers' later years (an enrollment made before this one) count this year.
    refresh_consecutive_years(plan_year=enrollment.plan_year, enrollment_ids=[enrollment.pk])
    ledger.post_contribution_paid(actor=actor, plan_year=enrollment.plan_year, enrollment_id=enrollment.pk,
                                  paid_amount=amount, subsidy_amount=enrollment.subsidy_amount, posted_on=paid_on)
    record_event(actor=actor, action="record_payment", object_type="Enrollment", object_id=enrollment.pk,
                 before={"status": S.SUBMITTED},
                 after={"status": S.PAID, "paid_amount": str(amount), "paid_on": paid_on.isoformat(),
                        "bank_reference": bank_reference, "coverages": activated})
    return enrollment


@dataclass(frozen=True)
class PaymentFact:
    """One payment to record: the enrollment, the amount received, the day and the bank's serial."""

    enrollment_id: int
    amount: Decimal
    paid_on: date
    bank_reference: str


@transaction.atomic
def record_payments(*, actor: Actor, payments: Sequence[PaymentFact], today: date | None = None) -> list[Enrollment]:
    """Record many submitted enrollments' payments at once, each as record_payment records one (set-based).

    Each must still be submitted (row-locked, then moved by one conditional UPDATE per payment day)
    and its amount equal its due, recomputed from its live coverages; any refusal refuses them all.
    Coverages start the day after each payment, the consecutive years are kept and the ledger gets
    the same contribution_paid entries a typed payment gets.
    """
    scope = scope_of(actor)
    today = today or timezone.localdate()
    facts = {fact.enrollment_id: fact for fact in payments}
    if len(facts) != len(payments):
        raise ValidationFailed("duplicate_payment", _("同一参互不能在一次确认中缴费两次"), field="lines")
    enrollments = list(Enrollment.objects.select_for_update(of=("self",)).select_related(
        "plan_year__current_version", "unit").filter(pk__in=list(facts)).order_by("pk"))
    if len(enrollments) != len(facts):
        raise NotFound()
    headcounts = dict(Coverage.objects.filter(enrollment_id__in=list(facts)).exclude(
        status=Coverage.Status.CANCELLED).values("enrollment_id").annotate(n=Count("pk")).values_list("enrollment_id", "n"))
    for enrollment in enrollments:
        ensure_in_scope(scope, enrollment)
        ENROLLMENT.check(actor=actor, record=enrollment, action=Action.PAY)
        fact = facts[enrollment.pk]
        due = rules.contribution_due(enrollment.plan_year.terms, headcounts.get(enrollment.pk, 0))
        enrollment.headcount, enrollment.contribution_amount = due.headcount, due.contribution_amount
        enrollment.subsidy_amount, enrollment.due_amount = due.subsidy_amount, due.due_amount
        _refuse_payment(enrollment, amount=fact.amount, bank_reference=fact.bank_reference.strip(),
                        paid_on=fact.paid_on, today=today, named=True)
    Enrollment.objects.bulk_update(enrollments, ["headcount", "contribution_amount", "subsidy_amount", "due_amount"],
                                   batch_size=1000)
    by_day: dict[date, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_day[facts[enrollment.pk].paid_on].append(enrollment)
    for paid_on, group in sorted(by_day.items()):
        transition_enrollments([e.pk for e in group], S.SUBMITTED, Action.PAY, actor=actor,
                               paid_amount=F("due_amount"), paid_on=paid_on)
    for enrollment in enrollments:
        fact = facts[enrollment.pk]
        enrollment.status, enrollment.paid_amount, enrollment.paid_on = S.PAID, enrollment.due_amount, fact.paid_on
        enrollment.bank_reference = fact.bank_reference.strip()[:60]
    Enrollment.objects.bulk_update(enrollments, ["bank_reference"], batch_size=1000)
    by_year: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_year[enrollment.plan_year_id].append(enrollment)
    activated = 0
    for group in by_year.values():
        plan_year = group[0].plan_year
        for paid_on in sorted({facts[e.pk].paid_on for e in group}):
            activated += activate_coverages(plan_year=plan_year, paid_on=paid_on,
                                            enrollments=[e for e in group if facts[e.pk].paid_on == paid_on])
        refresh_consecutive_years(plan_year=plan_year, enrollment_ids=[e.pk for e in group])
        ledger.post_entries(actor=actor, plan_year=plan_year, drafts=(
            ledger_rules.contribution_paid_draft(e.pk, e.paid_amount, e.subsidy_amount, facts[e.pk].paid_on)
            for e in group))
    record_bulk_event(actor=actor, action="record_payments", object_type="Enrollment", object_ids=list(facts),
                      summary={"enrollments": len(enrollments), "coverages": activated,
                               "amount": format_yuan(sum((e.paid_amount for e in enrollments), Decimal("0.00"))),
                               "first_id": enrollments[0].pk if enrollments else None})
    return enrollments


@dataclass
class EnrollAndPayResult:
    enrollments: list[Enrollment] = field(default_factory=list)
    covered: int = 0
    skipped_ineligible: int = 0
    skipped_already_covered: int = 0
    skipped_below_threshold: int = 0  # people of units left out (leave_out_below_threshold)


@transaction.atomic
def enroll_and_pay(*, actor: Actor, plan_year: PlanYear, batches: Iterable[tuple[MemberUnit, Sequence[int]]],
                   paid_on: date, bank_reference: str = "批量登记缴费", kind: str = Enrollment.Kind.ANNUAL,
                   check_participation: bool = True, leave_out_below_threshold: bool = False,
                   ) -> EnrollAndPayResult:
    """Bulk path for demo data, migrations and tests: many units enrolled and paid through the workflow, set-based.

    `batches` pairs each unit with the ids of its workers to cover. Each unit's enrollment takes
    the steps of the desk, for all units at once: started (the plan year open on `paid_on`), its
    workers added as pending coverages (coverages.insert_coverages, the one write path),
    submitted (annual enrollments must meet the participation threshold, as submit_enrollment:
    a unit below it is refused with the whole call), and paid on `paid_on` (amount = due,
    `bank_reference`): coverages started and numbered (coverages.activate_coverages), consecutive
    years kept, contributions booked. Ineligible workers and workers already covered in this plan
    year are skipped and counted. Queries are per chunk, not per worker or unit.

    `leave_out_below_threshold=True` enrolls only the units that meet the threshold and counts the
    people of the others (the demo: today's roster and declared headcounts decide, so a unit whose
    workers were too young in an early year sits it out). `check_participation=False` is for history loaded as it was recorded (tests of past years, a
    migration): the check counts today's roster, which is not that year's. The demo keeps it.
    """
    terms = plan_year.terms
    ref = rules.age_reference_on(terms, paid_on)
    result = EnrollAndPayResult()
    if plan_year.status != PlanYear.Status.OPEN:
        raise Conflict("plan_year_not_open", _("%(plan_year)s未开放参互") % {"plan_year": plan_year})
    problem = rules.payment_problem(terms, paid_on=paid_on, today=max(paid_on, timezone.localdate()))
    if problem:
        raise ValidationFailed("invalid_paid_on", problem, field="paid_on")
    batches = [(unit, list(dict.fromkeys(ids))) for unit, ids in batches]
    all_ids = [i for _, ids in batches for i in ids]
    people = {}
    for start in range(0, len(all_ids), 5000):
        people.update({pk: (g, b, k) for pk, g, b, k in Worker.objects.filter(pk__in=all_ids[start:start + 5000])
                       .values_list("pk", "gender", "birth_on", "kind")})
    covered = set(queries.live_coverages(plan_year, worker_ids=all_ids))
    chosen: list[tuple[MemberUnit, list[int]]] = []
    for unit, ids in batches:
        keep = []
        for pk in ids:
            if pk in covered:
                result.skipped_already_covered += 1
            elif pk not in people or not rules.is_eligible(rules.Person(*people[pk]), terms.eligibility, ref):
                result.skipped_ineligible += 1
            else:
                keep.append(pk)
                covered.add(pk)
        if keep:
            chosen.append((unit, keep))
    if kind == Enrollment.Kind.ANNUAL and check_participation:
        counts = queries.unit_headcounts(plan_year, {unit: len(ids) for unit, ids in chosen}, on=paid_on)
        below = [(unit, check) for unit, _ids in chosen
                 if not (check := rules.check_participation(terms.participation, counts[unit.pk])).passes]
        if below and leave_out_below_threshold:  # those units do not enroll this year
            left_out = {unit.pk for unit, _check in below}
            result.skipped_below_threshold = sum(len(ids) for unit, ids in chosen if unit.pk in left_out)
            chosen = [(unit, ids) for unit, ids in chosen if unit.pk not in left_out]
        elif below:
            raise ValidationFailed("participation_below_threshold", "；".join(
                _("%(unit)s：%(problem)s") % {"unit": unit.name, "problem": check.message()}
                for unit, check in below[:5]), field="workers")
    # started: drafts (created by nobody's session, as start_enrollment records no creator without a user)
    enrollments = Enrollment.objects.bulk_create([
        Enrollment(unit=unit, plan_year=plan_year, kind=kind, status=S.DRAFT, league_id=unit.league_id,
                   county_id=unit.county_id, created_by=user_of(actor))
        for unit, _ids in chosen], batch_size=1000)
    if any(e.pk is None for e in enrollments):  # SQLite before RETURNING: read the ids back
        enrollments = _read_back(plan_year, kind, [unit for unit, _ids in chosen])
    result.covered = insert_coverages(plan_year=plan_year, rows=(
        (pk, enrollment.pk, unit.pk, unit.league_id, unit.county_id)
        for enrollment, (unit, ids) in zip(enrollments, chosen, strict=True) for pk in ids))
    for enrollment, (_unit, ids) in zip(enrollments, chosen, strict=True):
        due = rules.contribution_due(terms, len(ids))
        enrollment.headcount, enrollment.contribution_amount = due.headcount, due.contribution_amount
        enrollment.subsidy_amount, enrollment.due_amount = due.subsidy_amount, due.due_amount
    Enrollment.objects.bulk_update(enrollments, ["headcount", "contribution_amount", "subsidy_amount", "due_amount"],
                                   batch_size=1000)
    ids = [e.pk for e in enrollments]
    transition_enrollments(ids, S.DRAFT, Action.SUBMIT, actor=actor)
    transition_enrollments(ids, S.SUBMITTED, Action.PAY, actor=actor, paid_amount=F("due_amount"), paid_on=paid_on,
                           bank_reference=bank_reference[:60])
    for enrollment in enrollments:
        enrollment.status, enrollment.paid_amount, enrollment.paid_on = S.PAID, enrollment.due_amount, paid_on
        enrollment.bank_reference = bank_reference[:60]
    activate_coverages(plan_year=plan_year, enrollments=enrollments, paid_on=paid_on)
    result.enrollments = enrollments
    refresh_consecutive_years(plan_year=plan_year, enrollment_ids=ids)
    ledger.post_entries(actor=actor, plan_year=plan_year, drafts=(
        ledger_rules.contribution_paid_draft(e.pk, e.paid_amount, e.subsidy_amount, paid_on) for e in enrollments))
    record_bulk_event(actor=actor, action="enroll_and_pay", object_type="Enrollment",
                      object_ids=ids,
                      summary={"plan_year": plan_year.pk, "units": len(enrollments), "covered": result.covered,
                               "skipped_ineligible": result.skipped_ineligible,
                               "skipped_already_covered": result.skipped_already_covered,
                               "skipped_below_threshold": result.skipped_below_threshold})
    return result


def record_past_enrollments(*, plan_year: PlanYear, headcounts: Sequence[tuple[MemberUnit, int]], paid_on: date
                            ) -> list[Enrollment]:
    """Annual enrollments of a sample history, paid on `paid_on`: one per (unit, headcount), in that order.

    For the synthetic experience (tests, the bench), whose coverages follow with
    coverages.insert_past_coverages and whose contributions it books in the ledger itself: the rows
    hold the headcount and the payment day, not the amounts. Callers hold the transaction.
    """
    return Enrollment.objects.bulk_create([
        Enrollment(unit=unit, plan_year=plan_year, status=S.PAID, league_id=unit.league_id, county_id=unit.county_id,
                   headcount=headcount, paid_on=paid_on) for unit, headcount in headcounts])


def _read_back(plan_year: PlanYear, kind: str, units: list[MemberUnit]) -> list[Enrollment]:
    """The drafts just created for `units`, in their order (the newest draft of each unit)."""
    newest: dict[int, Enrollment] = {}
    unit_ids = [u.pk for u in units]
    for start in range(0, len(unit_ids), 500):
        for enrollment in (Enrollment.objects.filter(plan_year=plan_year, kind=kind, status=S.DRAFT,
                                                     unit_id__in=unit_ids[start:start + 500]).order_by("pk")):
            newest[enrollment.unit_id] = enrollment
    return [newest[pk] for pk in unit_ids]
