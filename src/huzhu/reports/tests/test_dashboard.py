"""Dashboard figures against counts taken straight from the tables; scope and drill-down."""
from decimal import Decimal

import pytest
from django.db.models import Sum

from huzhu.claims.models import Claim
from huzhu.conftest import BAOTOU, CHIFENG, KUNDULUN, PASSWORD
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.enrollment.models import Coverage
from huzhu.reports import queries
from huzhu.reports.models import UnitYearFigures
from huzhu.reports.services import refresh_summaries

from .conftest import TODAY

DECIDED = (Claim.Status.APPROVED, Claim.Status.PAID)


def _expected(year: int, **where) -> dict:
    coverages = Coverage.objects.filter(plan_year__year=year, status=Coverage.Status.ACTIVE, **where)
    claims = Claim.objects.filter(plan_year__year=year, **where)
    decided = claims.filter(status__in=DECIDED)
    return {
        "covered": coverages.count(),
        "units": coverages.values("unit_id").distinct().count(),
        "contribution_amount": coverages.aggregate(s=Sum("contribution_amount"))["s"] or Decimal(0),
        "subsidy_amount": coverages.aggregate(s=Sum("subsidy_amount"))["s"] or Decimal(0),
        "claims": claims.exclude(status=Claim.Status.DRAFT).count(),
        "beneficiaries": decided.filter(benefit_amount__gt=0).count(),
        "benefit_amount": decided.aggregate(s=Sum("benefit_amount"))["s"] or Decimal(0),
        "paid_amount": claims.filter(status=Claim.Status.PAID).aggregate(s=Sum("benefit_amount"))["s"] or Decimal(0),
    }


def _actual(figures: queries.Figures) -> dict:
    return {name: getattr(figures, name) for name in ("covered", "units", "contribution_amount", "subsidy_amount",
                                                      "claims", "beneficiaries", "benefit_amount", "paid_amount")}


def test_province_figures_equal_counts_taken_from_the_claims_and_coverages(scheme):
    board = queries.dashboard(PROVINCE, queries.Filters(year=2026), today=TODAY)
    assert board.year == 2026
    assert _actual(board.current) == _expected(2026)
    assert [f.year for f in board.by_year] == [2025, 2026]
    assert board.current.cumulative == Coverage.objects.filter(plan_year__year__lte=2026).count()
    statuses = {row.key: row.claims for row in board.statuses}
    for status in Claim.Status.values:
        assert statuses.get(status, 0) == Claim.objects.filter(plan_year__year=2026, status=status).count()
    straight = Claim.objects.filter(plan_year__year=2026, status__in=DECIDED, straight_through=True).count()
    assert board.straight_through == straight
    tiers = {row.key: row.claims for row in board.tiers}
    for tier in ("A", "B", "C"):
        assert tiers.get(tier, 0) == Claim.objects.filter(plan_year__year=2026, status__in=DECIDED, tier=tier).count()


def test_one_plan_only_counts_that_plan(scheme):
    board = queries.dashboard(PROVINCE, queries.Filters(plan="women_health", year=2025), today=TODAY)
    assert _actual(board.current) == _expected(2025, plan_year__plan_id="women_health")
    # DOMAIN: the women's plan counts the unit's female staff as eligible
    assert board.current.eligible == sum(u.female_headcount for u in scheme["units"].values())


def test_drill_down_lists_leagues_then_counties_then_units(scheme):
    province = queries.dashboard(PROVINCE, queries.Filters(year=2026), today=TODAY)
    assert {c.code for c in province.children} == {BAOTOU, CHIFENG}
    league = queries.dashboard(PROVINCE, queries.Filters(year=2026, region=BAOTOU), today=TODAY)
    assert [c.code for c in league.children] == [KUNDULUN]
    county = queries.dashboard(PROVINCE, queries.Filters(year=2026, region=KUNDULUN), today=TODAY)
    assert {c.code for c in county.children} == {str(scheme["home"].pk), str(scheme["second"].pk)}
    assert _actual(county.current) == _expected(2026, county_id=KUNDULUN)
    by_unit = {c.code: c for c in county.children}
    assert by_unit[str(scheme["second"].pk)].covered == Coverage.objects.filter(
        plan_year__year=2026, unit=scheme["second"]).count()


