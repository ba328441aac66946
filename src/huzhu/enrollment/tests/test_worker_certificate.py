"""The worker's coverages as they stand today, her electronic certificate with its QR code, the
public verification page behind it, and her own contribution receipt."""
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from huzhu.conftest import make_unit, make_worker, sign_in_as_worker
from huzhu.enrollment import certificates, rules
from huzhu.enrollment.models import Coverage, Enrollment

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(("status", "starts_on", "ends_on", "expected"), [
    ("active", date(2026, 1, 1), date(2026, 12, 31), "active"),
    ("active", date(2025, 1, 1), date(2025, 12, 31), "expired"),
    ("active", date(2027, 1, 1), date(2027, 12, 31), "not_started"),
    ("active", date(2026, 6, 2), date(2026, 12, 31), "not_started"),
    ("active", date(2026, 1, 1), date(2026, 6, 1), "active"),
    ("active", date(2026, 1, 1), date(2026, 5, 31), "expired"),
    ("pending", None, None, "pending"),
    ("cancelled", date(2026, 1, 1), date(2026, 12, 31), "cancelled"),
], ids=["this-year", "last-year-ended", "next-year", "starts-tomorrow", "last-day-covered", "ended-yesterday",
        "unpaid", "cancelled"])
def test_a_coverage_stands_by_its_dates_not_only_its_stored_status(status, starts_on, ends_on, expected):
    assert rules.coverage_standing(status=status, starts_on=starts_on, ends_on=ends_on, today=TODAY) == expected


@pytest.mark.parametrize(("name", "masked"), [("王芳", "王*"), ("巴特尔", "巴**"), ("王", "王*"), ("", "")])
def test_a_public_name_shows_only_its_first_character(name, masked):
    assert rules.masked_person_name(name) == masked


def cover(worker, plan_year, *, certificate_no: str | None, status=Coverage.Status.ACTIVE) -> Coverage:
    enrollment, _ = Enrollment.objects.get_or_create(
        unit=worker.unit, plan_year=plan_year,
        defaults={"status": Enrollment.Status.PAID, "league_id": worker.league_id, "county_id": worker.county_id,
                  "paid_on": date(plan_year.year - 1, 11, 20)})
    paid = status != Coverage.Status.PENDING
    return Coverage.objects.create(
        worker=worker, plan_year=plan_year, unit=worker.unit, enrollment=enrollment, league_id=worker.league_id,
        county_id=worker.county_id, status=status, certificate_no=certificate_no,
        starts_on=date(plan_year.year, 1, 1) if paid else None, ends_on=date(plan_year.year, 12, 31) if paid else None,
        contribution_amount=Decimal("100.00"), subsidy_amount=Decimal("10.00"))


@pytest.fixture
def covered(plan_years):
    """王芳 with last year's coverage (ended), this year's (valid) and next year's (unpaid)."""
    worker = make_worker(make_unit(name="包头测试机械厂"), name="王芳", gender="F", phone="13800000077")
    years = {
        "2025": cover(worker, plan_years[("hospitalization", 2025)], certificate_no="HZ2025-150203-0000007"),
        "2026": cover(worker, plan_years[("hospitalization", 2026)], certificate_no="HZ2026-150203-0000007"),
        "2027": cover(worker, plan_years[("hospitalization", 2027)], certificate_no=None,
                      status=Coverage.Status.PENDING),
    }
    return worker, years


@pytest.mark.django_db
def test_my_coverage_shows_last_year_as_ended_this_year_as_valid_and_next_year_as_awaiting_payment(client, covered):
    worker, _years = covered
    sign_in_as_worker(client, worker)
    with time_machine.travel(TODAY, tick=False):
        page = client.get("/enrollment/my-coverage/").content.decode()
    assert 'data-standing="expired">已到期' in page
    assert 'data-standing="active">有效' in page
    assert 'data-standing="pending">待缴费' in page
    assert page.count(">有效<") == 1  # 2025 no longer reads "有效" (it did before: the stored status)


def test_a_certificate_token_is_signed_and_a_changed_number_does_not_verify():
    token = certificates.certificate_token("HZ2026-150203-0000007")
    assert certificates.certificate_no_of(token) == "HZ2026-150203-0000007"
    assert certificates.certificate_no_of("HZ2026-150203-0000007") is None  # the bare number is not a token
    forged = token.replace("0000007", "0000008", 1)
    assert certificates.certificate_no_of(forged) is None


@pytest.mark.django_db
def test_the_certificate_page_carries_a_qr_code_of_the_public_check_and_that_page_says_valid(client, covered):
    worker, years = covered
    sign_in_as_worker(client, worker)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(f"/enrollment/my-coverage/{years['2026'].pk}/certificate/").content.decode()
    assert "电子保障凭证" in page and "HZ2026-150203-0000007" in page and "<svg" in page
    token = certificates.certificate_token("HZ2026-150203-0000007")
    url = f"http://testserver/verify/{token}/"
    assert url in page

    with time_machine.travel(TODAY, tick=False):
        public = client.__class__().get(f"/verify/{token}/")  # a stranger: no session
    text = public.content.decode()
    assert public.status_code == 200
    assert 'data-standing="active">有效' in text and "王*" in text
    assert "王芳" not in text and worker.id_number_masked not in text and "包头测试机械厂" not in text


@pytest.mark.django_db
def test_the_public_check_says_expired_for_last_year_and_unknown_for_a_guessed_or_cancelled_number(client, covered):
    _worker, years = covered
    with time_machine.travel(TODAY, tick=False):
        expired = client.get(f"/verify/{certificates.certificate_token('HZ2025-150203-0000007')}/")
        guessed = client.get("/verify/HZ2026-150203-0000007/")
        Coverage.objects.filter(pk=years["2026"].pk).update(status=Coverage.Status.CANCELLED)
        cancelled = client.get(f"/verify/{certificates.certificate_token('HZ2026-150203-0000007')}/")
    assert 'data-standing="expired">已到期' in expired.content.decode()
    assert guessed.status_code == 404 and 'data-standing="unknown"' in guessed.content.decode()
    assert cancelled.status_code == 404 and "王*" not in cancelled.content.decode()


@pytest.mark.django_db
def test_a_worker_cannot_open_another_workers_certificate_or_an_unpaid_one(client, covered):
    worker, years = covered
    other = make_worker(worker.unit, name="李四", phone="13800000078")
    sign_in_as_worker(client, other)
    assert client.get(f"/enrollment/my-coverage/{years['2026'].pk}/certificate/").status_code == 404
    sign_in_as_worker(client, worker)
    assert client.get(f"/enrollment/my-coverage/{years['2027'].pk}/certificate/").status_code == 404


@pytest.mark.django_db
def test_the_worker_downloads_her_own_contribution_receipt_as_a_pdf(client, covered):
    worker, years = covered
    sign_in_as_worker(client, worker)
    response = client.get(f"/enrollment/my-coverage/{years['2026'].pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "HZ2026-150203-0000007" in response["Content-Disposition"]
