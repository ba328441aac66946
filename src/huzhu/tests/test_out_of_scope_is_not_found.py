"""A record outside the actor's region is "not found" on every door, never 403 or 422 (docs/architecture.md).

The county clerk of 昆都仑区 (the api_world's agency persona) names each kind of record of 红山区
by id, on the web pages and on the API, reading and writing: every answer is a 404 that names
nothing of the record. The same request on her own county's record is answered, so each case can
fail.
"""
import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from huzhu.conftest import PASSWORD, built_once_for_the_file

from .conftest import TODAY, api_world_settings, build_api_world


@pytest.fixture(scope="module")
def _world_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The api_world, built once for every case of this file."""
    yield from built_once_for_the_file(django_db_blocker, tmp_path_factory, build_api_world,
                                       **api_world_settings(tmp_path_factory.mktemp("world")))


@pytest.fixture
def api_world(db, _world_rows):
    return _world_rows


YEAR = {"plan": "hospitalization", "year": 2027}

# (method, URL of a region's record, form data): web pages of the county clerk.
WEB = {
    "unit page": lambda r: ("get", reverse("members:unit_detail", args=[r.unit.pk]), None),
    "worker page": lambda r: ("get", reverse("members:worker_detail", args=[r.workers[1].pk]), None),
    "register a worker at the unit": lambda r: ("post", reverse("members:worker_create", args=[r.unit.pk]),
                                                {"name": "新来的", "id_number": r.new_id_number}),
    "enrollment page": lambda r: ("get", reverse("enrollment:detail", args=[r.draft.pk]), None),
    "submit the enrollment": lambda r: ("post", reverse("enrollment:submit", args=[r.draft.pk]), {}),
    "cancel the enrollment": lambda r: ("post", reverse("enrollment:cancel", args=[r.draft.pk]), {"reason": "x"}),
    "start an enrollment for the unit": lambda r: ("post", reverse("enrollment:start"),
                                                   {"unit": r.unit.pk, "plan_year": _plan_2027()}),
    "roster import page": lambda r: ("get", reverse("enrollment:import_job", args=[r.job.pk]), None),
    "discard the roster import": lambda r: ("post", reverse("enrollment:import_discard", args=[r.job.pk]), {}),
    "claim page": lambda r: ("get", reverse("claims:detail", args=[r.claim_in_review.pk]), None),
    "withdraw the claim": lambda r: ("post", reverse("claims:withdraw", args=[r.claim_in_supplement.pk]), {}),
    "campaign follow-up of the unit": lambda r: ("get", reverse("campaign:follow_up", args=[r.unit.pk]), YEAR),
    "take the unit for follow-up": lambda r: ("post", reverse("campaign:take", args=[r.unit.pk]), YEAR),
    "record outreach reaching the unit": lambda r: ("post", reverse("campaign:outreach_new"), {
        **YEAR, "held_on": "2026-08-01", "kind": "briefing", "place": "区工会", "audience_size": "30",
        "units": [r.unit.pk]}),
}

# The same through the API (Bearer token of the county clerk).
API = {
    "unit": lambda r: ("get", f"/api/v1/members/units/{r.unit.pk}", None),
    "worker": lambda r: ("get", f"/api/v1/members/workers/{r.workers[1].pk}", None),
    "register a worker at the unit": lambda r: ("post", "/api/v1/members/workers",
                                                {"unit_id": r.unit.pk, "name": "新来的", "id_number": r.new_id_number}),
    "enrollment": lambda r: ("get", f"/api/v1/enrollment/enrollments/{r.draft.pk}", None),
    "submit the enrollment": lambda r: ("post", f"/api/v1/enrollment/enrollments/{r.draft.pk}/submit", {}),
    "start an enrollment for the unit": lambda r: ("post", "/api/v1/enrollment/enrollments",
                                                   {"unit_id": r.unit.pk, "plan_year_id": _plan_2027()}),
    "roster import": lambda r: ("get", f"/api/v1/enrollment/imports/{r.job.pk}", None),
    "discard the roster import": lambda r: ("post", f"/api/v1/enrollment/imports/{r.job.pk}/discard", {}),
    "claim": lambda r: ("get", f"/api/v1/claims/{r.claim_in_review.pk}", None),
    "submit the claim": lambda r: ("post", f"/api/v1/claims/{r.claim_in_supplement.pk}/submit", {}),
}


def _plan_2027() -> int:
    from huzhu.plans.models import PlanYear

    return PlanYear.objects.get(plan_id="hospitalization", year=2027).pk


def _names(region) -> list[str]:
    """What the answer must not tell about another county's record: its unit's and workers' names."""
    return [region.unit.name, *(worker.name for worker in region.workers)]


def _call(client, method: str, url: str, data, **extra):
    with transaction.atomic():  # every case meets the same world
        if method == "get":
            response = client.get(url, data or {}, **extra)
        elif "HTTP_AUTHORIZATION" in extra:
            response = client.post(url, data, content_type="application/json", **extra)
        else:
            response = client.post(url, data, **extra)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("case", sorted(WEB))
def test_a_county_clerk_gets_404_naming_nothing_for_each_record_of_another_county_on_the_web(
        client, api_world, case):
    with time_machine.travel(TODAY, tick=False):
        assert client.login(username="api_agency", password=PASSWORD)
        own = _call(client, *WEB[case](api_world.regions["own"]))
        other = _call(client, *WEB[case](api_world.regions["other"]))
    assert own.status_code in (200, 302), f"own county: {own.status_code}"
    assert other.status_code == 404
    body = other.content.decode()
    assert not [name for name in _names(api_world.regions["other"]) if name in body]


@pytest.mark.parametrize("case", sorted(API))
def test_a_county_clerk_gets_404_not_found_naming_nothing_for_each_record_of_another_county_on_the_api(
        client, api_world, case):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_world.tokens['agency']}"}
    with time_machine.travel(TODAY, tick=False):
        own = _call(client, *API[case](api_world.regions["own"]), **auth)
        other = _call(client, *API[case](api_world.regions["other"]), **auth)
    assert own.status_code < 400, f"own county: {own.status_code} {own.content[:200]!r}"
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    body = other.content.decode()
    assert not [name for name in _names(api_world.regions["other"]) if name in body]
