"""The members API answers within the caller's scope and 404s outside it."""
from huzhu.conftest import PASSWORD, make_worker


def test_the_api_lists_only_the_clerks_county(client, county_clerk, home_unit, other_unit):
    make_worker(home_unit, name="巴特尔")
    make_worker(other_unit, name="其木格")
    client.login(username=county_clerk.username, password=PASSWORD)
    body = client.get("/api/v1/members/workers").json()
    assert [w["name"] for w in body["items"]] == ["巴特尔"]
    assert "*" in body["items"][0]["id_number_masked"]


def test_an_id_from_another_region_is_a_404_not_a_403(client, county_clerk, other_unit):
    stranger = make_worker(other_unit)
    client.login(username=county_clerk.username, password=PASSWORD)
    assert client.get(f"/api/v1/members/workers/{stranger.pk}").status_code == 404
    assert client.get(f"/api/v1/members/units/{other_unit.pk}").status_code == 404


def test_the_api_needs_a_login(client, db):
    assert client.get("/api/v1/members/units").status_code == 401
