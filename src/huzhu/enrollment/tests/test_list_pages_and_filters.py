"""The enrollment list pages and filters (it used to stop silently at 200 rows); the 办理参互 plan-year
choice offers only years that can still be enrolled, the running year first."""
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from huzhu.conftest import PASSWORD, make_unit

from ..models import Enrollment
from ..queries import enrollable_plan_years


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def mid_year_batches(unit, plan_year, count: int, *, status=Enrollment.Status.SUBMITTED) -> None:
    Enrollment.objects.bulk_create(Enrollment(
        unit=unit, plan_year=plan_year, kind=Enrollment.Kind.MID_YEAR, status=status, league_id=unit.league_id,
        county_id=unit.county_id, headcount=index + 1) for index in range(count))


@pytest.mark.django_db
def test_the_list_pages_past_two_hundred_enrollments_and_the_last_page_holds_the_rest(
        client, county_clerk, home_unit, hospitalization_2026):
    mid_year_batches(home_unit, hospitalization_2026, 230)
    login(client, county_clerk)
    first = client.get(reverse("enrollment:index"))
    assert first.context["page"].paginator.count == 230
    assert "第 1 / 5 页，共 230 条" in first.text and "page=2" in first.text
    last = client.get(reverse("enrollment:index"), {"page": 5})
    assert len(last.context["page"]) == 30  # 230 = 4 pages of 50 and 30 more: nothing cut off


@pytest.mark.django_db
def test_the_list_filters_by_status_plan_year_and_unit_name_and_the_pager_keeps_the_filters(
        client, county_clerk, home_unit, hospitalization_2026, women_2026):
    neighbour = make_unit(home_unit.county_id, name="昆区第二机械厂")
    mid_year_batches(home_unit, hospitalization_2026, 60, status=Enrollment.Status.PAID)
    mid_year_batches(home_unit, hospitalization_2026, 3, status=Enrollment.Status.DRAFT)
    mid_year_batches(home_unit, women_2026, 4, status=Enrollment.Status.PAID)
    mid_year_batches(neighbour, hospitalization_2026, 2, status=Enrollment.Status.PAID)
    login(client, county_clerk)
    index = reverse("enrollment:index")
    assert client.get(index, {"status": "draft"}).context["page"].paginator.count == 3
    assert client.get(index, {"plan_year": women_2026.pk}).context["page"].paginator.count == 4
    assert client.get(index, {"q": "第二机械"}).context["page"].paginator.count == 2
    paid_2026 = client.get(index, {"status": "paid", "plan_year": hospitalization_2026.pk})
    assert paid_2026.context["page"].paginator.count == 62
    assert f"plan_year={hospitalization_2026.pk}&amp;status=paid&page=2" in paid_2026.text, paid_2026.text.split('class="pager"')[1][:400]
    assert client.get(index, {"status": "nonsense"}).context["page"].paginator.count == 69  # a bad filter is ignored


@pytest.mark.django_db
def test_an_empty_list_explains_in_words_what_fills_it(client, county_clerk, home_unit, plan_years):
    login(client, county_clerk)
    page = client.get(reverse("enrollment:index")).text
    assert "暂无参互记录" in page and "办理参互" in page
    assert "没有符合条件的参互记录" in client.get(reverse("enrollment:index"), {"q": "无此单位"}).text


@pytest.mark.django_db
def test_the_plan_year_choice_hides_ended_years_and_defaults_to_the_running_one(client, county_clerk, home_unit,
                                                                                 plan_years):
    with time_machine.travel(date(2026, 12, 2), tick=False):
        years = enrollable_plan_years(on=date(2026, 12, 2))
        login(client, county_clerk)
        page = client.get(reverse("enrollment:index")).text
    assert [(p.plan_id, p.year) for p in years] == [("hospitalization", 2026), ("women_health", 2026),
                                                    ("hospitalization", 2027), ("women_health", 2027)]
    running = plan_years[("hospitalization", 2026)]
    assert f'<option value="{running.pk}" selected>' in page
    start_form = page.split('action="/enrollment/start/"')[1].split("</form>")[0]
    assert str(plan_years[("hospitalization", 2025)]) not in start_form  # ended: enrollment would refuse it
