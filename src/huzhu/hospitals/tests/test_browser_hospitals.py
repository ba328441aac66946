"""In a real Chromium: the association registers a partner hospital and issues its token; the hospital's system
settles a stay at discharge over HTTP with it; the association batches, reconciles and pays the advance; the worker's
phone shows the claim settled at the hospital."""
import json
import urllib.request
from datetime import timedelta

import pytest

from huzhu.claims.models import Claim
from huzhu.claims.tests.test_browser_claim_flow import sign_in
from huzhu.conftest import SCREENS, make_worker, sign_in_on_the_phone
from huzhu.hospitals.models import DischargeSettlement, ReimbursementBatch
from huzhu.ledger.models import Posting

from .conftest import cover, stay, today

pytestmark = pytest.mark.browser


def his_call(base: str, token: str, body: dict) -> dict:
    """The hospital's system: POST the stay at discharge with its bearer token."""
    request = urllib.request.Request(base + "/api/v1/hospital/discharges", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        return json.loads(response.read())


@pytest.mark.django_db(transaction=True)
def test_register_a_hospital_it_settles_at_discharge_and_is_paid_back(browser_page, plans, home_unit,
                                                                     association_approver, tmp_path):
    worker = make_worker(home_unit, name="乌云", gender="F", phone="13800000088")
    for year in sorted({(today() - timedelta(days=20)).year, today().year}):
        cover(worker, year=year)
    page = browser_page
    sign_in(page, association_approver)
    page.goto(page.base_url + "/hospitals/new/")
    page.fill("input[name=code]", "ｈ１５０２０３００００１")  # full-width, lower case: normalised
    page.fill("input[name=name]", "包头市中心医院")
    page.select_option("select[name=league]", "150200")
    page.fill("input[name=bank_name]", "中国工商银行包头分行")
    page.fill("input[name=account_name]", "包头市中心医院")
    page.fill("input[name=bank_account]", "0602 0012 3456 7890 123")
    page.click("#hospital-form button.primary")
    page.wait_for_selector("#token-form")
    page.click("#token-form button.primary")
    token = page.inner_text("#new-token code.token").strip()
    assert token.startswith("hzh_")
    page.screenshot(path=str(SCREENS / "hospitals_1_token.png"), full_page=True)

    answer = his_call(page.base_url, token, stay(worker, serial="ZYBROWSER1", days_ago=2))
    assert answer["status"] == "settled" and answer["covered"] is True, answer
    claim = Claim.objects.get(pk=answer["claim_id"])
    assert claim.channel == Claim.Channel.HOSPITAL and claim.status == Claim.Status.PAID

    page.reload()
    assert "ZYBROWSER1" in page.inner_text("#discharges")
    page.fill("#batch-form input[name=through]", (today() - timedelta(days=1)).isoformat())
    page.click("#batch-form button.primary")
    page.wait_for_selector("#statement-form")
    batch = ReimbursementBatch.objects.get()
    statement = tmp_path / "statement.csv"
    statement.write_text(f"结算流水号,互助补助金\nZYBROWSER1,{answer['benefit']}\n", encoding="utf-8-sig")
    page.set_input_files("#statement-form input[type=file]", str(statement))
    page.click("#statement-form button.primary")
    page.wait_for_selector("#paid-form")
    page.screenshot(path=str(SCREENS / "hospitals_2_batch.png"), full_page=True)
    page.click("#paid-form button.primary")
    page.wait_for_selector("text=已记为付款")
    batch.refresh_from_db()
    assert batch.status == ReimbursementBatch.Status.PAID
    assert DischargeSettlement.objects.get().reimbursed_on == today()
    owed = Posting.objects.filter(account__code="2202-H15020300001").values_list("amount", flat=True)
    assert sum(owed) == 0  # advanced, then paid back

    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    phone.goto(page.base_url + "/me/")
    phone.wait_for_url("**/me/sign-in/**")
    sign_in_on_the_phone(phone, worker)
    assert "出院时已在包头市中心医院直接结算" in phone.inner_text("#claims")
    phone.click(f"a[href='/claims/mine/{claim.pk}/']")
    phone.wait_for_selector("#at-hospital")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # nothing wider than a phone
    phone.screenshot(path=str(SCREENS / "hospitals_3_worker_390.png"), full_page=True)
    phone.context.close()
