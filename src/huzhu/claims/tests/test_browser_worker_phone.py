"""The worker's phone path in a real Chromium at 390 px: sign in at /me/ with the texted code, see
each coverage's real standing, open the electronic certificate, follow its QR code to the public
check, and read a claim's explanation with every amount on one line."""
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image

from huzhu.conftest import SCREENS, make_worker, sign_in_on_the_phone, texted_codes
from huzhu.enrollment.models import Coverage
from huzhu.plans.services import install_default_plans

from .conftest import cover

pytestmark = pytest.mark.browser

# The height and line height of every amount on the page (an amount that wraps is two lines tall).
AMOUNT_BOXES = """() => [...document.querySelectorAll('.steps li > span:last-child, .total, .amount')].map(el => {
  const box = el.getBoundingClientRect();
  return {text: el.innerText, height: box.height, line: parseFloat(getComputedStyle(el).lineHeight)};
})"""


def assert_amounts_on_one_line(page):
    boxes = page.evaluate(AMOUNT_BOXES)
    assert boxes, "no amount on the page"
    wrapped = [b for b in boxes if b["height"] > 1.5 * b["line"]]
    assert not wrapped, f"amounts wrap at 390 px: {wrapped}"


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_worker_sees_her_standings_certificate_public_check_and_claim_steps(
        browser_page, home_unit, file_stay, no_straight_through, tmp_path):
    # Years around the real date: the browser's clock is not the test's to move.
    today = timezone.localdate()
    install_default_plans(years=(today.year - 1, today.year, today.year + 1))
    worker = make_worker(home_unit, name="王芳", gender="F", phone="13800000066")
    last = cover(worker, year=today.year - 1)
    this = cover(worker, year=today.year)
    cover(worker, year=today.year + 1, status=Coverage.Status.PENDING)
    Coverage.objects.filter(pk=last.pk).update(certificate_no=f"HZ{today.year - 1}-150203-0000066")
    Coverage.objects.filter(pk=this.pk).update(certificate_no=f"HZ{today.year}-150203-0000066")
    Coverage.objects.filter(worker=worker, status=Coverage.Status.PENDING).update(starts_on=None, ends_on=None)
    stay = date(today.year - 1, 3, 1)  # last year's stay: claimable for a year after that period ends
    claim = file_stay("8000.00", who=worker, today=today, admitted=stay, discharged=stay + timedelta(days=10))

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/me/")
    page.wait_for_url("**/me/sign-in/**")
    sign_in_on_the_phone(page, worker)

    standings = page.locator("#coverages [data-standing]").all_inner_texts()
    assert standings == ["待缴费", "有效", "已到期"]  # newest year first
    assert f"#{claim.pk}" in page.inner_text("#claims")
    page.screenshot(path=str(SCREENS / "me_1_home_390.png"), full_page=True)

    page.click(f"a[href='/enrollment/my-coverage/{this.pk}/certificate/']")
    page.wait_for_url("**/certificate/")
    assert f"HZ{today.year}-150203-0000066" in page.inner_text(".certificate-no")
    page.screenshot(path=str(SCREENS / "me_2_certificate_390.png"), full_page=True)
    qr_png = tmp_path / "qr.png"
    page.locator(".qr svg").screenshot(path=str(qr_png))
    decoded = [found.text for found in zxingcpp.read_barcodes(Image.open(qr_png).convert("L"))]
    assert len(decoded) == 1 and "/verify/" in decoded[0]
    assert decoded[0] == page.inner_text(".verify-link a")
    assert f"HZ{today.year}-150203-0000066" not in decoded[0].rsplit(":", 1)[-1]  # a signature follows the number

    # The check is public: a stranger scans it, in a browser with no session of hers.
    stranger = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    stranger.goto(decoded[0])
    assert stranger.inner_text(".verdict") == "有效"
    assert stranger.inner_text(".masked-name") == "王*"
    assert "王芳" not in stranger.inner_text("main")
    stranger.screenshot(path=str(SCREENS / "me_3_verify_390.png"), full_page=True)
    stranger.context.close()

    page.goto(page.base_url + "/claims/mine/")  # the list of her claims: the benefit stays on one line too
    assert_amounts_on_one_line(page)

    page.goto(page.base_url + "/me/")
    page.click(f"#claims a[href='/claims/mine/{claim.pk}/']")
    page.wait_for_url(f"**/claims/mine/{claim.pk}/")
    assert "4,000.00 元" in page.inner_text(".steps")
    assert_amounts_on_one_line(page)
    page.screenshot(path=str(SCREENS / "me_4_claim_explanation_390.png"), full_page=True)

    page.goto(page.base_url + "/me/bank-card/")
    page.fill("input[name=bank_name]", "建设银行")
    page.fill("input[name=bank_account]", "6222020200112233445")
    with texted_codes() as codes:
        page.click("button.primary")
        page.wait_for_selector("input[name=code]")
    assert codes, "no code was texted for the bank card change"
    page.screenshot(path=str(SCREENS / "me_6_bank_card_390.png"), full_page=True)

    year = today.year - 1  # the calculator's form is a GET: the DOMAIN example, one line of steps each
    page.goto(page.base_url + "/calculator/?" + urlencode({
        "action": "calculate", "plan": "hospitalization", "year": year, "gender": "F", "birth_date": "1985-03-02",
        "consecutive_years": "3", "kind": "employee", "rows": "2",
        "e0_type": "inpatient", "e0_start": f"{year}-03-01", "e0_end": f"{year}-03-11", "e0_self_pay": "15000.00",
        "e1_type": "outpatient_chronic", "e1_start": f"{year}-01-01", "e1_end": f"{year}-06-30",
        "e1_self_pay": "4000.00"}))
    assert "9800.00 元" in page.inner_text(".calc-result")
    assert_amounts_on_one_line(page)
    page.locator(".calc-result").screenshot(path=str(SCREENS / "me_5_calculator_result_390.png"))
