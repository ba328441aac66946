"""The claims queue narrows by plan, type, county, submission dates, overdue, channel and a number or a worker."""
from datetime import date

import pytest

from huzhu.conftest import make_worker
from huzhu.members.models import Worker
from huzhu.regions.queries import scope_of

from .. import queries
from ..models import Claim
from .conftest import cover

F = queries.QueueFilters
TODAY = date(2026, 6, 1)


@pytest.fixture
def two_claims(file_stay, home_unit, no_straight_through):
    """Two claims waiting at the Baotou league: one of 巴特尔 in March, one of 乌云 in April."""
    first = file_stay(admitted=date(2026, 3, 1), discharged=date(2026, 3, 5))
    other = make_worker(home_unit, name="乌云", gender="F")
    cover(other)
    second = file_stay(who=other, admitted=date(2026, 4, 1), discharged=date(2026, 4, 5))
    Claim.objects.filter(pk=first.pk).update(submitted_at="2026-03-10T10:00:00+08:00", due_on=date(2026, 3, 31),
                                             channel=Claim.Channel.UNIT)
    Claim.objects.filter(pk=second.pk).update(submitted_at="2026-05-20T10:00:00+08:00", due_on=date(2026, 6, 10))
    return first, second


def search(actor, **filters):
    return list(queries.search_claims(scope_of(actor), F(**filters), today=TODAY))


def test_without_filters_the_queue_is_the_roles_waiting_claims(two_claims, league_reviewer):
    assert search(league_reviewer) == list(two_claims)


@pytest.mark.parametrize(("filters", "expected"), [
    ({"plan": "hospitalization"}, [0, 1]), ({"plan": "women_health"}, []),
    ({"claim_type": "inpatient"}, [0, 1]), ({"claim_type": "diagnosis"}, []),
    ({"county_code": "150203"}, [0, 1]), ({"county_code": "150204"}, []),
    ({"submitted_from": date(2026, 5, 1)}, [1]), ({"submitted_to": date(2026, 3, 10)}, [0]),
    ({"submitted_from": date(2026, 3, 11), "submitted_to": date(2026, 5, 19)}, []),
    ({"overdue": True}, [0]), ({"channel": "unit"}, [0]), ({"channel": "desk"}, [1]),
    ({"text": "乌云"}, [1]), ({"text": "巴特"}, [0]), ({"text": "无此人"}, []),
], ids=["plan", "other-plan", "type", "other-type", "county", "other-county", "from", "to", "between",
        "overdue", "unit-channel", "desk-channel", "name", "name-start", "no-name"])
def test_each_filter_narrows_the_queue(two_claims, league_reviewer, filters, expected):
    assert search(league_reviewer, **filters) == [two_claims[i] for i in expected]


def test_a_claim_number_finds_that_claim_with_or_without_the_hash(two_claims, league_reviewer):
    first, second = two_claims
    assert search(league_reviewer, text=f"#{second.pk}") == [second]
    assert search(league_reviewer, text=str(first.pk)) == [first]


def test_an_id_number_is_found_through_the_blind_index_in_full_width_digits_and_spaces(two_claims, league_reviewer):
    first, _second = two_claims
    number = Worker.objects.get(pk=first.worker_id).reveal_id_number()
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in number)
    spaced = f" {full_width[:6]}　{full_width[6:14]} {full_width[14:]} "
    assert search(league_reviewer, text=spaced) == [first]
    assert search(league_reviewer, text=number[:17] + ("0" if number[17] != "0" else "1")) == []


def test_a_reviewer_outside_the_region_finds_nothing_by_any_filter(two_claims, db):
    from huzhu.conftest import make_staff
    from huzhu.regions.models import Role

    outsider = make_staff("chifeng_reviewer", Role.OFFICE, division="150400")
    first, _ = two_claims
    assert search(outsider) == [] and search(outsider, text=str(first.pk)) == []


def test_the_queue_page_filters_pages_and_ignores_a_county_outside_the_scope(client, two_claims, league_reviewer):
    first, second = two_claims
    client.force_login(league_reviewer)
    page = client.get("/claims/", {"overdue": "1", "channel": "unit"})
    assert page.status_code == 200 and [row[0] for row in page.context["rows"]] == [first]
    assert "overdue=1" in page.context["query"] and "channel=unit" in page.context["query"]
    outside = client.get("/claims/", {"county": "150402"})  # a Chifeng county: filters nothing, tells nothing
    assert outside.status_code == 200 and len(outside.context["rows"]) == 2
    empty = client.get("/claims/", {"q": "无此人"})
    assert "没有符合所选条件的申领" in empty.content.decode()
