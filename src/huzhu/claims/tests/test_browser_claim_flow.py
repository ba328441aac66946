"""In a real Chromium: the desk files a claim with scans, league and association take it through,
and the worker's phone page shows the approved benefit with its steps."""
import pytest

from huzhu.conftest import PASSWORD, SCREENS, sign_in_on_the_phone

from ..models import Claim
from .conftest import INPATIENT_DOCUMENTS, png_bytes

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.context.clear_cookies()
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # "**/" matches the login page too


@pytest.mark.django_db(transaction=True)
def test_a_desk_claim_goes_through_review_and_the_worker_sees_the_benefit_steps(
        browser_page, tmp_path, worker, county_clerk, league_reviewer, association_approver, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "0.00"
    page = browser_page
    scans = {}
    for n, kind in enumerate(INPATIENT_DOCUMENTS):
        scans[kind] = tmp_path / f"{kind}.png"
        scans[kind].write_bytes(png_bytes((40 * n % 255, 90, 160), size=(600, 800)))

    sign_in(page, county_clerk)
    page.goto(page.base_url + "/claims/new/")
    page.fill("input[name=id_number]", worker.reveal_id_number())
    page.fill("input[name=hospital]", "包头市中心医院")
    page.fill("input[name=admitted_on]", "2026-03-01")
    page.fill("input[name=discharged_on]", "2026-03-11")
    page.fill("input[name=diagnosis_code]", "I63.900 脑梗死")
    page.fill("input[name=total_amount]", "20000.00")
    page.fill("input[name=fund_paid_amount]", "12000.00")
    page.fill("input[name=policy_self_pay_amount]", "8000.00")
    page.fill("input[name=invoice_code_1]", "15010126")
    page.fill("input[name=invoice_number_1]", "0000012345")
    page.fill("input[name=invoice_check_1]", "A1B2C3")
    page.fill("input[name=invoice_amount_1]", "20000.00")
    for kind, path in scans.items():
        page.set_input_files(f"input[name=doc_{kind}]", str(path))
    page.screenshot(path=str(SCREENS / "claims_1_desk_form.png"), full_page=True)
    page.click("form.card button.primary")
    page.wait_for_url("**/claims/*/")
    claim = Claim.objects.get()
    assert "待复审" in page.inner_text("h1")
    assert page.locator(".doc img").count() == len(INPATIENT_DOCUMENTS)
    page.screenshot(path=str(SCREENS / "claims_2_after_desk.png"), full_page=True)

    for reviewer, expected in ((league_reviewer, "待审批"), (association_approver, "已审批")):
        sign_in(page, reviewer)
        page.goto(page.base_url + "/claims/")
        page.click(f"text=#{claim.pk}")
        page.fill("textarea[name=comment]", "同意")
        page.click("form[action$='/review/'] button.primary")
        page.wait_for_url(f"**/claims/{claim.pk}/")
        assert expected in page.inner_text("h1")
    page.screenshot(path=str(SCREENS / "claims_3_approved_staff.png"), full_page=True)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/claims/mine/")  # the worker's door asks for the texted code first
    sign_in_on_the_phone(page, worker, lands_on="/claims/mine/")
    page.click(f"text=#{claim.pk}")
    page.wait_for_url(f"**/claims/mine/{claim.pk}/")
    body = page.inner_text("main")
    assert "已审批" in body and "4,100.00 元" in body  # the one money display: separators
    assert "个人自付 0–10000 元 部分 × 50%" in body and "住院补贴 10 天" in body
    page.screenshot(path=str(SCREENS / "claims_4_worker_phone.png"), full_page=True)
