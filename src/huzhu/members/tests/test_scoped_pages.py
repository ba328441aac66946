"""Units and workers: each role sees its own region, and guessing another's URL is a 404."""
from django.urls import reverse

from huzhu.conftest import PASSWORD, make_worker


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_county_clerk_finds_a_worker_of_the_county_by_masked_id_number(client, county_clerk, home_unit):
    worker = make_worker(home_unit, name="巴特尔")
    login(client, county_clerk)
    response = client.get(reverse("members:worker_list"), {"q": worker.id_number_masked})
    assert response.status_code == 200
    assert "巴特尔" in response.text
    assert worker.reveal_id_number() not in response.text


def test_county_clerk_gets_404_for_a_worker_of_another_league(client, county_clerk, other_unit):
    stranger = make_worker(other_unit, name="其木格")
    login(client, county_clerk)
    assert client.get(reverse("members:worker_detail", args=[stranger.pk])).status_code == 404
    assert "其木格" not in client.get(reverse("members:worker_list")).text


def test_league_reviewer_sees_the_league_but_not_other_leagues(client, league_reviewer, home_unit, other_unit):
    login(client, league_reviewer)
    page = client.get(reverse("members:unit_list")).text
    assert home_unit.name in page
    assert other_unit.name not in page
    assert client.get(reverse("members:unit_detail", args=[other_unit.pk])).status_code == 404


def test_unit_contact_sees_only_their_own_unit(client, unit_contact, home_unit, other_unit):
    from huzhu.conftest import make_unit

    neighbour = make_unit(home_unit.county_id, name="同旗县邻居单位")
    login(client, unit_contact)
    page = client.get(reverse("members:unit_list")).text
    assert home_unit.name in page
    assert neighbour.name not in page
    assert client.get(reverse("members:unit_detail", args=[neighbour.pk])).status_code == 404


def test_association_sees_every_league(client, association_approver, home_unit, other_unit):
    login(client, association_approver)
    page = client.get(reverse("members:unit_list")).text
    assert home_unit.name in page and other_unit.name in page


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("members:worker_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
