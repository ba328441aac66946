"""Importing a settlement feed: formats, the header contract, row errors, modes, idempotency, matching, privacy."""
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from huzhu.claims.tests.conftest import cover
from huzhu.conftest import make_worker
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.errors import ValidationFailed
from huzhu.members import services as member_services
from huzhu.members.models import DataConsent
from huzhu.settlements import services
from huzhu.settlements.models import SettlementImport, SettlementRow
from huzhu.settlements.rules import HEADER

from .conftest import consent, feed_row, id_number_of, write_csv, write_xlsx

Outcome = SettlementRow.Outcome
pytestmark = pytest.mark.django_db


def outcomes(job) -> dict[str, str]:
    return dict(job.rows.values_list("serial", "outcome"))


def test_a_utf8_csv_with_bom_is_read_and_an_unknown_person_is_unmatched(run_feed, tmp_path, plans):
    from huzhu.core.idnumbers import make_resident_id

    stranger = make_resident_id("150203", date(1990, 1, 1), 17)
    job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(id_number=stranger, serial="S1")]))
    assert job.status == SettlementImport.Status.DONE
    assert (job.total, job.unmatched_count, job.matched_count) == (1, 1, 0)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_is_read_with_the_exact_header(run_feed, tmp_path, covered, encoding):
    other = make_worker(covered.unit, name="乌云")  # registered, covered, but never consented
    cover(other, year=2027)
    path = write_csv(tmp_path / "feed.csv", [feed_row(other, serial="N1", 定点机构名称="呼和浩特市第一医院")],
                     encoding=encoding)
    job = run_feed(path)
    assert job.status == SettlementImport.Status.DONE and job.not_consented_count == 1


def test_an_xlsx_feed_is_read(run_feed, tmp_path, covered):
    other = make_worker(covered.unit)
    job = run_feed(write_xlsx(tmp_path / "feed.xlsx", [feed_row(other, serial="X1"), feed_row(other, serial="X2")]))
    assert job.status == SettlementImport.Status.DONE and job.not_consented_count == 2


def test_a_wrong_header_is_refused_at_once_naming_the_columns(agreement, tmp_path):
    header = [name if name != "结算日期" else "结算时间" for name in HEADER]
    path = write_csv(tmp_path / "feed.csv", [], header=header)
    with pytest.raises(ValidationFailed) as refused:
        services.create_settlement_import(actor=SYSTEM_ACTOR, file_name="feed.csv", path=path, today=date(2027, 3, 1))
    assert refused.value.code == "bad_file"
    assert "缺少列：结算日期" in refused.value.message and "结算时间" in refused.value.message
    assert not SettlementImport.objects.exists()


def test_no_agreement_in_force_refuses_the_file(db, tmp_path):
    path = write_csv(tmp_path / "feed.csv", [feed_row(id_number="150203198503020011")])
    with pytest.raises(ValidationFailed) as refused:
        services.create_settlement_import(actor=SYSTEM_ACTOR, file_name="feed.csv", path=path)
    assert refused.value.code == "no_agreement"


def test_row_errors_are_named_and_valid_only_imports_the_rest(run_feed, tmp_path, covered):
    other = make_worker(covered.unit)
    rows = [feed_row(other, serial="V1"), feed_row(other, serial="V2", 就医类别="门诊"),
            feed_row(other, serial="V3", 入院日期="2027-02-30")]
    job = run_feed(write_csv(tmp_path / "feed.csv", rows), mode="valid")
    assert job.status == SettlementImport.Status.DONE
    assert (job.error_count, job.not_consented_count) == (2, 1)
    errors = {(r.row_no, r.error_field) for r in job.rows.filter(outcome=Outcome.ERROR)}
    assert errors == {(3, "就医类别"), (4, "入院日期")}


