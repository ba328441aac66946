"""Roster import: good and bad files, duplicates, all-or-nothing, valid rows only, error report."""
import io
from datetime import date

import openpyxl
import pytest

from huzhu.conftest import make_unit, make_worker
from huzhu.core.actors import SystemActor
from huzhu.core.errors import ValidationFailed
from huzhu.core.idnumbers import make_resident_id
from huzhu.enrollment import services
from huzhu.enrollment.models import Coverage, ImportJob
from huzhu.enrollment.queries import imports as import_queries
from huzhu.enrollment.roster_files import error_report_xlsx, template_xlsx
from huzhu.members.models import Worker

from .conftest import IN_WINDOW, csv_bytes, xlsx_bytes


def ids(n, start=100, birth=date(1986, 4, 12)):
    """ID numbers of men in 昆都仑区 for a roster; born on another day than make_worker's people (1985-03-02), whose
    sequence numbers run with the process's counter: a roster row never collides with a worker a test made."""
    return [make_resident_id("150203", birth, start + 2 * i + 1) for i in range(n)]


def good_rows(n, start=100):
    return [(f"职工{i}", number, f"1390000{i:04d}", "在职职工", "2020-01-01") for i, number in enumerate(ids(n, start))]


def run(draft, scope, content: bytes, name="名册.xlsx", policy=None, chunk_size=1000):
    job = services.create_import_job(actor=SystemActor(scope), enrollment=draft, file_name=name,
                                     upload=io.BytesIO(content))
    job = services.validate_import(job_id=job.pk, today=IN_WINDOW, chunk_size=chunk_size)
    if policy:
        job = services.commit_import(actor=None, job_id=job.pk, policy=policy, today=IN_WINDOW)
    return job


