"""Service levels (服务时效) against figures computed here from the claims tables with raw SQL; scope; the page."""
import math
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huzhu.claims import queries as claim_queries
from huzhu.claims.review_clock import working_days_between
from huzhu.claims.services import mark_claim_paid
from huzhu.claims.workflow import REVIEW_LEVEL_OF_STATUS
from huzhu.conftest import BAOTOU, HONGSHAN, KUNDULUN, PASSWORD
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.reports import service_levels
from huzhu.reports.service_levels import month_period, period_choices, period_of, year_period

from .conftest import NOW, TODAY

WAITING = ("submitted", *REVIEW_LEVEL_OF_STATUS)


def _moment(value) -> datetime:
    """A datetime column as the cursor returns it: aware on PostgreSQL, UTC text on SQLite."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _local_day(value) -> date:
    return timezone.localtime(_moment(value)).date()


def _nearest_rank(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _where(scope: Scope, alias: str = "c") -> tuple[str, list]:
    if scope.is_county:
        return f" AND {alias}.county_id = %s", [scope.code]
    if scope.is_league:
        return f" AND {alias}.league_id = %s", [scope.code]
    return "", []


def expected_counties(scope: Scope, start: date, end: date) -> dict[str, dict]:
    """The by-county figures straight from claims_claim and claims_claimstatuschange."""
    where, params = _where(scope)
    rows = _sql(f"""
        SELECT c.county_id, c.documents_complete_on, c.due_on,
               (SELECT MAX(s.at) FROM claims_claimstatuschange s
                WHERE s.claim_id = c.id AND s.to_status IN ('approved', 'rejected')),
               (SELECT MAX(s.at) FROM claims_claimstatuschange s WHERE s.claim_id = c.id AND s.to_status = 'paid'),
               (SELECT COUNT(*) FROM claims_claimstatuschange s WHERE s.claim_id = c.id AND s.to_status = 'supplement')
        FROM claims_claim c WHERE c.status IN ('approved', 'paid', 'rejected'){where}""", params)
    out: dict[str, dict] = defaultdict(lambda: {"decided": 0, "within": 0, "with_clock": 0, "first_time": 0,
                                                "review": [], "payment": [], "submitted": 0, "returned": 0,
                                                "overdue": 0})
    for county, complete_on, due_on, decided_at, paid_at, returns in rows:
        if decided_at is None or not start <= _local_day(decided_at) < end:
            continue
        decided_on = _local_day(decided_at)
        complete_on = date.fromisoformat(str(complete_on)) if complete_on else None
        due_on = date.fromisoformat(str(due_on)) if due_on else None
        for key in (county, ""):
            row = out[key]
            row["decided"] += 1
            row["first_time"] += returns == 0
            if due_on:
                row["with_clock"] += 1
                row["within"] += decided_on <= due_on
            if complete_on:
                row["review"].append(max(0, working_days_between(complete_on, decided_on)))
            if paid_at is not None:
                row["payment"].append((_local_day(paid_at) - decided_on).days)
    changes = _sql(f"""
        SELECT c.county_id, s.claim_id, s.action, s.to_status, s.at FROM claims_claimstatuschange s
        JOIN claims_claim c ON c.id = s.claim_id WHERE (s.action = 'submit' OR s.to_status = 'supplement'){where}""",
                   params)
    submitted, returned = defaultdict(set), defaultdict(set)
    for county, claim_id, action, _to_status, at in changes:
        if start <= _local_day(at) < end:
            for key in (county, ""):
                (submitted if action == "submit" else returned)[key].add(claim_id)
    for key, ids in submitted.items():
        out[key]["submitted"] = len(ids)
    for key, ids in returned.items():
        out[key]["returned"] = len(ids)
    marks = ", ".join(["%s"] * len(WAITING))
    for county, overdue in _sql(f"""
            SELECT c.county_id, COUNT(*) FROM claims_claim c
            WHERE c.status IN ({marks}) AND c.due_on < %s{where} GROUP BY c.county_id""",
                                [*WAITING, TODAY.isoformat(), *params]):
        out[county]["overdue"] += overdue
        out[""]["overdue"] += overdue
    return out


def actual_counties(figures) -> dict[str, dict]:
    return {row.code: {"decided": row.decided, "within": row.within, "with_clock": row.with_clock,
                       "first_time": row.first_time_complete, "review": (row.review_median, row.review_p90),
                       "payment": (row.payment_median, row.payment_p90), "submitted": row.submitted,
                       "returned": row.returned, "overdue": row.overdue}
            for row in [*figures.counties, figures.total]}


def as_compared(expected: dict[str, dict]) -> dict[str, dict]:
    return {code: {**row, "review": (_nearest_rank(row["review"], 0.5), _nearest_rank(row["review"], 0.9)),
                   "payment": (_nearest_rank(row["payment"], 0.5), _nearest_rank(row["payment"], 0.9))}
            for code, row in expected.items()}


def expected_levels(scope: Scope, start: date, end: date) -> dict[str, dict]:
    """The by-level figures: each stay from the move into a level's status to the claim's next move (LEAD)."""
    where, params = _where(scope)
    marks = ", ".join(["%s"] * len(REVIEW_LEVEL_OF_STATUS))
    rows = _sql(f"""
        SELECT s.to_status, s.at, s.next_at, s.next_level, s.next_kind FROM (
            SELECT claim_id, to_status, at,
                   LEAD(at) OVER (PARTITION BY claim_id ORDER BY at, id) AS next_at,
                   LEAD(level) OVER (PARTITION BY claim_id ORDER BY at, id) AS next_level,
                   LEAD(actor_kind) OVER (PARTITION BY claim_id ORDER BY at, id) AS next_kind
            FROM claims_claimstatuschange) s
        JOIN claims_claim c ON c.id = s.claim_id
        WHERE s.to_status IN ({marks}) AND s.next_at IS NOT NULL{where}""", [*REVIEW_LEVEL_OF_STATUS, *params])
    out: dict[str, dict] = {level: {"handled": [], "automatic": 0, "waiting": 0, "overdue": 0}
                            for level in REVIEW_LEVEL_OF_STATUS.values()}
    for status, at, next_at, next_level, next_kind in rows:
        level = REVIEW_LEVEL_OF_STATUS[status]
        if next_level != level or not start <= _local_day(next_at) < end:
            continue
        if next_kind == "system":
            out[level]["automatic"] += 1
        else:
            out[level]["handled"].append(max(0, working_days_between(_local_day(at), _local_day(next_at))))
    for status, waiting, overdue in _sql(f"""
            SELECT c.status, COUNT(*), SUM(CASE WHEN c.due_on < %s THEN 1 ELSE 0 END) FROM claims_claim c
            WHERE c.status IN ({marks}){where} GROUP BY c.status""",
                                         [TODAY.isoformat(), *REVIEW_LEVEL_OF_STATUS, *params]):
        out[REVIEW_LEVEL_OF_STATUS[status]]["waiting"] += waiting
        out[REVIEW_LEVEL_OF_STATUS[status]]["overdue"] += overdue or 0
    return {level: {"handled": len(row["handled"]), "median": _nearest_rank(row["handled"], 0.5),
                    "p90": _nearest_rank(row["handled"], 0.9), "automatic": row["automatic"],
                    "waiting": row["waiting"], "overdue": row["overdue"]} for level, row in out.items()}


def actual_levels(figures) -> dict[str, dict]:
    return {row.level: {"handled": row.handled, "median": row.median_days, "p90": row.p90_days,
                        "automatic": row.automatic, "waiting": row.waiting, "overdue": row.overdue}
            for row in figures.levels}


@pytest.fixture
def some_paid(scheme):
    """Half the approved claims paid on two days of November 2026 (the demo history pays none)."""
    approved = list(claim_queries.approved_claims_with_benefit(PROVINCE).order_by("pk"))[::2]
    assert approved
    for n, claim in enumerate(approved):
        with time_machine.travel(datetime(2026, 11, 20 + n % 2, 10, tzinfo=UTC), tick=False):
            mark_claim_paid(actor=None, claim=claim)
    return scheme


PERIODS = [pytest.param(year_period(2026, TODAY), id="2026-to-date"), pytest.param(year_period(2025, TODAY), id="2025"),
           pytest.param(month_period(2026, 3), id="2026-03")]


@pytest.mark.parametrize("period", PERIODS)
def test_province_figures_by_county_equal_the_raw_sql_of_the_claims_tables(some_paid, period):
    figures = service_levels.service_levels(PROVINCE, period, today=TODAY)
    assert figures.total.decided > 0
    assert actual_counties(figures) == as_compared(expected_counties(PROVINCE, period.start, period.end))


@pytest.mark.parametrize("period", PERIODS)
def test_figures_by_review_level_equal_the_stays_of_the_status_history(scheme, period):
    figures = service_levels.service_levels(PROVINCE, period, today=TODAY)
    assert [row.level for row in figures.levels] == list(dict.fromkeys(REVIEW_LEVEL_OF_STATUS.values()))
    assert actual_levels(figures) == expected_levels(PROVINCE, period.start, period.end)


def test_the_demo_history_gives_every_figure_something_to_count(some_paid):
    figures = service_levels.service_levels(PROVINCE, year_period(2026, TODAY), today=TODAY)
    total = figures.total
    assert total.paid and total.returned and total.first_time_complete < total.decided
    assert total.review_median is not None and total.payment_median is not None
    assert any(row.handled for row in figures.levels) and any(row.automatic for row in figures.levels)


def test_a_county_clerk_sees_only_her_county_and_a_league_its_counties(some_paid):
    period = year_period(2026, TODAY)
    county = service_levels.service_levels(Scope("county", KUNDULUN, role="agency"), period, today=TODAY)
    assert [row.code for row in county.counties] == [KUNDULUN]
    assert actual_counties(county) == as_compared(expected_counties(Scope("county", KUNDULUN), period.start, period.end))
    assert actual_levels(county) == expected_levels(Scope("county", KUNDULUN), period.start, period.end)
    assert {claim.county_name for claim in county.overdue} <= {"昆都仑区"}
    league = service_levels.service_levels(Scope("league", BAOTOU, role="office"), period, today=TODAY)
    assert HONGSHAN not in {row.code for row in league.counties}
    province = service_levels.service_levels(PROVINCE, period, today=TODAY)
    assert {row.code for row in province.counties} >= {KUNDULUN, HONGSHAN}


def test_overdue_claims_are_listed_with_their_level_holder_and_link(scheme):
    figures = service_levels.service_levels(PROVINCE, year_period(2026, TODAY), today=TODAY)
    marks = ", ".join(["%s"] * len(WAITING))
    expected = _sql(f"SELECT id FROM claims_claim WHERE status IN ({marks}) AND due_on < %s ORDER BY due_on, id",
                    [*WAITING, TODAY.isoformat()])
    assert figures.overdue_count == len(expected) == figures.total.overdue
    assert [claim.pk for claim in figures.overdue] == [pk for (pk,) in expected][:service_levels.OVERDUE_LIST_LIMIT]
    for claim in figures.overdue:
        assert claim.holder and claim.level_label and claim.working_days_over >= 1


def test_the_periods_offered_are_this_year_to_date_last_year_and_months():
    choices = period_choices(date(2026, 11, 29))
    assert choices[0].key == "2026" and choices[0].end == date(2026, 11, 30)
    assert choices[1].key == "2025" and choices[1].end == date(2026, 1, 1)
    assert choices[2].key == "2026-11" and choices[-1].key == "2024-12"
    assert period_of("2026-02", date(2026, 11, 29)) == month_period(2026, 2)
    assert period_of("nonsense", date(2026, 11, 29)).key == "2026"
    assert month_period(2026, 12).end == date(2027, 1, 1)


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize("who", ["county_clerk", "league_reviewer", "association_approver", "auditor"])
def test_the_page_opens_for_each_role_concerned(scheme, at_now, request, who):
    user = request.getfixturevalue(who)
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("reports:service_levels"), {"period": "2026"})
    assert response.status_code == 200
    page = response.text
    assert "各旗县服务时效" in page and "各审核环节" in page and "超期未办结的申领" in page
    assert 'id="complaints"' in page
    figures = response.context["figures"]
    for claim in figures.overdue[:3]:
        assert f'href="{reverse("claims:detail", args=[claim.pk])}"' in page
    if who == "county_clerk":
        assert [row.code for row in figures.counties] == [KUNDULUN]
    assert client.get(reverse("reports:service_levels"), {"period": "2026-03"}).status_code == 200


def test_the_page_is_refused_to_a_unit_contact_and_outside_regions_are_not_found(scheme, at_now, unit_contact,
                                                                                   county_clerk):
    client = Client()
    client.login(username=unit_contact.username, password=PASSWORD)
    assert client.get(reverse("reports:service_levels")).status_code == 403
    client.login(username=county_clerk.username, password=PASSWORD)
    assert client.get(reverse("reports:service_levels"), {"region": HONGSHAN}).status_code == 404
