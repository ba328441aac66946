"""The worker starts a claim on her phone in a real Chromium at 390 px: sign in at /me/ with the
texted code, pick the coverage and the stay, photograph the documents, read the estimated benefit,
submit, and find the claim in her list with its status."""
from datetime import timedelta

import pytest
from django.utils import timezone

from huzhu.conftest import SCREENS, make_worker, sign_in_on_the_phone
from huzhu.plans.services import install_default_plans

from ..models import Claim
from .conftest import INPATIENT_DOCUMENTS, cover, png_bytes

pytestmark = pytest.mark.browser

SMALL_CHOICES = """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
  .every(input => input.getBoundingClientRect().width < 40)"""
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_worker_starts_photographs_estimates_and_submits_a_claim(
        browser_page, home_unit, no_straight_through, tmp_path):
    # Dates around the real day: the browser's clock is not the test's to move.
    admitted = timezone.localdate() - timedelta(days=30)
    discharged = admitted + timedelta(days=10)
    install_default_plans(years=(admitted.year - 1, admitted.year, admitted.year + 1))
    worker = make_worker(home_unit, name="王芳", gender="F", phone="13800000088")
    coverage = cover(worker, year=admitted.year, consecutive_years=3)
    photos = []
    for n, kind in enumerate(INPATIENT_DOCUMENTS):
        photo = tmp_path / f"{kind}.png"
        photo.write_bytes(png_bytes((40 * n, 120, 90), size=(320, 240)))
        photos.append((kind, photo))

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/me/")
    page.wait_for_url("**/me/sign-in/**")
    sign_in_on_the_phone(page, worker)

    page.click("#claims a[href='/claims/mine/new/']")
    page.wait_for_url("**/claims/mine/new/")
    page.check(f"input[name=coverage][value='{coverage.pk}']")
    assert page.evaluate(SMALL_CHOICES)  # radios beside their text, not full-width blocks
    page.select_option("select[name=claim_type]", "inpatient")
    assert not page.is_visible("input[name=period_start_on]")  # only the stay's fields show
    page.fill("input[name=hospital]", "包头市中心医院")
    page.fill("input[name=admitted_on]", admitted.isoformat())
    page.fill("input[name=discharged_on]", discharged.isoformat())
    page.fill("input[name=total_amount]", "20000.00")
    page.fill("input[name=fund_paid_amount]", "12000.00")
    page.fill("input[name=policy_self_pay_amount]", "8000.00")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(SCREENS / "me_7_claim_start_390.png"), full_page=True)
    page.click("form.claim-start button.primary")

    page.wait_for_url("**/claims/mine/*/")
    claim = Claim.objects.get(worker=worker)
    assert claim.status == "draft" and claim.channel == "worker"
    for kind, photo in photos:
        page.set_input_files(f"input[name=doc_{kind}]", str(photo))
    page.click("#photos button[name=photos]")
    page.wait_for_selector("#photos .status.ok")
    assert page.locator("#photos .status.ok").count() == len(INPATIENT_DOCUMENTS)
    # 8000 × 50% + 10 days × 30 yuan (third consecutive year): the engine's steps before submitting
    assert "4,300.00 元" in page.inner_text("#estimate .total")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(SCREENS / "me_8_claim_photos_estimate_390.png"), full_page=True)

    page.click("#submit button[name=submit]")
    page.wait_for_url("**/claims/mine/")
    row = page.locator(f"a.claim-link[href='/claims/mine/{claim.pk}/']")
    assert "待初审（代办点）" in row.inner_text() and "4,300.00" in row.inner_text()
    page.screenshot(path=str(SCREENS / "me_9_claim_submitted_390.png"), full_page=True)
    claim.refresh_from_db()
    assert claim.status == "first_review" and claim.documents.count() == len(INPATIENT_DOCUMENTS)
