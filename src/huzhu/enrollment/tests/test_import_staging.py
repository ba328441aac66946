"""Staged roster rows in bulk: cross-checks against the database, and the set-based import.

These run on SQLite by default and on PostgreSQL with DATABASE_URL (COPY and INSERT … SELECT).
"""
from datetime import date

import pytest

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_unit, make_worker
from huzhu.core.actors import SystemActor
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.enrollment import services
from huzhu.enrollment.models import Coverage, ImportJob
from huzhu.enrollment.queries import imports as import_queries
from huzhu.members import services as member_services
from huzhu.members.models import Employment, Worker
from huzhu.security import key_rotation

from .conftest import IN_WINDOW, xlsx_bytes
from .test_imports import good_rows, run

ALL, VALID_ONLY = ImportJob.Policy.ALL_OR_NOTHING, ImportJob.Policy.VALID_ONLY


def row_of(worker, name=None):
    return (name or worker.name, worker.reveal_id_number(), "", "", "")


def only_error(job):
    (error,) = import_queries.import_errors(job)
    return error


def test_a_registered_worker_under_another_name_is_a_bad_row(draft, system_scope):
    person = make_worker(draft.unit, name="其其格")
    job = run(draft, system_scope, xlsx_bytes([row_of(person, name="其其嘎")]))
    error = only_error(job)
    assert (error.field, error.reason) == ("姓名", "与该身份证号已登记的姓名“其其格”不一致")


def test_a_worker_employed_at_another_unit_is_a_bad_row_naming_that_unit(draft, system_scope):
    person = make_worker(make_unit(name="包头钢铁"), name="阿拉坦")
    job = run(draft, system_scope, xlsx_bytes([row_of(person)]))
    assert "“包头钢铁”在职职工" in only_error(job).reason


def test_a_person_already_in_this_enrollment_is_a_bad_row(draft, system_scope):
    person = make_worker(draft.unit)
    services.add_workers(actor=SystemActor(system_scope), enrollment=draft, worker_ids=[person.pk], today=IN_WINDOW)
    job = run(draft, system_scope, xlsx_bytes([row_of(person)]))
    assert only_error(job).reason == "已在本次参互名单中"


def test_a_person_in_another_enrollment_of_the_same_unit_is_a_bad_row(draft, hospitalization_2026, system_scope):
    person = make_worker(draft.unit)
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, batches=[(draft.unit, [person.pk])],
                            paid_on=date(2025, 11, 1), kind="mid_year")
    job = run(draft, system_scope, xlsx_bytes([row_of(person)]))
    assert "本单位另一笔参互" in only_error(job).reason


def test_bad_rows_keep_only_the_name_and_the_masked_number(draft, system_scope):
    person = make_worker(draft.unit, name="其其格")
    job = run(draft, system_scope, xlsx_bytes([row_of(person, name="别人")]))
    (row,) = job.rows.all()
    assert (row.name, row.id_number_masked) == ("别人", person.id_number_masked)
    assert (row.id_number_index, row.id_number_encrypted, row.birth_on, row.worker_id) == ("", "", None, None)
    assert (row.phone_encrypted, row.phone_index, row.phone_masked) == ("", "", "")


def test_validation_records_the_registered_worker_a_row_names(draft, system_scope):
    person = make_worker(draft.unit)
    newcomer = good_rows(1)[0]
    job = run(draft, system_scope, xlsx_bytes([newcomer, newcomer, row_of(person)]))
    assert dict(job.rows.values_list("row_no", "worker_id")) == {2: None, 3: None, 4: person.pk}


def test_a_worker_of_this_unit_is_enrolled_without_a_second_registration(draft, system_scope):
    person = make_worker(draft.unit)
    employments = Employment.objects.count()
    job = run(draft, system_scope, xlsx_bytes([row_of(person), *good_rows(2)]), policy=ALL)
    assert (job.imported_count, job.new_worker_count) == (3, 2)
    assert Employment.objects.count() == employments + 2
    assert Coverage.objects.filter(enrollment=draft, worker=person).exists()


