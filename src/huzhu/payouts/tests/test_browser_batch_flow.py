"""In a real Chromium: a maker builds a batch, a checker approves it and downloads the bank file, the
return file with one failed line is imported, and the failed payout waits in the queue."""
import pytest

from huzhu.conftest import PASSWORD, SCREENS

from ..models import Payout, PayoutBatch
from .conftest import lines_of, return_csv

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.context.clear_cookies()
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # "**/" matches the login page too


@pytest.mark.django_db(transaction=True)
def test_a_batch_goes_from_maker_to_checker_to_the_bank_and_back(browser_page, tmp_path, approve_claim, maker,
                                                                 checker):
    page = browser_page
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    for _ in range(3):
        approve_claim()
    approve_claim(bank=False)

    sign_in(page, maker)
    page.goto(page.base_url + "/payouts/new/")
    page.select_option("select[name=plan]", "hospitalization")
    page.click("form.filters button")
    page.wait_for_selector("text=生成批次（3 笔")
    page.screenshot(path=str(SCREENS / "payouts_1_new_batch.png"), full_page=True)
    page.click("form.actions button.primary")
    page.wait_for_url("**/payouts/*/")
    assert "须由另一位协会工作人员复核" in page.content()
    page.screenshot(path=str(SCREENS / "payouts_2_draft.png"), full_page=True)
    batch = PayoutBatch.objects.get()

    sign_in(page, checker)
    page.goto(f"{page.base_url}/payouts/{batch.pk}/")
    page.click("text=复核通过")
    page.wait_for_selector("text=批次已复核")
    with page.expect_download() as download:
        page.click("text=导出银行文件（XLSX）")
    assert download.value.suggested_filename == f"bank-file-{batch.number}.xlsx"
    page.click("text=标记为已送银行")
    page.wait_for_selector("text=等待银行回盘")

    first = Payout.objects.filter(batch=batch).order_by("pk").first()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(return_csv([("HZ99999999-1", "600.00", "成功", "")]))
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=导入回盘")
    page.wait_for_selector("text=整份文件均未处理")
    page.screenshot(path=str(SCREENS / "payouts_3_refused_return.png"), full_page=True)
    good = tmp_path / "good.csv"
    good.write_bytes(return_csv(lines_of(batch, failed={first.reference}, reason="户名与账号不符")))
    page.set_input_files("input[name=file]", str(good))
    page.click("text=导入回盘")
    page.wait_for_selector("text=本批次已全部对账")
    page.screenshot(path=str(SCREENS / "payouts_4_reconciled.png"), full_page=True)

    page.goto(page.base_url + "/payouts/failed/")
    assert first.reference in page.content()
    page.screenshot(path=str(SCREENS / "payouts_5_failed_queue.png"), full_page=True)
    page.goto(page.base_url + "/payouts/")
    page.screenshot(path=str(SCREENS / "payouts_6_list.png"), full_page=True)
    assert blocked == []