def test_a_good_xlsx_roster_registers_workers_and_enrolls_them(draft, system_scope):
    job = run(draft, system_scope, xlsx_bytes(good_rows(30)), policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert (job.status, job.imported_count, job.new_worker_count) == (ImportJob.Status.DONE, 30, 30)
    draft.refresh_from_db()
    assert draft.headcount == 30 and str(draft.due_amount) == "2700.00"
    assert Worker.objects.filter(unit=draft.unit).count() == 30
    assert not job.rows.exists()


def test_a_good_csv_roster_in_gb18030_with_full_width_digits_is_read(draft, system_scope):
    number = ids(1)[0]
    wide = number[:6] + " " + number[6:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    job = run(draft, system_scope, csv_bytes([("乌云", wide, "", "", "2020/1/1")], encoding="gb18030"),
              name="名册.csv", policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert job.imported_count == 1
    assert Worker.objects.get(unit=draft.unit).reveal_id_number() == number


def test_excel_serial_dates_are_accepted(draft, system_scope):
    job = run(draft, system_scope, xlsx_bytes([("巴特尔", ids(1)[0], "", "", 43835)]))
    assert (job.valid_count, job.error_count) == (1, 0)


def test_all_or_nothing_refuses_a_file_with_bad_rows_and_changes_nothing(draft, system_scope):
    rows = good_rows(5) + [("坏行", "150203198503021234", "", "", "")]
    job = run(draft, system_scope, xlsx_bytes(rows))
    assert (job.valid_count, job.error_count) == (5, 1)
    with pytest.raises(ValidationFailed, match="1行错误"):
        services.commit_import(actor=None, job_id=job.pk, policy=ImportJob.Policy.ALL_OR_NOTHING, today=IN_WINDOW)
    assert not Coverage.objects.exists() and not Worker.objects.exists()


def test_valid_rows_only_imports_the_good_rows_and_reports_the_bad(draft, system_scope):
    rows = good_rows(5) + [("坏行", "150203198503021234", "", "", ""), ("", ids(1, 900)[0], "", "", "")]
    job = run(draft, system_scope, xlsx_bytes(rows), policy=ImportJob.Policy.VALID_ONLY)
    assert (job.imported_count, job.error_count) == (5, 2)
    errors = list(import_queries.import_errors(job))
    assert [(e.row_no, e.field) for e in errors] == [(7, "身份证号"), (8, "姓名")]
    report = openpyxl.load_workbook(io.BytesIO(error_report_xlsx(errors)))
    sheet = report.active
    assert [c.value for c in sheet[1]] == ["行号", "姓名", "身份证号（脱敏）", "出错字段", "原因"]
    assert sheet["E2"].value == "身份证号校验位不正确"
    assert "*" in sheet["C2"].value


def test_duplicates_inside_the_file_are_found_across_chunks(draft, system_scope):
    rows = good_rows(5)
    rows.append(("重复者", rows[0][1], "", "", ""))
    job = run(draft, system_scope, xlsx_bytes(rows), chunk_size=2)
    assert job.error_count == 1
    (error,) = import_queries.import_errors(job)
    assert (error.row_no, error.reason) == (7, "与第2行重复")


def test_a_person_covered_by_another_unit_is_a_bad_row_naming_that_unit(draft, hospitalization_2026, system_scope):
    other = make_unit(name="包头另一家公司", eligible_headcount=1, female_headcount=0)
    person = make_worker(other, name="其其格")
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, batches=[(other, [person.pk])],
                            paid_on=date(2025, 11, 1))
    job = run(draft, system_scope, xlsx_bytes([("其其格", person.reveal_id_number(), "", "", "")]))
    (error,) = import_queries.import_errors(job)
    assert "包头另一家公司" in error.reason


def test_a_worker_who_left_another_unit_joins_this_one(draft, system_scope):
    other = make_unit(name="原单位")
    person = make_worker(other, name="阿拉坦")
    services.record_leaving(actor=SystemActor(system_scope), worker=person, left_on=date(2025, 10, 1))
    job = run(draft, system_scope, xlsx_bytes([("阿拉坦", person.reveal_id_number(), "", "", "")]),
              policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert (job.imported_count, job.new_worker_count) == (1, 0)
    person.refresh_from_db()
    assert person.unit_id == draft.unit_id


def test_a_womens_plan_roster_refuses_men_by_gender(women_2026, system_scope):
    unit = make_unit()
    draft = services.start_enrollment(actor=SystemActor(system_scope), unit=unit, plan_year=women_2026,
                                      today=IN_WINDOW)
    man = make_resident_id("150203", date(1985, 3, 2), 11)
    woman = make_resident_id("150203", date(1985, 3, 2), 12)
    job = run(draft, system_scope, xlsx_bytes([("男职工", man, "", "", ""), ("女职工", woman, "", "", "")]))
    assert (job.valid_count, job.error_count) == (1, 1)


def _bad_file(tmp_path):
    merged = openpyxl.Workbook()
    merged.active.append(["姓名", "身份证号"])
    merged.active.append(["甲", ids(1)[0]])
    merged.active.append([None, None])
    merged.active.merge_cells("A2:A3")
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("content", "name", "message"), [
    pytest.param(b"", "空.xlsx", "文件是空的", id="empty file"),
    pytest.param(b"%PDF-1.7 not a roster", "名册.xlsx", "不是Excel", id="renamed pdf"),
    pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "名册.xls", "另存为", id="legacy xls"),
    pytest.param(b"PK\x03\x04garbage", "名册.xlsx", "已损坏", id="broken zip"),
    pytest.param(xlsx_bytes([], header=("姓名", "身份证", "手机号")), "x.xlsx", "缺少必需列：身份证号", id="renamed column"),
    pytest.param(xlsx_bytes([], header=None), "x.xlsx", "没有内容", id="no header"),
    pytest.param(csv_bytes([], header=("名字",)), "x.csv", "缺少必需列：姓名、身份证号", id="csv missing columns"),
])
def test_bad_files_get_a_clear_chinese_message_and_no_job(draft, system_scope, content, name, message):
    with pytest.raises(ValidationFailed, match=message):
        services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name=name,
                                   upload=io.BytesIO(content))
    assert not ImportJob.objects.exists()


def test_merged_cells_are_refused(draft, system_scope, tmp_path):
    with pytest.raises(ValidationFailed, match="合并单元格（A2:A3）"):
        services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="m.xlsx",
                                   upload=io.BytesIO(_bad_file(tmp_path)))


def test_formula_cells_are_bad_rows(draft, system_scope):
    job = run(draft, system_scope, xlsx_bytes([("甲", "=CONCAT(\"1502\",\"03\")", "", "", "")]))
    (error,) = import_queries.import_errors(job)
    assert "公式" in error.reason


def test_a_header_only_file_fails_with_a_message(draft, system_scope):
    job = run(draft, system_scope, xlsx_bytes([]))
    assert job.status == ImportJob.Status.FAILED and "没有数据行" in job.message


def test_discarding_a_job_imports_nothing(draft, system_scope):
    job = run(draft, system_scope, xlsx_bytes(good_rows(3)))
    services.discard_import(actor=SystemActor(system_scope), job=job)
    assert not Worker.objects.exists() and not job.rows.exists()