def test_imported_rows_copy_their_unit_plan_year_and_regions_from_their_source(draft, system_scope):
    """The copies carry no database constraint of their own (docs/scaling.md): the import must get them right."""
    other_county = make_unit(county_code="150205")  # 石拐区: another county, same league
    moved = make_worker(other_county)
    services.record_leaving(actor=SystemActor(system_scope), worker=moved, left_on=date(2025, 10, 1))
    run(draft, system_scope, xlsx_bytes([row_of(moved), *good_rows(3)]), policy=ALL)
    unit = draft.unit
    coverages = Coverage.objects.filter(enrollment=draft)
    assert coverages.count() == 4
    assert set(coverages.values_list("plan_year_id", "unit_id", "league_id", "county_id")) == {
        (draft.plan_year_id, unit.pk, unit.league_id, unit.county_id)}
    workers = Worker.objects.filter(coverages__enrollment=draft)
    assert set(workers.values_list("unit_id", "league_id", "county_id")) == {(unit.pk, unit.league_id, unit.county_id)}
    assert set(Employment.objects.filter(worker__in=workers, ended_on__isnull=True).values_list("unit_id", flat=True)) \
        == {unit.pk}


def test_new_workers_are_employed_from_their_roster_start_date(draft, system_scope):
    rows = [("乌云", good_rows(1)[0][1], "", "", "2019-05-06"), ("苏和", good_rows(2)[1][1], "", "", "")]
    run(draft, system_scope, xlsx_bytes(rows), policy=ALL)
    started = dict(Employment.objects.filter(unit=draft.unit).values_list("worker__name", "started_on"))
    assert started == {"乌云": date(2019, 5, 6), "苏和": IN_WINDOW}


def test_a_worker_who_left_another_unit_is_employed_here_from_the_import_day(draft, system_scope):
    person = make_worker(make_unit(name="原单位"), name="巴雅尔")
    services.record_leaving(actor=SystemActor(system_scope), worker=person, left_on=date(2025, 10, 1))
    run(draft, system_scope, xlsx_bytes([row_of(person)]), policy=ALL)
    employment = Employment.objects.get(worker=person, ended_on__isnull=True)
    assert (employment.unit_id, employment.started_on) == (draft.unit_id, IN_WINDOW)


def test_a_worker_covered_last_year_counts_a_second_consecutive_year(draft, plan_years, system_scope):
    person = make_worker(draft.unit)
    services.enroll_and_pay(actor=None, plan_year=plan_years[("hospitalization", 2025)],
                            batches=[(draft.unit, [person.pk])], paid_on=date(2024, 11, 1))
    run(draft, system_scope, xlsx_bytes([row_of(person), *good_rows(1)]), policy=ALL)
    years = dict(Coverage.objects.filter(enrollment=draft).values_list("worker_id", "consecutive_years"))
    assert years.pop(person.pk) == 2 and list(years.values()) == [1]


def test_an_earlier_year_imported_after_next_years_enrollment_makes_next_year_the_third_once_paid(db, system_scope):
    from huzhu.plans.services import install_default_plans

    year = {p.year: p for p in install_default_plans(years=(2024, 2025, 2026)) if p.plan_id == "hospitalization"}
    unit = make_unit(eligible_headcount=0, female_headcount=0)
    person = make_worker(unit)
    services.enroll_and_pay(actor=None, plan_year=year[2024], batches=[(unit, [person.pk])], paid_on=date(2023, 11, 1))
    services.enroll_and_pay(actor=None, plan_year=year[2026], batches=[(unit, [person.pk])], paid_on=IN_WINDOW)
    earlier = services.start_enrollment(actor=SystemActor(system_scope), unit=unit, plan_year=year[2025],
                                        today=IN_WINDOW)
    run(earlier, system_scope, xlsx_bytes([row_of(person)]), policy=ALL)
    services.submit_enrollment(actor=SystemActor(system_scope), enrollment=earlier)
    services.record_payment(actor=SystemActor(system_scope), enrollment=earlier, amount="90.00",
                            paid_on=IN_WINDOW, bank_reference="LATE", today=IN_WINDOW)
    years = dict(Coverage.objects.filter(worker=person).values_list("plan_year__year", "consecutive_years"))
    assert years == {2024: 1, 2025: 2, 2026: 3}


def _enrolled_elsewhere_after_validation(draft, hospitalization_2026, system_scope):
    person = make_worker(draft.unit, name="都兰")
    job = run(draft, system_scope, xlsx_bytes([*good_rows(3), row_of(person)]))
    assert (job.valid_count, job.error_count) == (4, 0)
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, batches=[(draft.unit, [person.pk])],
                            paid_on=date(2025, 11, 1), kind="mid_year")
    return job, person


