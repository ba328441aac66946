"""Payments: the county clerk records a unit's contribution; coverages start and get certificates."""
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from huzhu.audit.services import record_bulk_event, record_event
from huzhu.core.errors import ValidationFailed
from huzhu.core.money import format_yuan, parse_money
from huzhu.core.scopes import Scope
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger import services as ledger
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear

from .. import queries, rules
from ..models import CertificateSequence, Coverage, Enrollment
from .history import refresh_consecutive_years
from .workflow import S, ensure_in_scope, ensure_status, refresh_totals, transition_enrollment


def reserve_certificates(year: int, county_code: str, count: int) -> int:
    """Reserve `count` consecutive certificate numbers for a year and county; returns the first."""
    try:
        with transaction.atomic():
            CertificateSequence.objects.get_or_create(year=year, county_id=county_code)
    except IntegrityError:  # created concurrently; the row now exists
        pass
    sequence = CertificateSequence.objects.select_for_update().get(year=year, county_id=county_code)
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number"])
    return first


def _activate(enrollment: Enrollment, paid_on: date) -> int:
    """Start the enrollment's coverages (day after payment, never before the period) with certificates."""
    terms = enrollment.plan_year.terms
    starts_on = rules.coverage_start(terms, paid_on)
    ids = list(enrollment.coverages.filter(status=Coverage.Status.PENDING).order_by("pk").values_list("pk", flat=True))
    first = reserve_certificates(enrollment.plan_year.year, enrollment.county_id, len(ids))
    rows = [Coverage(pk=pk, status=Coverage.Status.ACTIVE, starts_on=starts_on, ends_on=terms.protection_end_on,
                     certificate_no=rules.certificate_number(enrollment.plan_year.year, enrollment.county_id, first + i))
            for i, pk in enumerate(ids)]
    Coverage.objects.bulk_update(rows, ["status", "starts_on", "ends_on", "certificate_no"], batch_size=1000)
    return len(ids)


@transaction.atomic
def record_payment(*, actor, scope: Scope, enrollment: Enrollment, amount: Decimal | str, paid_on: date,
                   bank_reference: str, today: date | None = None) -> Enrollment:
    """Record a submitted enrollment's payment; the amount must equal the due (after the union subsidy)."""
    today = today or timezone.localdate()
    ensure_in_scope(scope, enrollment)
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("plan_year__current_version").get(
        pk=enrollment.pk)
    ensure_status(enrollment, S.SUBMITTED)
    try:
        amount = parse_money(amount)
    except ValueError as exc:
        raise ValidationFailed("invalid_amount", str(exc), field="amount") from exc
    refresh_totals(enrollment)
    if amount != enrollment.due_amount:
        raise ValidationFailed("amount_mismatch", f"实缴金额{format_yuan(amount)}元与应缴金额"
                               f"{format_yuan(enrollment.due_amount)}元不符", field="amount")
    bank_reference = bank_reference.strip()
    if not bank_reference:
        raise ValidationFailed("invalid_bank_reference", "请填写银行流水号", field="bank_reference")
    problem = rules.payment_problem(enrollment.plan_year.terms, paid_on=paid_on, today=today)
    if problem:
        raise ValidationFailed("invalid_paid_on", problem, field="paid_on")
    transition_enrollment(enrollment, S.PAID, actor=actor, paid_amount=amount, paid_on=paid_on,
                          bank_reference=bank_reference[:60])
    activated = _activate(enrollment, paid_on)
    # Paid now: the workers' later years (an enrollment made before this one) count this year.
    refresh_consecutive_years(plan_year=enrollment.plan_year, enrollment_ids=[enrollment.pk])
    ledger.post_contribution_paid(actor=actor, plan_year=enrollment.plan_year, enrollment_id=enrollment.pk,
                                  paid_amount=amount, subsidy_amount=enrollment.subsidy_amount, posted_on=paid_on)
    record_event(actor=actor, action="record_payment", object_type="Enrollment", object_id=enrollment.pk,
                 before={"status": S.SUBMITTED},
                 after={"status": S.PAID, "paid_amount": str(amount), "paid_on": paid_on.isoformat(),
                        "bank_reference": bank_reference, "coverages": activated})
    return enrollment


