"""The evaluation table: figures behind every score from the scenario, ranking, scope and XLSX export."""
import io
from datetime import date

import openpyxl
from django.urls import reverse

from huzhu.campaign import queries, services
from huzhu.conftest import PASSWORD
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.regions.models import Role

from .conftest import BAOTOU, CHIFENG, HONGSHAN, KUNDULUN, QINGSHAN, TODAY
from .test_progress import expected

START, END = date(2026, 7, 1), date(2026, 12, 11)


def test_offices_are_ranked_with_the_enrollment_and_outreach_figures_behind_the_score(scenario, year_2027,
                                                                                      league_reviewer):
    for day in (date(2026, 7, 5), date(2026, 8, 5), date(2026, 9, 5)):
        services.record_outreach(actor=league_reviewer,
                                 held_on=day, kind="briefing", place="礼堂", audience_size=100, today=TODAY)
    ranked = queries.evaluation(PROVINCE, year_2027, start=START, end=END, level="league")
    assert len(ranked) == 12 and [e.rank for e in ranked] == sorted(e.rank for e in ranked)
    baotou = next(e for e in ranked if e.figures.code == BAOTOU)
    want = expected(scenario, league=BAOTOU, as_of=date(2026, 12, 10))
    f = baotou.figures
    assert (f.people_enrolled, f.people_last_year, f.units_enrolled) == (
        want["people_enrolled"], want["people_last_year"], want["units_enrolled"])
    assert (f.units_target, f.people_target) == (want["units_last_year"], want["people_last_year"])
    assert (f.outreach_events, f.outreach_audience) == (3, 300)
    by_key = {i.key: i for i in baotou.indicators}
    assert f"{want['people_enrolled']}人 / 上年{want['people_last_year']}人" in by_key["growth"].figure
    # No payout batch in this scenario, so no figure (test_payout_errors.py builds real ones).
    assert by_key["payout_errors"].score is None and by_key["payout_errors"].figure == "—"
    chifeng = next(e for e in ranked if e.figures.code == CHIFENG)
    assert chifeng.figures.outreach_events == 0


def test_review_kpis_show_a_dash_until_the_claims_app_has_claims(scenario, year_2027):
    from django.apps import apps

    ranked = queries.evaluation(PROVINCE, year_2027, start=START, end=END, level="county")
    speed = next(i for i in ranked[0].indicators if i.key == "review_speed")
    try:
        apps.get_model("claims", "Claim")
    except LookupError:
        assert speed.score is None and "审核时效无数据，未计分" in ranked[0].notes
    else:  # claims landed: no claims in this scenario means no decided claims to score
        assert speed.score is None


def test_an_office_evaluates_the_agency_points_of_its_league(scenario, year_2027):
    ranked = queries.evaluation(Scope("league", BAOTOU, role=Role.OFFICE), year_2027, start=START, end=END,
                                level="county")
    codes = {e.figures.code for e in ranked}
    assert {KUNDULUN, QINGSHAN} <= codes and HONGSHAN not in codes
    kundulun = next(e for e in ranked if e.figures.code == KUNDULUN)
    assert kundulun.figures.people_enrolled == expected(scenario, county=KUNDULUN, as_of=date(2026, 12, 10))[
        "people_enrolled"]


def test_the_evaluation_exports_to_xlsx_with_chinese_headers(client, scenario, year_2027, association_approver):
    assert client.login(username=association_approver.username, password=PASSWORD)
    response = client.get(reverse("campaign:evaluation"), {"plan": "hospitalization", "year": 2027, "level": "league",
                                                          "start": "2026-07-01", "end": "2026-12-10",
                                                          "export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("名次", "区划代码", "名称", "总分")
    assert len(rows) == 13
    baotou = next(r for r in rows[1:] if r[1] == BAOTOU)
    assert baotou[2] == "包头市" and isinstance(baotou[3], (int, float))
