"""Enrollment pages: the whole flow in the browser's shoes, scope 404s, the PDF receipt, self-service."""
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from huzhu.conftest import PASSWORD, make_unit, make_worker, sign_in_as_worker
from huzhu.core.actors import SystemActor
from huzhu.enrollment import services
from huzhu.enrollment.models import Coverage, Enrollment, ImportJob
from huzhu.members.models import Worker
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans

from .conftest import xlsx_bytes
from .test_imports import good_rows


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def open_year(plan_years):
    """The plan year whose enrollment is open today (the machine clock decides; this year's and next
    year's default plans are installed too, so some year is always open)."""
    today = timezone.localdate()  # read per test: a run may cross midnight in Shanghai
    install_default_plans(years=(today.year, today.year + 1))
    for plan_year in PlanYear.objects.filter(plan_id="hospitalization").order_by("year"):
        terms = plan_year.terms
        if terms.enrollment_opens_on <= today < terms.protection_end_on:
            return plan_year
    raise AssertionError(f"no default hospitalization plan year is open for enrollment on {today}")


@pytest.fixture
def unit_draft(open_year, home_unit, system_scope):
    return services.start_enrollment(actor=SystemActor(system_scope), unit=home_unit, plan_year=open_year)


def test_a_unit_contact_starts_an_enrollment_and_sees_the_shortfall(client, unit_contact, home_unit, open_year):
    for _ in range(3):
        make_worker(home_unit)
    login(client, unit_contact)
    assert client.get(reverse("enrollment:index")).status_code == 200
    response = client.post(reverse("enrollment:start"), {"unit": home_unit.pk, "plan_year": open_year.pk})
    enrollment = Enrollment.objects.get()
    assert response["Location"] == reverse("enrollment:detail", args=[enrollment.pk])
    page = client.get(response["Location"]).text
    assert "尚未选择任何参互人员" in page
    ids = list(Worker.objects.filter(unit=home_unit).values_list("pk", flat=True))
    client.post(reverse("enrollment:add_workers", args=[enrollment.pk]), {"worker": ids})
    response = client.post(reverse("enrollment:submit", args=[enrollment.pk]), follow=True)
    assert "至少须16人参互，还差13人" in response.text  # home_unit declares 20 eligible staff


def test_other_units_enrollments_are_404_for_a_unit_contact(client, unit_contact, open_year, other_unit,
                                                           system_scope):
    neighbour = make_unit(name="同旗县邻居")
    for unit in (neighbour, other_unit):
        services.start_enrollment(actor=SystemActor(system_scope), unit=unit, plan_year=open_year)
    login(client, unit_contact)
    for enrollment in Enrollment.objects.all():
        assert client.get(reverse("enrollment:detail", args=[enrollment.pk])).status_code == 404
    assert neighbour.name not in client.get(reverse("enrollment:index")).text


def test_a_county_clerk_sees_the_county_but_not_another_league(client, county_clerk, unit_draft, other_unit,
                                                              open_year, system_scope):
    stranger = services.start_enrollment(actor=SystemActor(system_scope), unit=other_unit, plan_year=open_year)
    login(client, county_clerk)
    assert client.get(reverse("enrollment:detail", args=[unit_draft.pk])).status_code == 200
    assert client.get(reverse("enrollment:detail", args=[stranger.pk])).status_code == 404


def test_an_auditor_may_read_but_not_pay(client, auditor, unit_draft):
    login(client, auditor)
    assert client.get(reverse("enrollment:detail", args=[unit_draft.pk])).status_code == 200
    assert client.post(reverse("enrollment:pay", args=[unit_draft.pk]), {}).status_code == 403


def test_upload_preview_and_import_valid_rows_only(client, unit_contact, unit_draft,
                                                   django_capture_on_commit_callbacks):
    login(client, unit_contact)
    rows = good_rows(4) + [("坏行", "150203198503021234", "", "", "")]
    upload = io.BytesIO(xlsx_bytes(rows))
    upload.name = "名册.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrollment:upload", args=[unit_draft.pk]), {"file": upload})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("enrollment:import_job", args=[job.pk])
    page = client.get(response["Location"]).text
    assert "只导入正确的 4 行" in page and "校验位不正确" in page
    report = client.get(reverse("enrollment:import_errors", args=[job.pk]))
    assert report.status_code == 200 and report.content[:2] == b"PK"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enrollment:import_commit", args=[job.pk]), {"policy": "valid_only"})
    job.refresh_from_db()
    assert (job.status, job.imported_count) == (ImportJob.Status.DONE, 4)
    fragment = client.get(reverse("enrollment:import_progress", args=[job.pk])).text
    assert "hx-trigger" not in fragment and "已导入" in fragment


