"""On her phone (Chromium at 390 px) the worker signs in with the texted code, reads what data matching
shares and consents, finds the benefit made from her medical-insurance data and confirms the card."""
from datetime import timedelta

import pytest
from django.utils import timezone

from huzhu.claims import services as claim_services
from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import cover
from huzhu.claims.tests.test_claims_from_data import settlement
from huzhu.conftest import SCREENS, make_worker, sign_in_on_the_phone
from huzhu.members.models import DataConsent
from huzhu.plans.services import install_default_plans

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_worker_consents_sees_her_data_claim_and_confirms_the_card(browser_page, home_unit,
                                                                                   association_approver):
    # Dates around the real day: the browser's clock is not the test's to move.
    today = timezone.localdate()
    admitted = today - timedelta(days=30)
    install_default_plans(years=(admitted.year - 1, admitted.year, admitted.year + 1))
    worker = make_worker(home_unit, name="其其格", gender="F", phone="13800000077",
                         bank_name="中国农业银行", bank_account="6228480000000054321")
    coverage = cover(worker, year=admitted.year)
    row = settlement(worker, coverage, admitted=admitted, discharged=admitted + timedelta(days=5))
    made = claim_services.claims_from_settlements(actor=association_approver, settlements=[row], today=today)
    claim = Claim.objects.get(pk=made[row.serial])
    assert claim.status == Claim.Status.APPROVED and claim.channel == Claim.Channel.DATA

    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/me/")
    page.wait_for_url("**/me/sign-in/**")
    sign_in_on_the_phone(page, worker)

    assert "未授权" in page.inner_text("#data-consent")
    page.click("#data-consent a[href='/me/data-consent/']")
    page.wait_for_url("**/me/data-consent/")
    assert "会用到哪些信息" in page.inner_text("#consent-explained")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(SCREENS / "me_consent_390.png"), full_page=True)
    page.click("button[value=give]")
    page.wait_for_selector("#consent-status .status.ok")
    assert DataConsent.objects.get(worker=worker, withdrawn_at__isnull=True).source == "worker"

    page.goto(page.base_url + "/me/")
    card = page.locator(f"#data-claims [data-claim='{claim.pk}']")
    assert "已审批待支付" in card.inner_text() and f"{claim.benefit_amount:,.2f}" in card.inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.screenshot(path=str(SCREENS / "me_data_claim_390.png"), full_page=True)
    card.locator(f"a[href='/me/claims/{claim.pk}/bank-card/']").click()
    page.wait_for_url(f"**/me/claims/{claim.pk}/bank-card/")
    assert worker.bank_account_masked in page.inner_text("main")
    page.click("button[value=confirm]")
    page.wait_for_url(lambda url: url.endswith("/me/"))
    confirmed = page.inner_text(f"#data-claims [data-claim='{claim.pk}']")
    assert "已于" in confirmed and "确认银行卡" in confirmed
    assert f"/me/claims/{claim.pk}/bank-card/" not in page.content()
    claim.refresh_from_db()
    assert claim.bank_confirmed_at is not None
