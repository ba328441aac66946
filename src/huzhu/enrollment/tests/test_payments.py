"""Payments: amount must match the due; coverages start per DOMAIN.md and get certificate numbers."""
from datetime import date
from decimal import Decimal

import pytest

from huzhu.core.actors import SystemActor
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.enrollment import services
from huzhu.enrollment.models import Coverage, Enrollment

from .conftest import IN_WINDOW, staff_unit


def submitted(plan_year, scope, count=3, today=IN_WINDOW):
    unit, workers = staff_unit(count)
    enrollment = services.start_enrollment(actor=SystemActor(scope), unit=unit, plan_year=plan_year, today=today)
    services.add_workers(actor=SystemActor(scope), enrollment=enrollment, worker_ids=[w.pk for w in workers],
                         today=today)
    return services.submit_enrollment(actor=SystemActor(scope), enrollment=enrollment)


def test_payment_before_the_period_starts_coverage_on_new_years_day_with_certificates(hospitalization_2026,
                                                                                     system_scope):
    enrollment = submitted(hospitalization_2026, system_scope)
    services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount="270.00",
                            paid_on=date(2025, 11, 20), bank_reference="BOC-001", today=date(2025, 11, 21))
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.PAID and enrollment.paid_amount == Decimal("270.00")
    coverages = list(enrollment.coverages.order_by("certificate_no"))
    assert {c.starts_on for c in coverages} == {date(2026, 1, 1)}
    assert {c.ends_on for c in coverages} == {date(2026, 12, 31)}
    assert [c.certificate_no for c in coverages] == [f"HZ2026-150203-000000{i}" for i in (1, 2, 3)]
    assert {c.status for c in coverages} == {Coverage.Status.ACTIVE}


def test_a_mid_year_join_is_covered_from_the_day_after_payment(hospitalization_2026, system_scope):
    enrollment = submitted(hospitalization_2026, system_scope, count=1, today=date(2026, 3, 1))
    services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount="90.00",
                            paid_on=date(2026, 3, 10), bank_reference="X", today=date(2026, 3, 10))
    assert enrollment.coverages.get().starts_on == date(2026, 3, 11)


def test_certificate_numbers_continue_across_enrollments_of_a_county(hospitalization_2026, system_scope):
    for n, enrollment in enumerate([submitted(hospitalization_2026, system_scope, 2) for _ in range(2)]):
        services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount="180.00",
                                paid_on=date(2025, 11, 20), bank_reference=f"R{n}", today=date(2025, 11, 20))
    numbers = sorted(Coverage.objects.values_list("certificate_no", flat=True))
    assert numbers[-1] == "HZ2026-150203-0000004" and len(set(numbers)) == 4


@pytest.mark.parametrize(("amount", "paid_on", "message"), [
    pytest.param("300.00", date(2025, 11, 20), "与应缴金额270.00元不符", id="amount above the due"),
    pytest.param("abc", date(2025, 11, 20), "金额格式不正确", id="amount not a number"),
    pytest.param("270.00", date(2025, 11, 30), "不能晚于今天", id="payment in the future"),
    pytest.param("270.00", date(2026, 12, 31), "保障期末", id="payment after the period"),
])
def test_a_wrong_payment_is_refused_with_the_reason(hospitalization_2026, system_scope, amount, paid_on, message):
    enrollment = submitted(hospitalization_2026, system_scope)
    today = date(2027, 1, 1) if paid_on.year == 2026 else date(2025, 11, 21)
    with pytest.raises(ValidationFailed, match=message):
        services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount=amount,
                                paid_on=paid_on, bank_reference="R", today=today)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.SUBMITTED


def test_a_paid_enrollment_cannot_be_paid_twice(hospitalization_2026, system_scope):
    enrollment = submitted(hospitalization_2026, system_scope, 1)
    pay = dict(actor=SystemActor(system_scope), amount="90.00", paid_on=date(2025, 11, 20), bank_reference="R",
               today=date(2025, 11, 20))
    services.record_payment(enrollment=enrollment, **pay)
    with pytest.raises(Conflict):
        services.record_payment(enrollment=enrollment, **pay)


def test_enroll_and_pay_covers_many_units_at_once_and_skips_the_ineligible(hospitalization_2026, plan_years):
    units = [staff_unit(3) for _ in range(3)]
    from huzhu.conftest import make_worker

    old = make_worker(units[0][0], birth=date(1950, 1, 1))
    result = services.enroll_and_pay(
        actor=None, plan_year=hospitalization_2026, paid_on=date(2025, 11, 1),
        batches=[(unit, [w.pk for w in workers] + ([old.pk] if i == 0 else [])) for i, (unit, workers) in
                 enumerate(units)])
    assert (result.covered, result.skipped_ineligible, len(result.enrollments)) == (9, 1, 3)
    assert Coverage.objects.filter(status=Coverage.Status.ACTIVE, starts_on=date(2026, 1, 1)).count() == 9
    assert Enrollment.objects.filter(status=Enrollment.Status.PAID, paid_amount=Decimal("270.00")).count() == 3
    again = services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, paid_on=date(2025, 11, 1),
                                    batches=[(units[0][0], [units[0][1][0].pk])])
    assert again.skipped_already_covered == 1


