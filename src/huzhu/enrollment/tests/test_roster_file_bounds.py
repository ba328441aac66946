"""Hostile workbooks: each is refused with a message before its rows are read, at every door.

The files are built here by hand with zipfile from a good roster: a member that inflates a
thousandfold, a sheet that declares A1:XFD1048576, a billion-laughs and an XXE part, too many
rows, cells or columns, a styles part too big to build, a second sheet that holds a roster too.
"""
import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from huzhu.conftest import KUNDULUN, PASSWORD, make_staff, make_unit
from huzhu.core.actors import SystemActor
from huzhu.core.errors import ValidationFailed
from huzhu.enrollment import services
from huzhu.enrollment.models import Enrollment, ImportJob, ImportRow
from huzhu.regions.models import Role
from huzhu.security.services import create_api_token

from .conftest import IN_WINDOW, xlsx_bytes
from .test_imports import good_rows

LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
          b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
XXE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
       b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>')


def rebuilt(content: bytes, change) -> bytes:
    """The workbook with each member passed through change(name, data) -> data."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
    return out.getvalue()


def in_sheet(change):
    return lambda name, data: change(data) if name == "xl/worksheets/sheet1.xml" else data


def declared_everything(data: bytes) -> bytes:
    """A1:XFD1048576 declared, and one formatted empty cell in the sheet's very last cell."""
    data = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', data)
    return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>')


def formatted_rows(count: int, cells: int = 1):
    def change(data: bytes) -> bytes:
        row = b"".join(b'<c r="%s1" s="0"/>' % openpyxl.utils.get_column_letter(i + 1).encode() for i in range(cells))
        return data.replace(b"</sheetData>", (b"<row>" + row + b"</row>") * count + b"</sheetData>")
    return change


def styles_of(size: int):
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'

    def change(name, data):
        if name != "xl/styles.xml":
            return data
        return re.sub(rb"<cellXfs count=\"\d+\">", b'<cellXfs count="1">' + xf * (size // len(xf)), data)
    return change


GOOD = xlsx_bytes(good_rows(3))


def with_second_sheet(title: str, rows) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(GOOD))
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HOSTILE = [
    pytest.param(rebuilt(GOOD, in_sheet(lambda d: d.replace(b"</sheetData>", b"<row/>" * 5_000_000 + b"</sheetData>"))),
                 "压缩比", id="zip bomb: a member inflating thousandfold"),
    pytest.param(rebuilt(GOOD, lambda name, data: LAUGHS if name == "xl/worksheets/sheet1.xml" else data),
                 "DOCTYPE", id="billion laughs"),
    pytest.param(rebuilt(GOOD, lambda name, data: XXE if name == "xl/worksheets/sheet1.xml" else data),
                 "DOCTYPE", id="external entity in the sheet"),
    pytest.param(rebuilt(GOOD, styles_of(3 * 1024 * 1024)), "样式表", id="styles too big to build"),
    pytest.param(with_second_sheet("第二批", [("姓名", "身份证号"), ("乙", "150203198503020011")]),
                 "工作表“第二批”中也有名册", id="a second sheet with a roster"),
]


@pytest.mark.parametrize(("content", "message"), HOSTILE)
def test_a_hostile_workbook_is_refused_with_a_message_and_no_job(draft, system_scope, content, message):
    with pytest.raises(ValidationFailed, match=message):
        services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="名册.xlsx",
                                   upload=io.BytesIO(content))
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("limits", "change", "message"), [
    pytest.param({"HUZHU_ROSTER_MAX_ROWS": 100}, formatted_rows(200), "一次最多导入100行", id="rows"),
    pytest.param({"HUZHU_ROSTER_MAX_CELLS": 500}, formatted_rows(30, cells=20), "上限为500个", id="cells"),
])
def test_rows_and_cells_past_the_bounds_are_refused_before_any_row_is_read(draft, system_scope, settings, limits,
                                                                            change, message):
    for name, value in limits.items():
        setattr(settings, name, value)
    with pytest.raises(ValidationFailed, match=message):
        services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="名册.xlsx",
                                   upload=io.BytesIO(rebuilt(GOOD, in_sheet(change))))
    assert not ImportJob.objects.exists()


