"""The public calculator 算清互助账: no login, plain GET form, each step explained in Chinese."""
import pytest
from django.urls import reverse

from huzhu.plans.services import install_default_plans

URL = "/calculator/"
DOMAIN_EXAMPLE = {
    "action": "calculate", "plan": "hospitalization", "year": "2026", "gender": "F", "birth_date": "1985-03-02",
    "consecutive_years": "3", "kind": "employee", "rows": "3",
    "e0_type": "inpatient", "e0_start": "2026-03-01", "e0_end": "2026-03-11", "e0_self_pay": "15000.00",
    "e1_type": "outpatient_chronic", "e1_start": "2026-01-01", "e1_end": "2026-06-30", "e1_self_pay": "4000.00",
    "e2_type": "inpatient",
}


@pytest.fixture
def plans(db):
    install_default_plans()


def test_calculator_lives_at_calculator(db):
    assert reverse("portal:calculator") == URL


def test_anyone_opens_the_calculator_without_logging_in(client, plans):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.text
    assert "算清互助账" in page
    assert "职工住院医疗互助保障" in page and "女性馨康互助保障" in page
    assert 'name="viewport"' in page
    assert "<script>" not in page  # no inline script: the form works without JavaScript


def test_domain_example_shows_each_step_in_chinese_and_the_total(client, plans):
    page = client.get(URL, DOMAIN_EXAMPLE).text
    assert "个人自付 0–10000 元 部分 × 50%" in page
    assert "住院补贴 10 天 × 30 元" in page
    assert "（本年累计个人自付 4000.00 元 − 起付 1000.00 元）× 50%" in page
    assert "8300.00 元" in page and "1500.00 元" in page
    assert "9800.00 元" in page
    assert "band 0-10000" not in page  # wire names stay in the API


def test_after_migrations_alone_the_calculator_computes_the_domain_example(client, db):
    page = client.get(URL, DOMAIN_EXAMPLE).text  # no install_default_plans(): what `huzhu migrate` leaves
    assert "暂无已开放的年度方案" not in page
    assert "住院补贴 10 天 × 30 元" in page and "9800.00 元" in page


def test_women_diagnosis_after_an_earlier_tier_tops_up(client, plans):
    page = client.get(URL, {"action": "calculate", "plan": "women_health", "year": "2026", "gender": "F",
                            "birth_date": "1980-01-01", "rows": "2",
                            "e0_type": "diagnosis", "e0_start": "2026-02-01", "e0_icd10": "D05.1",
                            "e1_type": "diagnosis", "e1_start": "2026-05-01", "e1_icd10": "C50.900"}).text
    assert "B 档 原位癌 一次性补助 8000.00 元" in page
    assert "24000.00 元" in page and "32000.00 元" in page


def test_uncovered_stay_says_why_in_chinese(client, plans):
    query = {key: value for key, value in DOMAIN_EXAMPLE.items() if not key.startswith("e1_")}
    page = client.get(URL, {**query, "e0_start": "2025-12-20"}).text
    assert "不予补助：2025-12-20 不在保障期（2026-01-01 至 2026-12-31）内" in page


def test_bad_row_is_shown_next_to_its_event_and_nothing_is_computed(client, plans):
    response = client.get(URL, {**DOMAIN_EXAMPLE, "e0_end": "2026-02-01"})
    assert response.status_code == 200
    assert "出院日期早于入院日期" in response.text
    assert "估算结果" not in response.text


def test_add_row_button_renders_one_more_event_row_and_keeps_the_input(client, plans):
    page = client.get(URL, {**DOMAIN_EXAMPLE, "action": "add_row"}).text
    assert 'name="e3_type"' in page
    assert 'value="15000.00"' in page
    assert "估算结果" not in page


def test_calculator_asks_for_an_event_when_all_rows_are_blank(client, plans):
    page = client.get(URL, {"action": "calculate", "plan": "hospitalization", "year": "2026", "gender": "M",
                            "birth_date": "1980-01-01"}).text
    assert "请至少填写一个住院、门诊或确诊事件" in page


def test_a_breast_cancer_under_the_hospitalization_plan_points_to_the_womens_plan(client, plans):
    query = {"action": "calculate", "plan": "hospitalization", "year": "2026", "gender": "F",
             "birth_date": "1980-01-01", "rows": "1", "e0_type": "diagnosis", "e0_start": "2026-05-01",
             "e0_icd10": "C50.900"}
    page = client.get(URL, query).text
    assert 'id="women-plan-hint"' in page and "女性馨康互助保障" in page
    link = page[page.index('id="women-plan-hint"'):]
    href = link[link.index('href="') + 6:link.index('"', link.index('href="') + 6)].replace("&amp;", "&")
    assert "plan=women_health" in href
    assert "32000.00 元" in client.get(href).text  # tier A under the women's plan
    stay = client.get(URL, DOMAIN_EXAMPLE).text
    assert 'id="women-plan-hint"' not in stay  # no pointer for an ordinary stay
