"""Public policy pages: no login, every figure read from the current terms, examples from the engine."""
from decimal import Decimal

import pytest
from django.urls import reverse

from huzhu.conftest import BAOTOU, CHIFENG, HONGSHAN, KUNDULUN
from huzhu.plans import services
from huzhu.plans.default_terms import default_terms
from huzhu.plans.models import PlanYear
from huzhu.plans.rules import InpatientEvent, Member, estimate
from huzhu.portal.examples import worked_examples
from huzhu.regions.models import AgencyPoint

HOSPITALIZATION_2026 = reverse("portal:policy_year", args=["hospitalization", 2026])
WOMEN_2026 = reverse("portal:policy_year", args=["women_health", 2026])


@pytest.fixture
def plan_years(db):
    return services.install_default_plans()


def test_anyone_reads_the_policy_index_without_logging_in(client, plan_years):
    page = client.get(reverse("portal:policy_index"))
    assert page.status_code == 200
    assert "职工住院医疗互助保障" in page.text and "女性馨康互助保障" in page.text
    assert HOSPITALIZATION_2026 in page.text


def test_a_draft_year_is_not_public(client, plan_years, association_approver):
    services.copy_plan_year(actor=association_approver, source=PlanYear.objects.get(plan_id="hospitalization", year=2027))
    assert client.get(reverse("portal:policy_year", args=["hospitalization", 2028])).status_code == 404
    assert reverse("portal:policy_year", args=["hospitalization", 2028]) not in client.get(reverse("portal:policy_index")).text


def test_the_hospitalization_page_shows_the_figures_of_the_terms(client, plan_years):
    page = client.get(HOSPITALIZATION_2026).text
    for text in ("每人每年 <strong>100</strong> 元", "只需交 <strong>90</strong> 元", "2026年1月1日 至 2026年12月31日",
                 "2025年7月1日 至 2025年12月10日", "10,000 – 20,000 的部分", "100,000 以上的部分",
                 "最少补助 200 元", "第 3 年及以后", "最多补贴 180 天", "超过 1,000 元的部分，补助 50%",
                 "一年最多 10,000 元", "每人每年最多补助 500,000 元", "<strong>2027年12月31日</strong>",
                 "住院结算单", "门特审批表", "户籍注销证明", "打到本人银行卡"):
        assert text in page, text


def test_a_new_version_of_the_terms_changes_the_page(client, plan_years, association_approver):
    terms = default_terms("hospitalization", 2026)
    changed = terms.model_copy(update={
        "subsidy_amount": Decimal("20.00"), "claim_deadline_days": 180,
        "inpatient": terms.inpatient.model_copy(update={"minimum_amount": Decimal("300.00")}),
    })
    services.publish_terms(actor=association_approver, plan_code="hospitalization", year=2026,
                           document=changed.model_dump(mode="json"), reason="调整补助")
    page = client.get(HOSPITALIZATION_2026).text
    assert "只需交 <strong>80</strong> 元" in page
    assert "最少补助 300 元" in page and "最少补助 200 元" not in page
    assert "<strong>2027年6月29日</strong>" in page


def test_the_worked_examples_show_the_amounts_the_engine_pays(client, plan_years):
    page = client.get(HOSPITALIZATION_2026).text
    terms = default_terms("hospitalization", 2026)
    big_stay = estimate(terms, Member(gender="M", birth_date=terms.protection_start_on.replace(year=1986),
                                      consecutive_years=3),
                        [InpatientEvent(admitted=terms.protection_start_on.replace(month=3),
                                        discharged=terms.protection_start_on.replace(month=3, day=11),
                                        policy_self_pay=Decimal("15000"))])
    assert big_stay.total == Decimal("8300.00")  # DOMAIN.md's example
    for example in worked_examples(terms):
        assert f'<span class="total">{example.result.total}</span>' in page
    assert '<span class="total">8300.00</span>' in page
    assert '<span class="total">1550.00</span>' in page  # 3,000 yuan, 5 days, first year


def test_the_women_page_shows_tier_b_then_a_topping_up_to_the_yearly_cap(client, plan_years):
    page = client.get(WOMEN_2026).text
    assert "原位癌" in page and "32,000 元" in page
    examples = worked_examples(default_terms("women_health", 2026))
    assert [d.benefit for d in examples[0].result.decisions] == [Decimal("8000.00"), Decimal("24000.00")]
    assert '<span class="total">32000.00</span>' in page
    assert "病理报告" in page and "诊断证明" in page


def test_worked_examples_follow_changed_terms(plan_years):
    terms = default_terms("hospitalization", 2026)
    richer = terms.model_copy(update={"allowance": terms.allowance.model_copy(
        update={"daily_amounts": (Decimal("10"), Decimal("20"), Decimal("50"))})})
    assert worked_examples(richer)[0].result.total == worked_examples(terms)[0].result.total + Decimal("200.00")


def test_the_agency_chooser_lists_the_league_and_then_the_chosen_county(client, plan_years):
    AgencyPoint.objects.filter(county_id=KUNDULUN).update(phone="0472-1234567")
    by_league = client.get(HOSPITALIZATION_2026, {"league": BAOTOU}).text
    assert "昆都仑区职工互助保障代办点" in by_league
    assert "0472-1234567" in by_league
    assert "红山区职工互助保障代办点" not in by_league
    by_county = client.get(HOSPITALIZATION_2026, {"league": BAOTOU, "county": KUNDULUN}).text
    assert by_county.count("职工互助保障代办点</strong>") == 1
    assert "内蒙古自治区包头市昆都仑区总工会" in by_county


def test_a_county_left_over_from_another_league_is_ignored(client, plan_years):
    page = client.get(reverse("portal:policy_index"), {"league": CHIFENG, "county": KUNDULUN}).text
    assert "昆都仑区职工互助保障代办点</strong>" not in page
    assert "红山区职工互助保障代办点</strong>" in page
    assert f'value="{HONGSHAN}"' in page


def test_the_chooser_is_a_plain_get_form_and_the_page_has_no_inline_script(client, plan_years):
    page = client.get(HOSPITALIZATION_2026).text
    assert 'method="get"' in page and 'name="league"' in page and 'name="county"' in page
    assert "<script>" not in page and "<script " not in page.replace('<script src=', '')
