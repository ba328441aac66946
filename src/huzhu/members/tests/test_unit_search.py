"""Choosing a unit: search as you type (htmx) in the actor's scope, and a typed name or credit code without JavaScript."""
import pytest
from django.urls import reverse

from huzhu.conftest import HONGSHAN, KUNDULUN, make_unit
from huzhu.enrollment.models import Enrollment
from huzhu.members import queries
from huzhu.plans.services import install_default_plans
from huzhu.regions.queries import scope_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(db):
    return {"steel": make_unit(KUNDULUN, name="包头钢铁测试集团"), "steel2": make_unit(KUNDULUN, name="包头钢铁第二测试厂"),
            "coal": make_unit(KUNDULUN, name="昆区煤炭测试公司"), "far": make_unit(HONGSHAN, name="赤峰钢铁测试公司")}


def test_typing_finds_units_in_scope_by_name_or_credit_code_and_never_outside(units, county_clerk):
    scope = scope_of(county_clerk)
    assert {u.pk for u in queries.units_matching(scope, "钢铁")} == {units["steel"].pk, units["steel2"].pk}
    code = units["coal"].credit_code
    wide = code[:8].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert queries.units_matching(scope, wide.lower()) and all(
        u.credit_code.startswith(code[:8]) for u in queries.units_matching(scope, wide))
    assert queries.units_matching(scope, units["far"].credit_code) == []
    assert queries.units_matching(scope, "赤峰") == [] and queries.units_matching(scope, "  ") == []


def test_the_list_stops_at_the_limit_so_a_province_of_many_units_stays_fast(county_clerk):
    for n in range(queries.PICK_LIMIT + 5):
        make_unit(KUNDULUN, name=f"批量测试单位{n:03d}")
    assert len(queries.units_matching(scope_of(county_clerk), "批量测试")) == queries.PICK_LIMIT


@pytest.mark.parametrize(("typed", "found", "problem"), [
    ("包头钢铁测试集团", "steel", ""), ("  包头钢铁测试集团 ", "steel", ""), ("煤炭", "coal", ""),
    ("钢铁", None, "有多家单位符合"), ("无此单位", None, "管辖范围内没有"), ("赤峰钢铁测试公司", None, "管辖范围内没有"),
    ("", None, "请输入单位名称"),
], ids=["exact-name", "spaces", "one-match", "ambiguous", "unknown", "out-of-scope", "empty"])
def test_a_typed_name_resolves_to_one_unit_or_says_why_not(units, county_clerk, typed, found, problem):
    unit, message = queries.resolve_unit(scope_of(county_clerk), typed)
    assert (unit, problem in message) == (units[found] if found else None, True)


def test_a_typed_credit_code_resolves_even_in_full_width_digits(units, county_clerk):
    code = units["steel2"].credit_code
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert queries.resolve_unit(scope_of(county_clerk), wide) == (units["steel2"], "")


def test_the_pick_endpoint_lists_units_in_scope_as_choices(client, units, county_clerk):
    client.force_login(county_clerk)
    html = client.get(reverse("members:unit_pick"), {"unit_text": "钢铁"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{units["steel"].pk}"' in html and f'value="{units["steel2"].pk}"' in html
    assert "赤峰钢铁" not in html
    assert "管辖范围内没有" in client.get(reverse("members:unit_pick"), {"unit_text": "赤峰"}).content.decode()


def test_the_enrollment_form_starts_from_a_typed_name_or_says_it_is_ambiguous(client, units, county_clerk):
    install_default_plans(years=(2026, 2027))
    from huzhu.enrollment.queries import open_plan_years_for_enrollment

    plan_year = open_plan_years_for_enrollment().first()
    client.force_login(county_clerk)
    page = client.get(reverse("enrollment:index")).content.decode()
    assert 'name="unit_text"' in page and "<select name=\"unit\"" not in page
    ambiguous = client.post(reverse("enrollment:start"), {"unit_text": "钢铁", "plan_year": plan_year.pk}, follow=True)
    assert "有多家单位符合" in ambiguous.content.decode() and not Enrollment.objects.exists()
    started = client.post(reverse("enrollment:start"), {"unit_text": "包头钢铁测试集团", "plan_year": plan_year.pk})
    assert started.status_code == 302 and Enrollment.objects.get().unit == units["steel"]
    outside = client.post(reverse("enrollment:start"), {"unit": units["far"].pk, "plan_year": plan_year.pk})
    assert outside.status_code == 404
