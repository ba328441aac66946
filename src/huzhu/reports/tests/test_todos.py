"""The claims' to-do counts on the 工作台 (claims.todos): per role and scope, and each link's queue shows exactly
that many claims."""
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from huzhu.claims.models import Claim
from huzhu.claims.queries import due_soon_before
from huzhu.claims.todos import claim_todos
from huzhu.conftest import BAOTOU, KUNDULUN, PASSWORD, make_staff
from huzhu.core.todo import todos_for
from huzhu.regions.models import Role

from .conftest import NOW, TODAY

S = Claim.Status


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield


def _counts(user) -> dict[str, int]:
    return {todo.label: todo.count for todo in claim_todos(user)}


def _queue_count(user, url: str) -> int:
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_a_county_clerk_counts_her_first_reviews_supplements_and_clock(scheme, at_now, county_clerk):
    mine = Claim.objects.filter(county_id=KUNDULUN)
    first = mine.filter(status=S.FIRST_REVIEW)
    assert _counts(county_clerk) == {
        "待初审": first.count(), "待补正": mine.filter(status=S.SUPPLEMENT).count(),
        "即将超期": first.filter(due_on__gte=TODAY, due_on__lt=due_soon_before(TODAY)).count(),
        "已超期": first.filter(due_on__lt=TODAY).count()}
    assert sum(_counts(county_clerk).values()) > 0


@pytest.mark.parametrize("role,division,label,status", [
    (Role.OFFICE, BAOTOU, "待复审", S.SECOND_REVIEW), (Role.ASSOCIATION, None, "待审批", S.APPROVAL)])
def test_the_league_and_the_association_count_their_own_level(scheme, at_now, role, division, label, status):
    user = make_staff(f"todo_{role}", role, division=division)
    claims = Claim.objects.filter(status=status, **({"league_id": division} if division else {}))
    counts = _counts(user)
    assert counts[label] == claims.count()
    assert counts["已超期"] == claims.filter(due_on__lt=TODAY).count()
    assert "待补正" not in counts and "待初审" not in counts


def test_every_link_opens_a_queue_of_exactly_that_many_claims(scheme, at_now, county_clerk, league_reviewer,
                                                               association_approver, auditor, unit_contact):
    for user in (county_clerk, league_reviewer, association_approver, auditor, unit_contact):
        todos = claim_todos(user)
        assert todos, user
        for todo in todos:
            assert todo.url.startswith(reverse("claims:queue") + "?")
            assert _queue_count(user, todo.url) == todo.count, (user.username, todo)


def test_the_urgent_ones_are_the_clock_and_the_home_page_shows_them(scheme, at_now, county_clerk):
    assert {todo.label for todo in claim_todos(county_clerk) if todo.urgent} == {"即将超期", "已超期"}
    client = Client()
    client.login(username=county_clerk.username, password=PASSWORD)
    page = client.get("/").text
    for todo in todos_for(county_clerk):
        assert todo.url.replace("&", "&amp;") in page and todo.label in page


def test_a_unit_contact_sees_her_units_supplements_and_administrators_see_nothing(scheme, at_now, unit_contact):
    assert _counts(unit_contact) == {
        "待补正": Claim.objects.filter(unit_id=unit_contact.staff.unit_id, status=S.SUPPLEMENT).count()}
    for role in (Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        assert claim_todos(make_staff(f"todo_{role}", role)) == []


def test_an_auditor_watches_the_clock_of_every_open_claim(scheme, at_now, auditor):
    open_claims = Claim.objects.filter(status__in=[S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.APPROVAL,
                                                   S.SUPPLEMENT, *([S.EXPERT_REVIEW] if hasattr(S, "EXPERT_REVIEW") else [])])
    assert _counts(auditor) == {"即将超期": open_claims.filter(due_on__gte=TODAY, due_on__lt=due_soon_before(TODAY)).count(),
                                "已超期": open_claims.filter(due_on__lt=TODAY).count()}
