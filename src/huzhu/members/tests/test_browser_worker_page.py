"""At 1280 px the association finds a worker through the grouped navigation and reads, on one page,
whether she is covered (issue 22: "is this person covered?" in one page load, not five)."""
from datetime import date

import pytest

from huzhu.conftest import PASSWORD, SCREENS, make_worker
from huzhu.enrollment.tests.test_worker_certificate import cover
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans


@pytest.mark.django_db(transaction=True)
def test_the_association_opens_a_worker_from_the_grouped_menu_and_sees_her_coverage(
        browser_page, association_approver, home_unit):
    last_year, this_year = date.today().year - 1, date.today().year
    install_default_plans(years=(last_year, this_year))
    worker = make_worker(home_unit, name="萨仁", gender="F")
    for year in (last_year, this_year):
        plan_year = PlanYear.objects.get(plan_id="hospitalization", year=year)
        cover(worker, plan_year, certificate_no=f"HZ{year}-150203-0000101")
    page = browser_page
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", association_approver.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # "**/" matches the login page too
    assert page.locator(".mainnav").bounding_box()["height"] < 48  # every group on one line
    page.hover(".mainnav >> text=参保")
    page.click(".mainnav >> text=职工")
    page.wait_for_url("**/members/workers/")
    page.click("text=萨仁")
    page.wait_for_url(f"**/members/workers/{worker.pk}/")
    table = page.inner_text("#coverages + .table-wrap")
    assert f"HZ{last_year}-150203-0000101" in table and f"HZ{this_year}-150203-0000101" in table
    assert "已到期" in table and "有效" in table  # last year's paid coverage is not "有效" today
    page.screenshot(path=str(SCREENS / "desk_worker_page.png"), full_page=True)