def test_all_or_nothing_refuses_a_file_with_a_bad_row_and_acts_on_none(run_feed, tmp_path, covered):
    other = make_worker(covered.unit)
    rows = [feed_row(other, serial="A1"), feed_row(other, serial="A2", 医疗费总额="很多")]
    job = run_feed(write_csv(tmp_path / "feed.csv", rows), mode="all")
    assert job.status == SettlementImport.Status.REFUSED and "1行错误" in job.message
    assert list(job.rows.values_list("outcome", flat=True)) == [Outcome.ERROR]  # only the report is kept
    assert not SettlementRow.objects.filter(recorded=True).exists()
    # Fixed, the same serial then goes through: nothing of the refused file holds it.
    again = run_feed(write_csv(tmp_path / "fixed.csv", [feed_row(other, serial="A1")]), mode="all")
    assert again.status == SettlementImport.Status.DONE and again.not_consented_count == 1


def test_reimporting_the_same_file_changes_nothing_and_says_so(run_feed, tmp_path, covered):
    other = make_worker(covered.unit)
    path = write_csv(tmp_path / "feed.csv", [feed_row(other, serial="R1"), feed_row(other, serial="R2")])
    first = run_feed(path)
    second = run_feed(path)
    assert first.not_consented_count == 2
    assert (second.duplicate_count, second.not_consented_count) == (2, 0)
    assert "此前均已导入" in second.message and "没有任何变化" in second.message
    assert SettlementRow.objects.filter(recorded=True).count() == 2


def test_a_serial_repeated_inside_one_file_is_a_duplicate(run_feed, tmp_path, covered):
    other = make_worker(covered.unit)
    job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(other, serial="D1"), feed_row(other, serial="D1")]))
    assert (job.not_consented_count, job.duplicate_count) == (1, 1)


def test_withdrawn_consent_is_not_matched(run_feed, tmp_path, covered):
    member_services.withdraw_data_consent(actor=SYSTEM_ACTOR, worker=covered, source=DataConsent.Source.UNIT)
    job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(covered, serial="W1")]))
    assert job.not_consented_count == 1 and job.matched_count == 0
    assert job.rows.get().claim_id is None


def test_no_coverage_on_the_admission_date(run_feed, tmp_path, plans, home_unit):
    worker = make_worker(home_unit)
    cover(worker, year=2027)
    consent(worker)
    job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(worker, serial="C1", admitted=date(2026, 12, 20),
                                                               discharged=date(2027, 1, 5), settled=date(2027, 1, 5))]))
    assert job.no_coverage_count == 1 and job.matched_count == 0


def test_matching_picks_the_coverage_of_the_plan_year_holding_the_admission_date(plans, home_unit, agreement):
    from huzhu.settlements.services import matching

    worker = make_worker(home_unit)
    in_2026, in_2027 = cover(worker, year=2026), cover(worker, year=2027)
    consent(worker)
    from huzhu.core.crypto import blind_index

    index = blind_index(id_number_of(worker))
    periods = {py.pk: (py.terms.protection_start_on, py.terms.protection_end_on)
               for py in matching.plan_years_with_terms().select_related("current_version")}
    rows = [{"pk": n, "id_index": index, "admitted_on": day, "claim_type": "inpatient", "diagnosis_code": "J18.900"}
            for n, day in ((1, date(2026, 12, 28)), (2, date(2027, 1, 2)))]
    decisions = matching._match(rows, agreement, periods)
    assert decisions[1].coverage_id == in_2026.pk and decisions[2].coverage_id == in_2027.pk
    assert {d.outcome for d in decisions.values()} == {Outcome.MATCHED}


def test_a_womans_cancer_diagnosis_goes_to_the_womens_plan(plans, home_unit, agreement):
    from huzhu.core.crypto import blind_index
    from huzhu.settlements.services import matching

    woman = make_worker(home_unit, gender="F")
    cover(woman, year=2027)
    women = cover(woman, year=2027, plan="women_health")
    consent(woman)
    periods = {py.pk: (py.terms.protection_start_on, py.terms.protection_end_on)
               for py in matching.plan_years_with_terms().select_related("current_version")}
    row = {"pk": 1, "id_index": blind_index(id_number_of(woman)), "admitted_on": date(2027, 2, 1),
           "claim_type": "inpatient", "diagnosis_code": "C50.901"}
    decision = matching._match([row], agreement, periods)[1]
    assert (decision.claim_type, decision.coverage_id) == ("diagnosis", women.pk)


