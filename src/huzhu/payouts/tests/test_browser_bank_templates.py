"""In a real Chromium: the bank-file template list and form and a batch's export choices fit at 1280 and 390 px
(the page never scrolls sideways; a wide table scrolls inside its box)."""
import pytest

from huzhu.conftest import PASSWORD, SCREENS

from .test_browser_wide_tables import PAGE_FITS, TABLE_EDGES

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_template_pages_and_export_choices_fit_a_desktop_and_a_phone(browser_page, approved_batch, maker,
                                                                      shipped_templates):
    page = browser_page
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", maker.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    icbc = shipped_templates["icbc_payroll"]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 860})
        for path, name in (("/payouts/bank-templates/", "list"), (f"/payouts/bank-templates/{icbc.pk}/", "form"),
                           (f"/payouts/{approved_batch.pk}/", "batch")):
            page.goto(page.base_url + path)
            assert page.evaluate(PAGE_FITS), (path, width)
            edges = page.evaluate(TABLE_EDGES)
            assert all(e["wrapped"] or e["tableRight"] <= e["boxRight"] + 1 for e in edges), (path, width, edges)
            page.screenshot(path=str(SCREENS / f"payouts_bank_templates_{name}_{width}.png"), full_page=True)
    assert "pain.001" in page.inner_text("main") and icbc.name in page.inner_text("main")
