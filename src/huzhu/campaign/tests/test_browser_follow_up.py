"""In a real Chromium: an office clerk takes the largest unit not yet renewed and logs a visit."""
from datetime import timedelta

import pytest
from django.utils import timezone

from huzhu.campaign.models import ContactLog
from huzhu.conftest import PASSWORD, SCREENS

from .conftest import BAOTOU

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_office_takes_a_unit_from_the_follow_up_list_and_logs_a_contact(browser_page, scenario, league_reviewer):
    largest = max((s for s in scenario if s.league == BAOTOU and s.covered_2026 and not s.paid_2027_on),
                  key=lambda s: (len(s.covered_2026), s.unit.eligible_headcount, -s.unit.pk))
    page = browser_page
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", league_reviewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # "**/" matches the login page too
    page.hover(".mainnav >> text=参保")  # the group's menu opens on hover
    page.click(".mainnav >> text=参互推进")
    page.wait_for_url("**/campaign/")
    page.goto(page.base_url + "/campaign/follow-up/?plan=hospitalization&year=2027")
    first_row = page.locator("#follow-up-table tbody tr").first
    assert largest.unit.name in first_row.inner_text()  # largest first
    page.screenshot(path=str(SCREENS / "campaign_follow_up_list.png"), full_page=True)

    first_row.get_by_role("button", name=f"认领{largest.unit.name}").click()
    page.wait_for_url(f"**/campaign/follow-up/{largest.unit.pk}/**")
    assert "已认领" in page.inner_text(".messages")
    assert league_reviewer.username in page.inner_text("#assignee")

    today = timezone.localdate()
    page.fill("input[name=contacted_on]", today.isoformat())
    page.select_option("select[name=channel]", "visit")
    page.select_option("select[name=outcome]", "considering")
    page.fill("input[name=note]", "工会主席同意提交职代会研究")
    page.fill("input[name=next_step]", "周五送续互材料")
    page.fill("input[name=next_due_on]", (today + timedelta(days=3)).isoformat())
    page.click("#contact-form button.primary")
    page.wait_for_selector("text=已登记联系情况")
    table = page.inner_text("#contact-table")
    assert "上门走访" in table and "研究考虑中" in table and "周五送续互材料" in table
    page.screenshot(path=str(SCREENS / "campaign_follow_up_contact.png"), full_page=True)

    page.goto(page.base_url + "/campaign/follow-up/?plan=hospitalization&year=2027&show=mine")
    mine = page.inner_text("#follow-up-table")
    assert largest.unit.name in mine and "周五送续互材料" in mine
    assert ContactLog.objects.filter(follow_up__unit=largest.unit, logged_by=league_reviewer).count() == 1
