"""In a real Chromium: the payout lines of a batch with a long bank reason keep every column inside
their box at 1280 px (the reason wraps), and on a narrower window the table scrolls inside its box
while the page itself never scrolls sideways."""
import pytest

from huzhu.conftest import PASSWORD, SCREENS

from .. import services
from .conftest import lines_of, return_csv

pytestmark = pytest.mark.browser

LONG_REASON = "收款人账户已销户或处于冻结状态，请联系收款人核对开户银行、户名与账号后重新发起支付（银行代码 E0123）"
# For each data table: does its right edge pass its box's (a clipped or hidden last column)?
TABLE_EDGES = """() => [...document.querySelectorAll('table.data')].map(t => {
  const box = t.parentElement;
  return {wrapped: box.classList.contains('table-wrap'), tableRight: t.getBoundingClientRect().right,
          boxRight: box.getBoundingClientRect().right, scrollable: box.scrollWidth > box.clientWidth,
          overflow: getComputedStyle(box).overflowX};
})"""
PAGE_FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.django_db(transaction=True)
def test_payout_lines_keep_their_last_columns_in_the_box_and_scroll_inside_it_when_narrow(
        browser_page, sent_batch, maker):
    failed = {sent_batch.payouts.order_by("pk").first().reference}
    services.import_return_file(actor=maker, batch=sent_batch, file_name="回盘.csv",
                                content=return_csv(lines_of(sent_batch, failed=failed, reason=LONG_REASON)))
    page = browser_page
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", maker.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # "**/" would match the login page itself

    page.goto(f"{page.base_url}/payouts/{sent_batch.pk}/")
    assert LONG_REASON in page.inner_text("main")
    edges = page.evaluate(TABLE_EDGES)
    assert all(e["tableRight"] <= e["boxRight"] + 1 for e in edges), edges
    page.screenshot(path=str(SCREENS / "payouts_lines_1280.png"), full_page=True)

    page.set_viewport_size({"width": 900, "height": 860})
    page.reload()
    assert page.evaluate(PAGE_FITS)
    wide = [e for e in page.evaluate(TABLE_EDGES) if e["tableRight"] > e["boxRight"] + 1]
    assert wide and all(e["wrapped"] and e["scrollable"] and e["overflow"] == "auto" for e in wide), wide

    page.goto(f"{page.base_url}/payouts/failed/")
    assert page.evaluate(PAGE_FITS)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.reload()
    edges = page.evaluate(TABLE_EDGES)
    assert all(e["tableRight"] <= e["boxRight"] + 1 for e in edges), edges