def test_a_value_past_the_last_column_is_refused_naming_the_cell(draft, system_scope):
    content = xlsx_bytes([("甲", good_rows(1)[0][1], "", "", "", *([None] * 50), "备注")])
    with pytest.raises(ValidationFailed, match="BD2单元格有内容：名册最多50列"):
        job = services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="名册.xlsx",
                                         upload=io.BytesIO(content))
        services.validate_import(job_id=job.pk, today=IN_WINDOW)
        raise ValidationFailed("bad_file", ImportJob.objects.get(pk=job.pk).message)


def test_a_sheet_declaring_every_cell_is_read_by_its_real_rows(draft, system_scope):
    job = services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="名册.xlsx",
                                     upload=io.BytesIO(rebuilt(GOOD, in_sheet(declared_everything))))
    assert job.total < 10  # counted from the rows the sheet has, not from its A1:XFD1048576
    job = services.validate_import(job_id=job.pk, today=IN_WINDOW)
    assert (job.status, job.valid_count, job.error_count) == (ImportJob.Status.VALIDATED, 3, 0)


def test_a_second_sheet_of_notes_is_reported_and_the_first_is_imported(draft, system_scope):
    content = with_second_sheet("备注", [("这批是十月新入职的",)])
    job = services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="名册.xlsx",
                                     upload=io.BytesIO(content))
    assert "工作表“备注”中的内容未导入" in job.message
    job = services.validate_import(job_id=job.pk, today=IN_WINDOW)
    assert job.valid_count == 3


def test_the_template_with_its_notes_sheet_imports_without_a_warning(draft, system_scope):
    from huzhu.enrollment.roster_files import template_xlsx

    job = services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="模板.xlsx",
                                     upload=io.BytesIO(template_xlsx()))
    assert job.message == ""


@pytest.mark.parametrize(("content", "message"), HOSTILE[:3])
def test_the_cli_refuses_a_hostile_workbook_with_code_2_and_leaves_no_draft(tmp_path, hospitalization_2026,
                                                                          content, message):
    unit = make_unit(eligible_headcount=0, female_headcount=0)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as caught:
        call_command("import-roster", str(path), "--unit", unit.credit_code, "--year", "2026", "--plan",
                     "hospitalization", "--as-of", IN_WINDOW.isoformat())
    assert caught.value.returncode == 2
    assert not Enrollment.objects.filter(unit=unit).exists()


def test_the_cli_leaves_no_draft_for_a_file_with_only_a_header(tmp_path, hospitalization_2026):
    unit = make_unit(eligible_headcount=0, female_headcount=0)
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_bytes([]))
    with pytest.raises(CommandError, match="没有数据行"):
        call_command("import-roster", str(path), "--unit", unit.credit_code, "--year", "2026", "--plan",
                     "hospitalization", "--as-of", IN_WINDOW.isoformat())
    assert not Enrollment.objects.filter(unit=unit).exists() and not ImportRow.objects.exists()


@pytest.fixture
def contact(hospitalization_2026, system_scope):
    unit = make_unit(KUNDULUN, eligible_headcount=0, female_headcount=0)
    user = make_staff("contact_bounds", Role.UNIT, unit=unit)
    draft = services.start_enrollment(actor=SystemActor(system_scope), unit=unit, plan_year=hospitalization_2026,
                                      today=IN_WINDOW)
    return user, draft


@pytest.mark.parametrize(("content", "message"), HOSTILE[:3])
def test_the_web_upload_refuses_a_hostile_workbook_with_a_message_not_a_500(client, contact, content, message):
    user, draft = contact
    assert client.login(username=user.username, password=PASSWORD)
    upload = io.BytesIO(content)
    upload.name = "名册.xlsx"
    response = client.post(reverse("enrollment:upload", args=[draft.pk]), {"file": upload}, follow=True)
    assert response.status_code == 200 and message in response.text
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("content", "message"), HOSTILE[:3])
def test_the_api_refuses_a_hostile_workbook_with_422(client, contact, content, message):
    user, draft = contact
    _, token = create_api_token(actor=user, user=user, name="对接")
    response = client.post(f"/api/v1/enrollment/enrollments/{draft.pk}/imports",
                           {"file": SimpleUploadedFile("名册.xlsx", content)}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422 and message in response.json()["message"]
    assert not ImportJob.objects.exists()