def test_a_league_agreement_does_not_match_a_worker_covered_in_another_league(plans, other_unit, agreement):
    from huzhu.core.crypto import blind_index
    from huzhu.settlements.services import matching

    agreement.region_id = "150200"  # 包头市; the worker is covered in 赤峰市
    worker = make_worker(other_unit)
    cover(worker, year=2027)
    consent(worker)
    periods = {py.pk: (py.terms.protection_start_on, py.terms.protection_end_on)
               for py in matching.plan_years_with_terms().select_related("current_version")}
    row = {"pk": 1, "id_index": blind_index(id_number_of(worker)), "admitted_on": date(2027, 2, 1),
           "claim_type": "inpatient", "diagnosis_code": "J18.900"}
    assert matching._match([row], agreement, periods)[1].outcome == Outcome.OUTSIDE


def test_a_settlement_outside_the_agreement_period_is_not_acted_on(run_feed, tmp_path, covered, agreement):
    agreement.starts_on = date(2027, 2, 15)
    agreement.save()
    job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(covered, serial="P1")]))
    assert job.outside_count == 1 and job.matched_count == 0


def test_unmatched_and_not_consented_rows_keep_no_personal_data(run_feed, tmp_path, covered):
    from huzhu.core.idnumbers import make_resident_id

    stranger = make_resident_id("150203", date(1991, 5, 5), 33)
    other = make_worker(covered.unit)
    job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(id_number=stranger, serial="U1", 姓名="陌生人"),
                                                       feed_row(other, serial="U2")]))
    for row in SettlementRow.objects.filter(job=job).values():
        values = " ".join(str(v) for v in row.values())
        assert stranger not in values and id_number_of(other) not in values and "陌生人" not in values
        assert row["id_index"] == "" and row["id_masked"].count("*") == 10
    assert job.rows.get(serial="U1").worker_id is None


def test_raw_rows_are_purged_after_the_agreements_retention_days(run_feed, tmp_path, covered):
    other = make_worker(covered.unit)
    with time_machine.travel(timezone.make_aware(timezone.datetime(2027, 3, 1, 10)), tick=False):
        job = run_feed(write_csv(tmp_path / "feed.csv", [feed_row(other, serial="T1")]))
    assert job.rows.get().hospital_name
    with time_machine.travel(timezone.make_aware(timezone.datetime(2027, 3, 1, 10)) + timedelta(days=89), tick=False):
        assert services.purge_raw_settlements(actor=SYSTEM_ACTOR) == 0
    with time_machine.travel(timezone.make_aware(timezone.datetime(2027, 3, 1, 10)) + timedelta(days=91), tick=False):
        assert services.purge_raw_settlements(actor=SYSTEM_ACTOR) == 1
    row = job.rows.get()
    assert (row.serial, row.outcome) == ("T1", Outcome.NOT_CONSENTED)
    assert (row.hospital_name, row.id_masked, row.admitted_on, row.total_amount) == ("", "", None, None)


def test_a_run_stopped_midway_resumes_without_acting_twice(run_feed, tmp_path, covered, agreement):
    others = [make_worker(covered.unit) for _ in range(5)]
    path = write_csv(tmp_path / "feed.csv", [feed_row(w, serial=f"M{n}") for n, w in enumerate(others)])
    job = services.create_settlement_import(actor=SYSTEM_ACTOR, file_name="feed.csv", path=path,
                                            today=date(2027, 3, 1))
    services.stage_settlements(job_id=job.pk, today=date(2027, 3, 1), chunk_size=2)
    finished = services.run_settlement_import(job_id=job.pk, actor=SYSTEM_ACTOR, today=date(2027, 3, 1), chunk_size=2)
    again = services.run_settlement_import(job_id=job.pk, actor=SYSTEM_ACTOR, today=date(2027, 3, 1), chunk_size=2)
    assert finished.status == again.status == SettlementImport.Status.DONE
    assert finished.not_consented_count == 5 and job.rows.count() == 5
