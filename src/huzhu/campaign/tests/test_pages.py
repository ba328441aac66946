"""Campaign pages: who may see and do what, targets set in the form, and the follow-up flow over HTTP."""
import pytest
from django.urls import reverse

from huzhu.campaign.models import ContactLog, FollowUp, Target
from huzhu.conftest import PASSWORD

from .conftest import BAOTOU, CHIFENG, HONGSHAN, KUNDULUN, TODAY

YEAR = {"plan": "hospitalization", "year": 2027}


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("huzhu.campaign.views._today", lambda: TODAY)


@pytest.mark.parametrize("name", ["progress", "targets", "follow_up_list", "outreach", "staffing", "evaluation"])
def test_every_campaign_page_renders_for_the_association(client, scenario, association_approver, name):
    login(client, association_approver)
    response = client.get(reverse(f"campaign:{name}"), YEAR)
    assert response.status_code == 200
    assert "参互推进" in response.text  # the navigation entry


def test_a_unit_contact_may_not_open_the_campaign(client, unit_contact, plan_years):
    login(client, unit_contact)
    assert client.get(reverse("campaign:progress"), YEAR).status_code == 403


def test_the_progress_page_shows_the_chart_data_and_days_left(client, scenario, league_reviewer):
    login(client, league_reviewer)
    page = client.get(reverse("campaign:progress"), YEAR).text
    assert 'id="burnup-data" type="application/json"' in page
    assert "campaign/burnup.js" in page and "<script>" not in page  # no inline script
    assert "昆都仑区" in page and "红山区" not in page
    assert '<strong class="total">21</strong>' in page


def test_the_association_sets_a_league_target_and_a_decline_needs_a_reason(client, scenario, association_approver):
    login(client, association_approver)
    form = {**YEAR, "league": ""}
    page = client.get(reverse("campaign:targets"), YEAR)
    for row in page.context["rows"]:
        form[f"units_{row['division'].code}"] = row["units_last_year"]
        form[f"people_{row['division'].code}"] = row["people_last_year"]
    form[f"people_{BAOTOU}"] = int(form[f"people_{BAOTOU}"]) + 25
    response = client.post(reverse("campaign:targets"), form, follow=True)
    assert "已保存12项目标" in response.text
    assert Target.objects.get(division_id=BAOTOU).people == form[f"people_{BAOTOU}"]
    form[f"units_{CHIFENG}"] = int(form[f"units_{CHIFENG}"]) - 1
    response = client.post(reverse("campaign:targets"), form)
    assert "确需下调请填写原因" in response.text
    assert Target.objects.get(division_id=CHIFENG).units == int(form[f"units_{CHIFENG}"]) + 1


def test_an_office_may_not_set_targets(client, scenario, league_reviewer):
    login(client, league_reviewer)
    assert client.post(reverse("campaign:targets"), {**YEAR, f"units_{KUNDULUN}": "1"}).status_code == 403


def test_a_county_clerk_takes_a_unit_and_logs_a_contact(client, scenario, county_clerk):
    spec = next(s for s in scenario if s.county == KUNDULUN and s.covered_2026 and not s.paid_2027_on)
    login(client, county_clerk)
    listing = client.get(reverse("campaign:follow_up_list"), YEAR).text
    assert spec.unit.name in listing and spec.unit.contact_phone_masked in listing and spec.unit.reveal_contact_phone() not in listing
    response = client.post(reverse("campaign:take", args=[spec.unit.pk]), YEAR, follow=True)
    assert "已认领" in response.text
    response = client.post(reverse("campaign:log_contact", args=[spec.unit.pk]), {
        **YEAR, "contacted_on": TODAY.isoformat(), "channel": "visit", "outcome": "considering",
        "next_step": "周五送续互材料", "next_due_on": "2026-11-27", "note": "工会主席在外地"}, follow=True)
    assert "已登记联系情况" in response.text and "周五送续互材料" in response.text
    log = ContactLog.objects.get()
    assert (log.follow_up.assignee, log.logged_by, log.channel) == (county_clerk, county_clerk, "visit")


def test_a_refused_contact_keeps_what_was_typed(client, scenario, county_clerk):
    spec = next(s for s in scenario if s.county == KUNDULUN and s.covered_2026 and not s.paid_2027_on)
    login(client, county_clerk)
    client.post(reverse("campaign:take", args=[spec.unit.pk]), YEAR)
    response = client.post(reverse("campaign:log_contact", args=[spec.unit.pk]), {
        **YEAR, "contacted_on": TODAY.isoformat(), "channel": "phone", "outcome": "considering",
        "note": "要再商量", "next_step": ""}, follow=True)
    assert "请写明下一步安排" in response.text and 'value="要再商量"' in response.text
    assert not ContactLog.objects.exists()


def test_a_unit_in_another_county_is_404_for_a_county_clerk(client, scenario, county_clerk):
    elsewhere = next(s for s in scenario if s.county == HONGSHAN).unit
    login(client, county_clerk)
    assert client.get(reverse("campaign:follow_up", args=[elsewhere.pk]), YEAR).status_code == 404
    assert client.post(reverse("campaign:take", args=[elsewhere.pk]), YEAR).status_code == 404
    assert not FollowUp.objects.exists()


def test_an_auditor_reads_the_follow_up_list_but_cannot_take(client, scenario, auditor):
    spec = next(s for s in scenario if s.covered_2026 and not s.paid_2027_on)
    login(client, auditor)
    page = client.get(reverse("campaign:follow_up_list"), YEAR).text
    assert spec.unit.name in page and "认领</button>" not in page
    assert client.post(reverse("campaign:take", args=[spec.unit.pk]), YEAR).status_code == 403


def test_an_office_records_outreach_through_the_form(client, scenario, league_reviewer):
    units = [s.unit.pk for s in scenario if s.league == BAOTOU][:2]
    login(client, league_reviewer)
    assert client.get(reverse("campaign:outreach_new"), YEAR).status_code == 200
    response = client.post(reverse("campaign:outreach_new"), {
        **YEAR, "held_on": "2026-10-12", "kind": "mine", "place": "包钢集团", "audience_size": "300",
        "materials_count": "500", "units": units}, follow=True)
    assert "已登记宣传活动" in response.text and "包钢集团" in response.text
    assert "包头市职工互助保障办事处" in response.text
