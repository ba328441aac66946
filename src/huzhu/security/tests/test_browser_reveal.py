"""In a real Chromium, under the Content-Security-Policy: a clerk reveals an ID number once."""
import pytest

from huzhu.conftest import PASSWORD, SCREENS, make_worker
from huzhu.security.models import PersonalDataAccess

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_clerk_reveals_an_id_number_through_htmx_with_no_csp_violation(browser_page, county_clerk, home_unit):
    worker = make_worker(home_unit, name="巴特尔")
    page = browser_page
    violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", county_clerk.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # "**/" matches the login page too
    page.goto(page.base_url + f"/members/workers/{worker.pk}/")
    assert worker.reveal_id_number() not in page.content()
    page.fill("input[name=reason]", "核对申领材料")
    page.click("#reveal-personal-data button[type=submit]")
    page.wait_for_selector("#reveal-result code.secret")
    assert page.inner_text("#reveal-result code.secret") == worker.reveal_id_number()
    assert page.url.endswith(f"/members/workers/{worker.pk}/")  # swapped in place by htmx, script allowed
    page.screenshot(path=str(SCREENS / "clerk_reveals_id_number.png"), full_page=True)
    assert violations == []
    assert PersonalDataAccess.objects.filter(kind="reveal", worker_id=worker.pk).count() == 1
