"""In a real Chromium: a county clerk logs in, searches a worker, opens the page."""
import pytest

from huzhu.conftest import PASSWORD, SCREENS, make_worker

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_county_clerk_searches_a_worker_and_sees_only_masked_numbers(browser_page, county_clerk, home_unit, other_unit):
    mine = make_worker(home_unit, name="巴特尔", gender="M")
    make_worker(other_unit, name="其木格", gender="F")
    page = browser_page
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", county_clerk.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # "**/" matches the login page too
    assert "代办点" in page.inner_text(".who")
    nav = page.text_content(".mainnav")  # the items sit in groups' menus, shown on hover
    assert "职工" in nav and "年度方案" not in nav

    page.goto(page.base_url + "/members/workers/")
    page.fill("input[name=q]", mine.id_number_masked[-4:])
    page.click("form.filters button")
    page.click("text=巴特尔")
    page.wait_for_url(f"**/members/workers/{mine.pk}/")
    body = page.inner_text("main")
    assert mine.id_number_masked in body
    assert mine.reveal_id_number() not in page.content()
    assert home_unit.name in body
    page.screenshot(path=str(SCREENS / "clerk_worker_page.png"), full_page=True)

    page.goto(page.base_url + "/members/workers/")
    assert "其木格" not in page.inner_text("main")
    response = page.goto(page.base_url + f"/members/units/{other_unit.pk}/")
    assert response.status == 404