def test_the_preview_shows_the_rows_and_every_error_of_a_bad_row(client, unit_contact, unit_draft,
                                                                 django_capture_on_commit_callbacks):
    login(client, unit_contact)
    rows = good_rows(2) + [("坏行", "150203198503021234", "1390000", "临时工", "去年")]
    upload = io.BytesIO(xlsx_bytes(rows))
    upload.name = "名册.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enrollment:upload", args=[unit_draft.pk]), {"file": upload})
    page = client.get(response["Location"]).text
    preview = page[page.index('id="import-preview"'):]
    assert "职工0" in preview and "职工1" in preview and "在职职工" in preview and "正确" in preview
    bad = preview[preview.index("坏行"):]
    assert "校验位不正确" in bad and "手机号：" in bad and "人员类别：“临时工”无法识别" in bad and "入职日期：" in bad


def test_a_renamed_file_is_refused_with_a_message(client, unit_contact, unit_draft):
    login(client, unit_contact)
    upload = io.BytesIO(b"%PDF-1.4 hello")
    upload.name = "名册.xlsx"
    response = client.post(reverse("enrollment:upload", args=[unit_draft.pk]), {"file": upload}, follow=True)
    assert "不是Excel" in response.text and not ImportJob.objects.exists()


def test_the_clerk_records_payment_and_the_unit_downloads_a_pdf_receipt(client, county_clerk, unit_contact,
                                                                       home_unit, unit_draft, system_scope):
    workers = [make_worker(home_unit, name=f"测试{i}") for i in range(20)]
    services.add_workers(actor=SystemActor(system_scope), enrollment=unit_draft, worker_ids=[w.pk for w in workers])
    services.submit_enrollment(actor=SystemActor(system_scope), enrollment=unit_draft)
    login(client, county_clerk)
    response = client.post(reverse("enrollment:pay", args=[unit_draft.pk]), {
        "amount": "1800.00", "paid_on": timezone.localdate().isoformat(), "bank_reference": "ICBC-20261129-01"}, follow=True)
    assert "已登记缴费" in response.text
    login(client, unit_contact)
    pdf = client.get(reverse("enrollment:receipt", args=[unit_draft.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000


def test_the_template_downloads(client, unit_contact):
    login(client, unit_contact)
    assert client.get(reverse("enrollment:template", args=["xlsx"])).content[:2] == b"PK"
    assert "身份证号".encode() in client.get(reverse("enrollment:template", args=["csv"])).content


def test_a_signed_in_worker_sees_their_coverage(client, home_unit, open_year):
    worker = make_worker(home_unit, name="萨仁", phone="13912345678")
    services.enroll_and_pay(actor=None, check_participation=False, plan_year=open_year, batches=[(home_unit, [worker.pk])], paid_on=timezone.localdate())
    url = reverse("enrollment:my_coverage")
    certificate = Coverage.objects.get(worker=worker).certificate_no
    refused = client.post(url, {"id_number": worker.reveal_id_number(), "phone": "13912345678"})
    assert refused.status_code == 302 and certificate not in refused.text  # ID number + phone alone: no
    sign_in_as_worker(client, worker)
    page = client.get(url).text
    assert certificate in page and home_unit.name in page


def test_next_years_paid_list_shows_a_leaver_as_left_without_a_second_leaving_button(client, unit_contact, home_unit,
                                                                                     plan_years, system_scope):
    from datetime import date

    leaver, stayer = make_worker(home_unit, name="离职者"), make_worker(home_unit, name="在职者")
    for year, paid_on in ((2026, date(2025, 11, 1)), (2027, date(2026, 7, 1))):
        services.enroll_and_pay(actor=None, check_participation=False, plan_year=plan_years[("hospitalization", year)],
                                batches=[(home_unit, [leaver.pk, stayer.pk])], paid_on=paid_on)
    services.record_leaving(actor=SystemActor(system_scope), worker=leaver, left_on=date(2026, 7, 31))
    next_year = Enrollment.objects.get(plan_year=plan_years[("hospitalization", 2027)])
    login(client, unit_contact)
    page = client.get(reverse("enrollment:detail", args=[next_year.pk])).text
    assert page.count("登记离职") == 1  # the stayer's button only
    assert "已离职" in page and "2027-01-01 — 2027-12-31" in page


def test_a_bulk_paid_enrollment_names_its_payment_in_chinese_not_a_code(client, county_clerk, home_unit, open_year):
    worker = make_worker(home_unit, name="萨仁", phone="13912345679")
    paid = services.enroll_and_pay(actor=None, plan_year=open_year, batches=[(home_unit, [worker.pk])],
                                   paid_on=timezone.localdate(), check_participation=False).enrollments[0]
    login(client, county_clerk)
    page = client.get(reverse("enrollment:detail", args=[paid.pk])).text
    assert "批量登记缴费" in page and "BULK" not in page