def test_validation_resumes_after_the_last_committed_chunk(draft, system_scope):
    job = services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="r.xlsx",
                                     upload=io.BytesIO(xlsx_bytes(good_rows(6))))
    calls = []

    def crash_after_first_chunk(progress_job):
        calls.append(progress_job.done)
        if len(calls) == 1:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        services.validate_import(job_id=job.pk, today=IN_WINDOW, chunk_size=4, progress=crash_after_first_chunk)
    job.refresh_from_db()
    assert job.done == 4
    job = services.validate_import(job_id=job.pk, today=IN_WINDOW, chunk_size=4)
    assert (job.status, job.valid_count, job.error_count) == (ImportJob.Status.VALIDATED, 6, 0)


def test_the_template_has_the_chinese_headers():
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx())).active
    assert [c.value for c in sheet[1]][:5] == ["姓名", "身份证号", "手机号", "人员类别", "入职日期"]


# --- one person, one registration (issue 16, item 15) and no formulas (item 14) ---

SCRIPT_ZEROS = (0x1810, 0x0660, 0x0966, 0xFF10, 0x1810, 0x0660)  # Mongolian, Arabic-Indic, Devanagari, full-width


def in_digits(number: str, zero: int) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in number)


def numbers_ending_in_x(n):
    """Men's numbers whose check digit is X: before the fix any digits before it passed the checksum."""
    found = (make_resident_id("150203", date(1985, 3, day), seq) for day in range(1, 29) for seq in range(1, 999, 2))
    return [number for number in found if number.endswith("X")][:n]


def covered_elsewhere(hospitalization_2026, n=6):
    from huzhu.conftest import SYSTEM
    from huzhu.members import services as member_services

    other = make_unit(name="包头另一家公司", eligible_headcount=n, female_headcount=0)
    people = [member_services.register_worker(actor=SystemActor(SYSTEM), unit=other, name=f"已参互{i}", id_number=number,
                                              started_on=date(2020, 1, 1))
              for i, number in enumerate(numbers_ending_in_x(n))]
    services.enroll_and_pay(actor=None, plan_year=hospitalization_2026, batches=[(other, [p.pk for p in people])],
                            paid_on=date(2025, 11, 1))
    return people


def test_six_people_covered_elsewhere_in_other_scripts_digits_are_matched_not_registered_again(
        draft, hospitalization_2026, system_scope):
    people = covered_elsewhere(hospitalization_2026)
    rows = [(p.name, in_digits(p.reveal_id_number(), zero), "", "", "") for p, zero in zip(people, SCRIPT_ZEROS,
                                                                                             strict=True)]
    job = run(draft, system_scope, xlsx_bytes(rows))
    assert (job.valid_count, job.error_count) == (0, 6)
    assert all("包头另一家公司" in error.reason for error in import_queries.import_errors(job))
    assert Worker.objects.count() == 6 and not Coverage.objects.filter(unit=draft.unit).exists()


def test_a_man_numbered_in_mongolian_digits_is_a_man(draft, system_scope):
    (man,) = numbers_ending_in_x(1)
    job = run(draft, system_scope, xlsx_bytes([("巴图", in_digits(man, 0x1810), "", "", "")]),
              policy=ImportJob.Policy.ALL_OR_NOTHING)
    assert job.imported_count == 1
    worker = Worker.objects.get(unit=draft.unit)
    assert (worker.reveal_id_number(), worker.gender) == (man, "M")


@pytest.mark.parametrize("cell", ["\t=1+1", " =HYPERLINK(\"http://x.example/\")", "＝1+1"])
def test_a_formula_behind_spaces_is_a_bad_row_and_the_error_report_holds_no_formula(draft, system_scope, cell):
    job = run(draft, system_scope, xlsx_bytes([(cell, ids(1)[0], "", "", "")]))
    assert (job.valid_count, job.error_count) == (0, 1)
    (error,) = import_queries.import_errors(job)
    assert error.field == "姓名" and "公式" in error.reason
    assert not Worker.objects.exists()
    sheet = openpyxl.load_workbook(io.BytesIO(error_report_xlsx([error]))).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_error_report_keeps_a_formula_like_name_as_text():
    from huzhu.enrollment.rules import RowError

    sheet = openpyxl.load_workbook(io.BytesIO(error_report_xlsx(
        [RowError(2, "身份证号", "校验位不正确", name="=1+1", masked="1502****1234")]))).active
    assert (sheet["B2"].value, sheet["B2"].data_type) == ("=1+1", "s")
