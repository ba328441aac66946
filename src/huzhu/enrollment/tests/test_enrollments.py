"""Enrollment workflow: start, pick workers, participation, duplicates across units, renewal, leavers."""
from datetime import date

import pytest

from huzhu.conftest import make_unit, make_worker
from huzhu.core.actors import SystemActor
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.core.scopes import Scope
from huzhu.enrollment import queries, services
from huzhu.enrollment.models import Coverage, Enrollment
from huzhu.members.models import MemberUnit

from .conftest import IN_WINDOW, staff_unit


def start(unit, plan_year, scope, today=IN_WINDOW):
    return services.start_enrollment(actor=SystemActor(scope), unit=unit, plan_year=plan_year, today=today)


def test_a_unit_of_twenty_cannot_submit_with_fifteen_and_is_told_the_shortfall(hospitalization_2026, system_scope):
    unit, workers = staff_unit(20)
    enrollment = start(unit, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment,
                         worker_ids=[w.pk for w in workers[:15]], today=IN_WINDOW)
    with pytest.raises(ValidationFailed) as caught:
        services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment)
    assert caught.value.message == "参互率75.0%（15/20人）低于要求的80%：至少须16人参互，还差1人"
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[workers[15].pk],
                         today=IN_WINDOW)
    submitted = services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment)
    assert submitted.status == Enrollment.Status.SUBMITTED
    assert (submitted.headcount, str(submitted.due_amount), str(submitted.subsidy_amount)) == (16, "1440.00", "160.00")


def test_a_small_unit_must_enroll_everybody(hospitalization_2026, system_scope):
    unit, workers = staff_unit(5)
    enrollment = start(unit, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment,
                         worker_ids=[w.pk for w in workers[:4]], today=IN_WINDOW)
    with pytest.raises(ValidationFailed, match="须全员参互：当前4人，还差1人"):
        services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment)


def test_the_declared_headcount_counts_when_the_roster_is_incomplete(hospitalization_2026, system_scope):
    unit, workers = staff_unit(4)
    MemberUnit.objects.filter(pk=unit.pk).update(eligible_headcount=30)
    unit.refresh_from_db()
    enrollment = start(unit, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[w.pk for w in workers],
                         today=IN_WINDOW)
    assert queries.participation_for(enrollment).shortfall == 20


def test_womens_plan_counts_female_staff_only(women_2026, system_scope):
    unit, workers = staff_unit(12, female=5)
    enrollment = start(unit, women_2026, system_scope)
    with pytest.raises(ValidationFailed, match="仅限女性"):
        services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[workers[-1].pk],
                             today=IN_WINDOW)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment,
                         worker_ids=[w.pk for w in workers[:5]], today=IN_WINDOW)
    check = queries.participation_for(enrollment)
    assert (check.base, check.enrolled, check.passes) == (5, 5, True)


def test_a_worker_covered_by_another_unit_is_refused_naming_the_worker_and_the_unit(hospitalization_2026,
                                                                                      system_scope):
    first, workers = staff_unit(3)
    second = make_unit(name="第二家单位")
    enrollment = start(first, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[workers[0].pk],
                         today=IN_WINDOW)
    # The worker moves to the second unit while the first unit's enrollment holds them.
    services.record_leaving(actor=SystemActor(system_scope), worker=workers[0], left_on=date(2025, 11, 2))
    moved = workers[1]
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[moved.pk],
                         today=IN_WINDOW)
    from huzhu.members.models import Worker
    Worker.objects.filter(pk=moved.pk).update(unit=second)
    other = start(second, hospitalization_2026, system_scope)
    with pytest.raises(Conflict) as caught:
        services.add_workers(actor=SystemActor(system_scope), enrollment=other, worker_ids=[moved.pk], today=IN_WINDOW)
    assert moved.name in caught.value.message and first.name in caught.value.message


def test_a_unit_has_one_annual_enrollment_and_then_mid_year_batches(hospitalization_2026, system_scope):
    unit, workers = staff_unit(2)
    enrollment = start(unit, hospitalization_2026, system_scope)
    with pytest.raises(Conflict, match="年度参互正在办理"):
        start(unit, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[w.pk for w in workers],
                         today=IN_WINDOW)
    services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment)
    services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount="180.00",
                            paid_on=date(2025, 11, 20), bank_reference="B1", today=date(2025, 11, 20))
    later = start(unit, hospitalization_2026, system_scope, today=date(2026, 3, 1))
    assert later.kind == Enrollment.Kind.MID_YEAR


def test_a_unit_contact_cannot_start_an_enrollment_for_another_unit(hospitalization_2026, home_unit, other_unit):
    with pytest.raises(NotFound):
        start(other_unit, hospitalization_2026, Scope("unit", str(home_unit.pk), role="unit"))