def test_someone_enrolled_after_validation_stops_an_all_or_nothing_import(draft, hospitalization_2026,
                                                                           system_scope):
    job, person = _enrolled_elsewhere_after_validation(draft, hospitalization_2026, system_scope)
    workers = Worker.objects.count()
    with pytest.raises(ValidationFailed, match="第5行"):
        services.commit_import(actor=None, job_id=job.pk, policy=ALL, today=IN_WINDOW)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED and "未导入任何数据" in job.message
    assert Worker.objects.count() == workers and not Coverage.objects.filter(enrollment=draft).exists()


def test_valid_only_skips_someone_enrolled_after_validation(draft, hospitalization_2026, system_scope):
    job, person = _enrolled_elsewhere_after_validation(draft, hospitalization_2026, system_scope)
    job = services.commit_import(actor=None, job_id=job.pk, policy=VALID_ONLY, today=IN_WINDOW)
    assert (job.imported_count, job.valid_count, job.error_count) == (3, 3, 1)
    assert "校验后已在" in only_error(job).reason
    draft.refresh_from_db()
    assert draft.headcount == 3


def test_a_worker_registered_after_validation_is_not_registered_twice(draft, system_scope):
    rows = good_rows(3)
    job = run(draft, system_scope, xlsx_bytes(rows))
    member_services.register_worker(actor=SystemActor(system_scope), unit=draft.unit, name=rows[0][0],
                                    id_number=rows[0][1], today=IN_WINDOW)
    job = services.commit_import(actor=None, job_id=job.pk, policy=ALL, today=IN_WINDOW)
    assert (job.imported_count, job.new_worker_count) == (3, 2)
    assert Worker.objects.filter(unit=draft.unit).count() == 3


def test_a_worker_deleted_after_validation_stops_the_import_with_nothing_written(draft, system_scope):
    person = make_worker(draft.unit, name="敖登")
    job = run(draft, system_scope, xlsx_bytes([row_of(person), *good_rows(2)]))
    person.delete()
    with pytest.raises(Conflict, match="第2行的职工在校验后已被删除"):
        services.commit_import(actor=None, job_id=job.pk, policy=ALL, today=IN_WINDOW)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED and "重新上传名册" in job.message
    assert not Worker.objects.exists() and not Coverage.objects.exists()


def test_the_import_reports_progress_and_leaves_audit_events(draft, system_scope):
    job = run(draft, system_scope, xlsx_bytes(good_rows(4)))
    seen = []
    services.commit_import(actor=None, job_id=job.pk, policy=ALL, today=IN_WINDOW,
                           progress=lambda progress_job: seen.append(progress_job.done))
    assert seen[-1] == 4
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"create_import_job", "bulk_register_workers", "import_roster"} <= actions


def test_staged_rows_of_other_jobs_are_neither_duplicates_nor_imported(draft, system_scope):
    rows = good_rows(3)
    first = run(draft, system_scope, xlsx_bytes(rows))
    second = run(draft, system_scope, xlsx_bytes(rows[:1]))
    assert second.error_count == 0
    services.discard_import(actor=SystemActor(system_scope), job=first)
    job = services.commit_import(actor=None, job_id=second.pk, policy=ALL, today=IN_WINDOW)
    assert job.imported_count == 1 and Coverage.objects.filter(enrollment=draft).count() == 1


def test_during_a_key_rotation_a_worker_under_the_old_key_is_matched_and_never_registered_twice(
        draft, system_scope, settings):
    old, new = "old-roster-rotation-key-0123456789", "new-roster-rotation-key-0123456789"
    settings.DATA_KEY = old
    person = make_worker(draft.unit, name="娜仁")
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = new, old  # the rotation is deployed, not yet run
    job = run(draft, system_scope, xlsx_bytes([row_of(person), *good_rows(1)]))
    assert job.rows.get(row_no=2).worker_id == person.pk and job.error_count == 0
    with pytest.raises(Conflict, match="重新上传名册"):  # the worker's stored index is still the old key's
        services.commit_import(actor=None, job_id=job.pk, policy=ALL, today=IN_WINDOW)
    key_rotation.rotate_data_key(actor=None)
    job = services.commit_import(actor=None, job_id=job.pk, policy=ALL, today=IN_WINDOW)
    assert (job.imported_count, job.new_worker_count) == (2, 1)
    assert Worker.objects.filter(name="娜仁").count() == 1