@dataclass
class EnrollAndPayResult:
    enrollments: list[Enrollment] = field(default_factory=list)
    covered: int = 0
    skipped_ineligible: int = 0
    skipped_already_covered: int = 0


@transaction.atomic
def enroll_and_pay(*, actor, plan_year: PlanYear, batches: Iterable[tuple[MemberUnit, Sequence[int]]],
                   paid_on: date, bank_reference: str = "批量登记缴费", kind: str = Enrollment.Kind.ANNUAL,
                   ) -> EnrollAndPayResult:
    """Bulk path for demo data, migrations and tests: paid enrollments with active coverages, set-based.

    `batches` pairs each unit with the ids of its workers to cover. For each unit one enrollment
    is created already paid (amount = due, `paid_on`, `bank_reference`), and one active coverage
    per worker with its certificate number, start date (day after payment, never before the
    protection period) and consecutive years (history.consecutive_years_sql, later years recomputed).
    Ineligible workers and workers already covered in this plan year are skipped and counted;
    the participation threshold is not checked (callers choose whom to cover). Queries are per
    chunk, not per worker: about ten per unit plus a few per 5,000 workers.
    """
    terms = plan_year.terms
    ref = rules.age_reference_on(terms, paid_on)
    starts_on = rules.coverage_start(terms, paid_on)
    result = EnrollAndPayResult()
    batches = [(unit, list(dict.fromkeys(ids))) for unit, ids in batches]
    all_ids = [i for _, ids in batches for i in ids]
    people = {}
    for start in range(0, len(all_ids), 5000):
        people.update({pk: (g, b, k) for pk, g, b, k in Worker.objects.filter(pk__in=all_ids[start:start + 5000])
                       .values_list("pk", "gender", "birth_on", "kind")})
    covered = set(queries.live_coverages(plan_year, worker_ids=all_ids))
    chosen: list[tuple[MemberUnit, list[int]]] = []
    per_county: dict[str, int] = defaultdict(int)
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
            per_county[unit.county_id] += len(keep)
    next_number = {county: reserve_certificates(plan_year.year, county, n) for county, n in sorted(per_county.items())}
    enrollments = []
    for unit, ids in chosen:
        due = rules.contribution_due(terms, len(ids))
        enrollments.append(Enrollment(
            unit=unit, plan_year=plan_year, kind=kind, status=S.PAID, league_id=unit.league_id,
            county_id=unit.county_id, headcount=due.headcount, contribution_amount=due.contribution_amount,
            subsidy_amount=due.subsidy_amount, due_amount=due.due_amount, paid_amount=due.due_amount,
            paid_on=paid_on, bank_reference=bank_reference[:60]))
    enrollments = Enrollment.objects.bulk_create(enrollments, batch_size=1000)
    coverages = []
    for enrollment, (unit, ids) in zip(enrollments, chosen, strict=True):
        for pk in ids:
            number = next_number[unit.county_id]
            next_number[unit.county_id] += 1
            coverages.append(Coverage(
                worker_id=pk, plan_year=plan_year, unit=unit, enrollment=enrollment, league_id=unit.league_id,
                county_id=unit.county_id, status=Coverage.Status.ACTIVE,
                certificate_no=rules.certificate_number(plan_year.year, unit.county_id, number),
                starts_on=starts_on, ends_on=terms.protection_end_on, contribution_amount=terms.contribution_amount,
                subsidy_amount=terms.subsidy_amount))
            if len(coverages) >= 5000:
                Coverage.objects.bulk_create(coverages)
                result.covered += len(coverages)
                coverages = []
    Coverage.objects.bulk_create(coverages)
    result.covered += len(coverages)
    result.enrollments = enrollments
    refresh_consecutive_years(plan_year=plan_year, enrollment_ids=[e.pk for e in enrollments])
    ledger.post_entries(actor=actor, plan_year=plan_year, drafts=(
        ledger_rules.contribution_paid_draft(e.pk, e.paid_amount, e.subsidy_amount, paid_on) for e in enrollments))
    record_bulk_event(actor=actor, action="enroll_and_pay", object_type="Enrollment",
                      object_ids=[e.pk for e in enrollments],
                      summary={"plan_year": plan_year.pk, "units": len(enrollments), "covered": result.covered,
                               "skipped_ineligible": result.skipped_ineligible,
                               "skipped_already_covered": result.skipped_already_covered})
    return result