def test_enrollment_before_the_window_opens_is_refused(plan_years, home_unit, system_scope):
    with pytest.raises(Conflict, match="开放参互"):
        start(home_unit, plan_years[("hospitalization", 2027)], system_scope, today=date(2026, 6, 1))


def test_cancelling_frees_the_workers_for_another_unit(hospitalization_2026, system_scope):
    unit, workers = staff_unit(1)
    enrollment = start(unit, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[workers[0].pk],
                         today=IN_WINDOW)
    services.cancel_enrollment(actor=SystemActor(system_scope), enrollment=enrollment, reason="填错了")
    assert not Coverage.objects.exclude(status=Coverage.Status.CANCELLED).exists()
    assert enrollment.status_changes.last().to_status == Enrollment.Status.CANCELLED


def test_renewal_carries_last_years_workers_and_shows_who_joined_left_and_changed(plan_years, system_scope):
    last_year, this_year = plan_years[("hospitalization", 2025)], plan_years[("hospitalization", 2026)]
    unit, workers = staff_unit(4)
    services.enroll_and_pay(actor=None, plan_year=last_year, batches=[(unit, [w.pk for w in workers])],
                            paid_on=date(2024, 11, 1))
    services.record_leaving(actor=SystemActor(system_scope), worker=workers[0], left_on=date(2025, 6, 30))
    newcomer = make_worker(unit, name="新来的")
    retiring = workers[1]
    from huzhu.members.models import Worker
    Worker.objects.filter(pk=retiring.pk).update(birth_on=date(1965, 6, 1))  # 60 by 2026-01-01
    preview = queries.renewal_preview(unit, this_year, on=IN_WINDOW)
    assert [w.pk for w in preview.left_workers] == [workers[0].pk]
    assert [w.pk for w in preview.joined_workers] == [newcomer.pk]
    assert [w.pk for w, _ in preview.changed_workers] == [retiring.pk]
    assert sorted(preview.diff.kept) == sorted([workers[2].pk, workers[3].pk])
    renewal = services.renew_enrollment(actor=SystemActor(system_scope), unit=unit, plan_year=this_year,
                                        today=IN_WINDOW)
    years = dict(renewal.coverages.values_list("worker_id", "consecutive_years"))
    assert years == {workers[2].pk: 2, workers[3].pk: 2, newcomer.pk: 1}
    assert renewal.is_renewal


def test_a_leaver_keeps_coverage_to_the_end_of_the_period(hospitalization_2026, system_scope):
    unit, workers = staff_unit(1)
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, batches=[(unit, [workers[0].pk])],
                            paid_on=date(2025, 11, 1))
    services.record_leaving(actor=SystemActor(system_scope), worker=workers[0], left_on=date(2026, 4, 30))
    coverage = Coverage.objects.get(worker=workers[0])
    assert coverage.left_on == date(2026, 4, 30)
    assert coverage.ends_on == date(2026, 12, 31) and coverage.status == Coverage.Status.ACTIVE
    workers[0].refresh_from_db()
    assert workers[0].unit is None


def test_a_leaver_is_withdrawn_from_an_unpaid_enrollment_and_keeps_the_paid_year_he_left_in(plan_years,
                                                                                             system_scope):
    unit, workers = staff_unit(3)
    leaver = workers[0]
    services.enroll_and_pay(actor=None, plan_year=plan_years[("hospitalization", 2025)],
                            batches=[(unit, [w.pk for w in workers])], paid_on=date(2024, 11, 1))
    renewal = start(unit, plan_years[("hospitalization", 2026)], system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=renewal, worker_ids=[w.pk for w in workers],
                         today=IN_WINDOW)
    services.submit_enrollment(actor=SystemActor(system_scope), enrollment=renewal)
    services.record_leaving(actor=SystemActor(system_scope), worker=leaver, left_on=date(2025, 11, 15))
    paid = Coverage.objects.get(worker=leaver, plan_year__year=2025)
    assert (paid.status, paid.ends_on, paid.left_on) == (Coverage.Status.ACTIVE, date(2025, 12, 31), date(2025, 11, 15))
    unpaid = Coverage.objects.get(worker=leaver, plan_year__year=2026)
    assert unpaid.status == Coverage.Status.CANCELLED
    renewal.refresh_from_db()
    assert (renewal.status, renewal.headcount, str(renewal.due_amount)) == (Enrollment.Status.SUBMITTED, 2, "180.00")
    services.record_payment(actor=SystemActor(system_scope), enrollment=renewal, amount="180.00",
                            paid_on=date(2025, 11, 20), bank_reference="B2", today=date(2025, 11, 20))
    assert not Coverage.objects.filter(worker=leaver, plan_year__year=2026, status=Coverage.Status.ACTIVE).exists()


