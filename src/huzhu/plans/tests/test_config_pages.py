"""Plan-year configuration pages: the association changes terms, auditors read, others are refused."""
import pytest
from django.urls import reverse

from huzhu.conftest import PASSWORD
from huzhu.plans import services
from huzhu.plans.models import PlanYear
from huzhu.plans.tests.test_terms_form import posted

YEAR_URL = reverse("plans:year_detail", args=["hospitalization", 2026])
EDIT_URL = reverse("plans:new_version", args=["hospitalization", 2026])


@pytest.fixture
def plan_years(db):
    return services.install_default_plans()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def current_document():
    return PlanYear.objects.get(plan_id="hospitalization", year=2026).current_version.document


def test_association_sees_every_plan_year_with_status_and_version(client, association_approver, plan_years):
    login(client, association_approver)
    page = client.get(reverse("plans:index")).text
    assert "职工住院医疗互助保障" in page and "女性馨康互助保障" in page
    assert "已开放" in page and "v1" in page
    assert ">hospitalization<" not in page and ">women_health<" not in page  # no raw plan codes on the page


def test_the_plan_year_page_shows_the_terms_in_chinese_tables(client, association_approver, plan_years):
    login(client, association_approver)
    page = client.get(YEAR_URL).text
    for text in ("100 元/人·年", "10,000 – 20,000", "60%", "每次住院最低补助 200 元", "第 3 年及以后",
                 "每年合计最多 180 天", "1,000 元（每年扣一次）", "500,000 元/人", "2027-12-31",
                 "住院结算单", "火化证明", "5%", "8%", "修改条款（发布新版本）"):
        assert text in page, text


def test_county_clerk_cannot_open_the_configuration(client, county_clerk, plan_years):
    login(client, county_clerk)
    assert client.get(reverse("plans:index")).status_code == 403
    assert client.get(YEAR_URL).status_code == 403
    assert "年度方案" not in client.get(reverse("home")).text


def test_anonymous_visitor_is_sent_to_login(client, plan_years):
    response = client.get(reverse("plans:index"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_auditor_reads_the_terms_but_cannot_change_them(client, auditor, plan_years):
    login(client, auditor)
    page = client.get(YEAR_URL)
    assert page.status_code == 200
    assert "修改条款（发布新版本）" not in page.text and "结算本年度" not in page.text
    assert client.get(EDIT_URL).status_code == 403
    assert client.post(EDIT_URL, posted(current_document(), reason="x")).status_code == 403
    assert client.post(reverse("plans:copy_year", args=["hospitalization", 2027])).status_code == 403
    assert PlanYear.objects.filter(year=2028).count() == 0


def test_association_publishes_a_new_version_of_an_open_year_with_a_reason(client, association_approver, plan_years):
    login(client, association_approver)
    data = posted(current_document(), **{"subsidy_amount": "15", "based_on": "1"})
    data["reason"] = "盟市工会追加补助"
    response = client.post(EDIT_URL, data)
    assert response.status_code == 302
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=2026)
    assert plan_year.current_version.number == 2
    assert str(plan_year.terms.subsidy_amount) == "15"
    history = client.get(YEAR_URL).text
    assert "盟市工会追加补助" in history and "approver" in history


def test_a_change_to_an_open_year_without_a_reason_is_shown_again_with_the_error(client, association_approver, plan_years):
    login(client, association_approver)
    response = client.post(EDIT_URL, posted(current_document(), subsidy_amount="15", based_on="1"))
    assert response.status_code == 200
    assert "方案已开放，修订条款须填写原因" in response.text
    assert 'value="15"' in response.text  # what was typed is kept
    assert PlanYear.objects.get(plan_id="hospitalization", year=2026).versions.count() == 1


def test_a_bad_value_is_reported_on_its_field_in_chinese(client, association_approver, plan_years):
    login(client, association_approver)
    data = posted(current_document(), **{"outpatient.rate": "150", "based_on": "1"})
    data["reason"] = "试一下"
    response = client.post(EDIT_URL, data)
    assert response.status_code == 200
    assert "不能大于 100%" in response.text


def test_the_json_editor_publishes_a_valid_document(client, association_approver, plan_years):
    import json

    login(client, association_approver)
    document = current_document()
    document["inpatient"]["minimum_amount"] = "300.00"
    response = client.post(EDIT_URL, {"mode": "json", "document": json.dumps(document), "reason": "提高最低补助",
                                      "based_on": "1"})
    assert response.status_code == 302
    assert str(PlanYear.objects.get(plan_id="hospitalization", year=2026).terms.inpatient.minimum_amount) == "300.00"


def test_the_diff_page_shows_what_changed_between_versions(client, association_approver, plan_years):
    login(client, association_approver)
    data = posted(current_document(), **{"inpatient.bands.1.rate": "65", "based_on": "1"})
    data["reason"] = "提高第二段比例"
    client.post(EDIT_URL, data)
    page = client.get(reverse("plans:version_diff", args=["hospitalization", 2026]), {"from": 1, "to": 2}).text
    assert "住院补助 · 第 2 段 · 比例（%）" in page
    assert "60%" in page and "65%" in page
    assert "提高第二段比例" in page


def test_copy_then_open_a_draft_year(client, association_approver, plan_years):
    login(client, association_approver)
    client.post(reverse("plans:copy_year", args=["hospitalization", 2027]))
    draft = PlanYear.objects.get(plan_id="hospitalization", year=2028)
    assert draft.status == PlanYear.Status.DRAFT
    client.post(reverse("plans:open_year", args=["hospitalization", 2028]))
    draft.refresh_from_db()
    assert draft.status == PlanYear.Status.OPEN


def test_a_closed_year_offers_no_change_and_refuses_one(client, association_approver, plan_years):
    login(client, association_approver)
    client.post(reverse("plans:close_year", args=["hospitalization", 2026]))
    assert "修改条款（发布新版本）" not in client.get(YEAR_URL).text
    response = client.get(EDIT_URL)
    assert response.status_code == 302
    assert "已结算" in client.get(YEAR_URL).text
