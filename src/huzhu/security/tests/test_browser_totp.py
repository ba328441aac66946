"""In a real Chromium: an approver scans the TOTP QR code from the screen, enrols, and signs in with a code."""
import io

import pyotp
import pytest
import zxingcpp
from PIL import Image

from huzhu.conftest import PASSWORD, SCREENS
from huzhu.security.models import TotpDevice

pytestmark = pytest.mark.browser


def _sign_in_with_password(page, user):
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_an_approver_scans_the_qr_code_enrols_and_signs_in_with_totp(browser_page, association_approver, settings):
    settings.HUZHU_2FA_REQUIRED_ROLES = ["association"]
    page = browser_page
    _sign_in_with_password(page, association_approver)
    page.wait_for_url("**/security/two-factor/**")  # the association's role must enrol first
    shot = page.locator(".totp-qr").screenshot()
    page.screenshot(path=str(SCREENS / "totp_enrolment.png"), full_page=True)
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert found and found[0].text.startswith("otpauth://totp/")
    totp = pyotp.parse_uri(found[0].text)
    page.fill("input[name=code]", totp.now())
    page.click("form button.primary")
    page.wait_for_selector("text=两步验证已")
    assert TotpDevice.objects.get(user=association_approver).confirmed_at is not None

    page.context.clear_cookies()
    _sign_in_with_password(page, association_approver)
    page.wait_for_url("**/security/login/code/**")
    device = TotpDevice.objects.get(user=association_approver)
    # The enrolment used the current step; the next code is the next step's (a code is accepted once).
    page.fill("input[name=code]", totp.generate_otp(device.last_used_step + 1))
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/")
    assert "/login" not in page.url
