"""The roster's optional consent column 同意医保数据比对: 是 consents, 否 withdraws the unit's earlier word,
an unknown answer is a row error, a file without the column changes nothing; set-based and audited."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_unit, make_worker
from huzhu.core.actors import SystemActor, WorkerActor
from huzhu.enrollment import services
from huzhu.enrollment.models import ImportJob
from huzhu.enrollment.queries import imports as import_queries
from huzhu.members import services as member_services
from huzhu.members.models import DataConsent, Worker

from .conftest import IN_WINDOW, xlsx_bytes
from .test_imports import good_rows, ids, run

HEADER = ("姓名", "身份证号", "手机号", "人员类别", "入职日期", "同意医保数据比对")


def _with_consent(rows, answers):
    return [(*row, answer) for row, answer in zip(rows, answers, strict=True)]


def _consenting(unit) -> set[str]:
    return set(DataConsent.objects.filter(worker__unit=unit, withdrawn_at__isnull=True)
               .values_list("worker__name", flat=True))


def test_yes_in_any_spelling_consents_and_no_or_blank_does_not(draft, system_scope):
    answers = ["是", "１", "y", "Ｙ", "否", "0", "N", ""]
    rows = _with_consent(good_rows(len(answers)), answers)
    job = run(draft, system_scope, xlsx_bytes(rows, header=HEADER), policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert job.imported_count == len(answers)
    assert _consenting(draft.unit) == {"职工0", "职工1", "职工2", "职工3"}
    consent = DataConsent.objects.filter(worker__unit=draft.unit).first()
    assert consent.source == DataConsent.Source.ROSTER
    event = AuditEvent.objects.get(action="roster_data_consent")
    assert event.after == {"unit": draft.unit.pk, "source": "roster", "given": 4, "withdrawn": 0}


def test_an_unknown_answer_is_a_row_error_naming_the_column(draft, system_scope):
    rows = _with_consent(good_rows(3), ["是", "也许", "否"])
    job = run(draft, system_scope, xlsx_bytes(rows, header=HEADER))
    assert (job.valid_count, job.error_count) == (2, 1)
    [error] = list(import_queries.import_errors(job))
    assert (error.row_no, error.field) == (3, "同意医保数据比对")
    assert "也许" in error.reason and "是" in error.reason
    services.commit_import(actor=None, job_id=job.pk, policy=ImportJob.Policy.VALID_ONLY, today=IN_WINDOW)
    assert _consenting(draft.unit) == {"职工0"}


def test_a_roster_without_the_column_records_no_consent(draft, system_scope):
    job = run(draft, system_scope, xlsx_bytes(good_rows(3)), policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert job.imported_count == 3
    assert not DataConsent.objects.exists()
    assert not AuditEvent.objects.filter(action="roster_data_consent").exists()


def test_no_withdraws_what_the_unit_said_but_not_what_the_worker_said_herself(draft, system_scope):
    unit = draft.unit
    by_roster = make_worker(unit, name="单位登记")
    by_herself = make_worker(unit, name="本人授权")
    keeps = make_worker(unit, name="未填写")
    member_services.give_data_consent(actor=SystemActor(system_scope), worker_ids=[by_roster.pk, keeps.pk],
                                      source="roster")
    member_services.give_data_consent(actor=WorkerActor(by_herself.pk), worker_ids=[by_herself.pk], source="worker")
    rows = [(w.name, w.reveal_id_number(), "", "在职职工", "2020-01-01", answer)
            for w, answer in ((by_roster, "否"), (by_herself, "否"), (keeps, ""))]
    job = run(draft, system_scope, xlsx_bytes(rows, header=HEADER), policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert job.imported_count == 3
    assert _consenting(unit) == {"本人授权", "未填写"}
    closed = DataConsent.objects.get(worker=by_roster)
    assert (closed.withdrawn_source, closed.withdrawn_at is not None) == ("roster", True)


def test_consents_of_a_large_roster_take_the_same_statements_as_a_small_one(draft, system_scope, hospitalization_2026):
    def statements(count: int, start: int) -> int:
        enrollment = services.start_enrollment(actor=SystemActor(system_scope),
                                               unit=make_unit(eligible_headcount=0, female_headcount=0),
                                               plan_year=hospitalization_2026,
                                               today=IN_WINDOW)
        rows = [(f"职工{i}", number, "", "在职职工", "2020-01-01", "是") for i, number in enumerate(ids(count, start))]
        job = run(enrollment, system_scope, xlsx_bytes(rows, header=HEADER))
        with CaptureQueriesContext(connection) as captured:
            services.commit_import(actor=None, job_id=job.pk, policy=ImportJob.Policy.ALL_OR_NOTHING, today=IN_WINDOW)
        assert DataConsent.objects.filter(worker__unit=enrollment.unit).count() == count
        return sum("dataconsent" in q["sql"].lower() for q in captured.captured_queries)

    assert statements(3, 300) == statements(40, 500)


@pytest.mark.parametrize("header", ["同意医保数据比对", "*同意医保数据比对", "医保数据比对"])
def test_the_consent_header_is_optional_and_read_under_its_names(draft, system_scope, header):
    rows = _with_consent(good_rows(1), ["是"])
    job = run(draft, system_scope, xlsx_bytes(rows, header=(*HEADER[:-1], header)),
              policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert job.imported_count == 1 and Worker.objects.filter(unit=draft.unit, data_consents__isnull=False).exists()
