"""In a real Chromium: the association uploads a settlement feed, a consenting worker's stay becomes a claim
with no application, it is paid, and the worker's phone page shows the paid benefit."""
from datetime import timedelta

import pytest
from django.utils import timezone

from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import cover
from huzhu.claims.tests.test_browser_claim_flow import sign_in
from huzhu.conftest import SCREENS, make_staff, make_worker, sign_in_on_the_phone
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.payouts import bank_files
from huzhu.payouts import rules as payout_rules
from huzhu.payouts import services as payouts
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role
from huzhu.settlements import services

from .conftest import consent, feed_row, write_csv

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_feed_upload_pays_a_consenting_worker_who_sees_it_on_her_phone(browser_page, home_unit, association_approver,
                                                                         tmp_path, settings):
    settings.VAR_DIR = tmp_path
    # Dates around the real day: the browser's clock is not the test's to move.
    today = timezone.localdate()
    install_default_plans(years=(today.year,))
    services.save_agreement(actor=SYSTEM_ACTOR, bureau_name="内蒙古自治区医疗保障局", region_id=None,
                            starts_on=today.replace(month=1, day=1), ends_on=today.replace(month=12, day=31))
    worker = make_worker(home_unit, name="萨仁", gender="F", phone="13800000077", bank_name="工商银行",
                         bank_account="6222020200112233446")
    cover(worker, year=today.year)
    consent(worker)
    settings.HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE = True
    admitted = max(today.replace(month=1, day=1), today - timedelta(days=20))
    feed = write_csv(tmp_path / "feed.csv", [feed_row(worker, serial="BR1", admitted=admitted,
                                                      discharged=admitted + timedelta(days=5),
                                                      settled=admitted + timedelta(days=5), self_pay="2000.00",
                                                      total="16000.00")])

    page = browser_page
    sign_in(page, association_approver)
    page.goto(page.base_url + "/settlements/")
    page.set_input_files("#settlement-upload input[type=file]", str(feed))
    page.check("#settlement-upload input[value=valid]")
    page.click("#settlement-upload button.primary")
    page.wait_for_selector("#settlement-outcomes", timeout=60_000)
    assert "1" in page.inner_text("#settlement-outcomes")
    page.screenshot(path=str(SCREENS / "settlements_1_import.png"), full_page=True)

    claim = Claim.objects.get(settlement_serial="BR1")
    assert claim.channel == Claim.Channel.DATA and claim.status == Claim.Status.APPROVED
    # The finance office pays it as every benefit is paid: a batch, made and checked, sent, the bank's return file.
    batch = payouts.build_batch(actor=association_approver, filters=payout_rules.BatchFilters())
    payouts.approve_batch(actor=make_staff("checker", Role.ASSOCIATION), batch=batch)
    payouts.record_bank_file_export(actor=association_approver, batch=batch, file_format="csv")
    payouts.mark_batch_sent(actor=association_approver, batch=batch, sent_on=today)
    payouts.import_return_file(actor=association_approver, batch=batch, file_name="回盘.csv", content=b"".join(
        bank_files.csv_chunks(payout_rules.RETURN_FILE_HEADERS, bank_files.return_template_rows(batch))))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID

    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    phone.goto(page.base_url + "/me/")
    phone.wait_for_url("**/me/sign-in/**")
    sign_in_on_the_phone(phone, worker)
    claims = phone.inner_text("#data-claims")  # claims made from data have their own section
    assert f"#{claim.pk}" in claims and "已支付" in claims
    phone.screenshot(path=str(SCREENS / "settlements_2_worker_paid_390.png"), full_page=True)
    phone.context.close()