def _balances(plan_year):
    from huzhu.core.scopes import PROVINCE
    from huzhu.ledger.queries import trial_balance

    book = trial_balance(PROVINCE, plan_year)
    assert book.is_balanced
    return {row.account.code: row.balance_amount for row in book.rows}


def test_a_recorded_payment_books_bank_and_union_subsidy_against_contribution_income(hospitalization_2026,
                                                                                    system_scope):
    enrollment = submitted(hospitalization_2026, system_scope)
    services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount="270.00",
                            paid_on=date(2025, 11, 20), bank_reference="BOC-001", today=date(2025, 11, 21))
    balances = _balances(hospitalization_2026)
    assert balances["1002"] == Decimal("270.00")  # bank
    assert balances["1221"] == Decimal("30.00")  # union subsidy receivable: 3 x 10
    assert balances["4101"] + balances["4102"] == Decimal("-300.00")  # income: 3 x 100, credit


def test_enroll_and_pay_books_every_enrollment_once(hospitalization_2026, plan_years):
    units = [staff_unit(2) for _ in range(3)]
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, paid_on=date(2025, 11, 1),
                            batches=[(unit, [w.pk for w in workers]) for unit, workers in units])
    assert _balances(hospitalization_2026)["1002"] == Decimal("540.00")  # 6 x 90


def test_enroll_and_pay_refuses_a_unit_below_the_participation_threshold_and_writes_nothing(hospitalization_2026,
                                                                                         plan_years):
    full, below = staff_unit(3), staff_unit(4)
    with pytest.raises(ValidationFailed) as refused:
        services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, paid_on=date(2025, 11, 1),
                                batches=[(full[0], [w.pk for w in full[1]]), (below[0], [w.pk for w in below[1][:3]])])
    assert refused.value.code == "participation_below_threshold" and below[0].name in str(refused.value)
    assert not Enrollment.objects.exists() and not Coverage.objects.exists()


def test_enroll_and_pay_takes_each_enrollment_through_submitted_to_paid(hospitalization_2026, plan_years):
    from huzhu.enrollment.models import EnrollmentStatusChange

    unit, workers = staff_unit(2)
    (enrollment,) = services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, paid_on=date(2025, 11, 1),
                                            batches=[(unit, [w.pk for w in workers])]).enrollments
    moves = list(EnrollmentStatusChange.objects.filter(enrollment=enrollment).values_list("from_status", "to_status"))
    assert moves == [("draft", "submitted"), ("submitted", "paid")]
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.headcount, enrollment.paid_amount) == ("paid", 2, enrollment.due_amount)
    assert sorted(enrollment.coverages.values_list("certificate_no", flat=True)) == [
        "HZ2026-150203-0000001", "HZ2026-150203-0000002"]


def test_the_desk_and_the_bulk_path_write_the_same_coverage_row(hospitalization_2026, plan_years, system_scope):
    enrollment = submitted(hospitalization_2026, system_scope, count=1)
    services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount="90.00",
                            paid_on=date(2025, 11, 1), bank_reference="BOC-001", today=date(2025, 11, 2))
    unit, (worker,) = staff_unit(1)
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, paid_on=date(2025, 11, 1),
                            batches=[(unit, [worker.pk])])
    fields = ("status", "starts_on", "ends_on", "consecutive_years", "contribution_amount", "subsidy_amount",
              "left_on")
    desk, bulk = (Coverage.objects.filter(enrollment__unit=u).values(*fields).get() for u in (enrollment.unit, unit))
    assert desk == bulk


def test_enroll_and_pay_can_leave_out_the_units_below_the_threshold_and_enroll_the_others(hospitalization_2026,
                                                                                          plan_years):
    full, below = staff_unit(3), staff_unit(4)
    result = services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, paid_on=date(2025, 11, 1),
                                     batches=[(full[0], [w.pk for w in full[1]]),
                                              (below[0], [w.pk for w in below[1][:3]])],
                                     leave_out_below_threshold=True)
    assert (result.covered, result.skipped_below_threshold) == (3, 3)
    assert list(Enrollment.objects.values_list("unit_id", flat=True)) == [full[0].pk]