def test_a_submitted_enrollment_whose_only_worker_leaves_is_cancelled(hospitalization_2026, system_scope):
    unit, workers = staff_unit(1)
    enrollment = start(unit, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[workers[0].pk],
                         today=IN_WINDOW)
    services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment)
    services.record_leaving(actor=SystemActor(system_scope), worker=workers[0], left_on=date(2025, 11, 15))
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.headcount, str(enrollment.due_amount)) == (
        Enrollment.Status.CANCELLED, 0, "0.00")


def years_of(worker) -> dict[int, int]:
    return dict(Coverage.objects.filter(worker=worker).exclude(status=Coverage.Status.CANCELLED)
                .values_list("plan_year__year", "consecutive_years"))


def test_paying_an_earlier_year_added_after_next_years_enrollment_makes_next_year_the_third(plan_years,
                                                                                          system_scope):
    unit, (worker,) = staff_unit(1)
    services.enroll_and_pay(actor=None, plan_year=plan_years[("hospitalization", 2025)], batches=[(unit, [worker.pk])],
                            paid_on=date(2024, 11, 1))

    def enroll(year, on):
        enrollment = start(unit, plan_years[("hospitalization", year)], system_scope, today=on)
        services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[worker.pk], today=on)
        services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment)
        return enrollment

    next_year = enroll(2027, date(2026, 11, 1))
    assert years_of(worker) == {2025: 1, 2027: 1}  # nothing in 2026 yet
    this_year = enroll(2026, date(2026, 11, 2))  # the unit had not enrolled 2026 at all
    assert years_of(worker) == {2025: 1, 2026: 2, 2027: 1}  # 2026 is not paid: 2027 does not count it yet
    services.record_payment(actor=SystemActor(system_scope), enrollment=this_year, amount="90.00",
                            paid_on=date(2026, 11, 2), bank_reference="T1", today=date(2026, 11, 2))
    assert years_of(worker) == {2025: 1, 2026: 2, 2027: 3}
    services.record_payment(actor=SystemActor(system_scope), enrollment=next_year, amount="90.00",
                            paid_on=date(2026, 11, 3), bank_reference="N1", today=date(2026, 11, 3))
    assert years_of(worker) == {2025: 1, 2026: 2, 2027: 3}


def test_a_bulk_enrollment_of_an_earlier_year_recomputes_the_paid_later_years(plan_years, system_scope):
    unit, workers = staff_unit(3)
    ids = [w.pk for w in workers]
    for year, paid_on in ((2025, date(2024, 11, 1)), (2027, date(2026, 11, 1))):
        services.enroll_and_pay(actor=None, check_participation=False, plan_year=plan_years[("hospitalization", year)],
                                batches=[(unit, ids)], paid_on=paid_on)
    services.enroll_and_pay(actor=None, check_participation=False, plan_year=plan_years[("hospitalization", 2026)], batches=[(unit, ids[:2])],
                            paid_on=date(2025, 11, 1))
    assert [years_of(w) for w in workers] == [{2025: 1, 2026: 2, 2027: 3}, {2025: 1, 2026: 2, 2027: 3},
                                              {2025: 1, 2027: 1}]


def test_a_new_hire_is_registered_and_added_to_a_mid_year_batch(hospitalization_2026, system_scope):
    from huzhu.core.idnumbers import make_resident_id

    unit, workers = staff_unit(1)
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, batches=[(unit, [workers[0].pk])],
                            paid_on=date(2025, 11, 1))
    batch = start(unit, hospitalization_2026, system_scope, today=date(2026, 5, 1))
    hire = services.add_new_hire(actor=SystemActor(system_scope), enrollment=batch, name="乌云",
                                 id_number=make_resident_id("150203", date(1995, 5, 5), 22), phone="13900000002",
                                 today=date(2026, 5, 1))
    assert hire.unit_id == unit.pk
    batch.refresh_from_db()
    assert batch.headcount == 1 and str(batch.due_amount) == "90.00"


def test_gig_workers_enroll_through_a_regional_union(hospitalization_2026, system_scope):
    union = make_unit(name="昆区新就业形态区域工会联合会", kind=MemberUnit.Kind.REGIONAL_UNION,
                      eligible_headcount=1, female_headcount=0)
    rider = make_worker(union, name="外卖骑手", kind="gig")
    enrollment = start(union, hospitalization_2026, system_scope)
    services.add_workers(actor=SystemActor(system_scope), enrollment=enrollment, worker_ids=[rider.pk],
                         today=IN_WINDOW)
    assert services.submit_enrollment(actor=SystemActor(system_scope), enrollment=enrollment).headcount == 1