def test_review_speed_counts_the_manual_steps_of_the_history(scheme):
    board = queries.dashboard(PROVINCE, queries.Filters(year=2026), today=TODAY)
    payment = next(s for s in board.steps if s.step == "payment")
    assert payment.claims == Claim.objects.filter(plan_year__year=2026, status=Claim.Status.PAID).count()
    for step in board.steps:
        if step.claims:
            assert 0 <= step.median_days <= step.p90_days


def test_county_clerk_sees_only_their_county(scheme, county_clerk, client):
    scope = Scope("county", KUNDULUN, role="agency")
    board = queries.dashboard(scope, queries.Filters(year=2026), today=TODAY)
    assert _actual(board.current) == _expected(2026, county_id=KUNDULUN)
    client.login(username=county_clerk.username, password=PASSWORD)
    page = client.get("/reports/?year=2026")
    assert page.status_code == 200
    assert "赤峰" not in page.content.decode()


def test_drill_down_outside_the_scope_is_a_404(scheme, county_clerk, league_reviewer, client):
    client.login(username=county_clerk.username, password=PASSWORD)
    assert client.get(f"/reports/?region={CHIFENG}").status_code == 404
    assert client.get(f"/reports/?region={BAOTOU}").status_code == 404  # the clerk's own league is above them
    assert client.get(f"/reports/?unit={scheme['other'].pk}").status_code == 404
    assert client.get(f"/reports/export/all.xlsx?unit={scheme['other'].pk}").status_code == 404
    assert client.get(f"/reports/?unit={scheme['home'].pk}").status_code == 200
    client.logout()
    client.login(username=league_reviewer.username, password=PASSWORD)
    assert client.get(f"/reports/?region={KUNDULUN}").status_code == 200
    assert client.get("/reports/?region=150402").status_code == 404


@pytest.fixture
def home_unit(scheme):
    """The unit contact's unit is the scheme's home unit."""
    return scheme["home"]


def test_a_unit_contact_sees_their_unit_live(scheme, unit_contact, client):
    scope = Scope("unit", str(scheme["home"].pk), role="unit")
    board = queries.dashboard(scope, queries.Filters(year=2026), today=TODAY)
    assert board.live and board.children == []
    assert _actual(board.current) == _expected(2026, unit=scheme["home"])
    # both plans enrolled: the unit's headcount for the hospitalization plan, its women for the women's plan
    assert board.current.eligible == scheme["home"].eligible_headcount + scheme["home"].female_headcount
    client.login(username=unit_contact.username, password=PASSWORD)
    assert client.get("/reports/").status_code == 200
    assert client.get(f"/reports/?unit={scheme['second'].pk}").status_code == 404


def test_refresh_is_idempotent(scheme):
    before = list(UnitYearFigures.objects.order_by("plan_year_id", "unit_id").values_list(
        "plan_year_id", "unit_id", "covered", "benefit_amount"))
    refresh_summaries(actor=None)
    after = list(UnitYearFigures.objects.order_by("plan_year_id", "unit_id").values_list(
        "plan_year_id", "unit_id", "covered", "benefit_amount"))
    assert before == after


def test_the_page_has_charts_from_a_data_island_and_no_inline_script(scheme, association_approver, client):
    client.login(username=association_approver.username, password=PASSWORD)
    html = client.get("/reports/?year=2026").content.decode()
    assert 'id="report-data"' in html and "reports/dashboard.js" in html and "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html and " style=" not in html
    assert "累计参互人次" in html and "包头市" in html
