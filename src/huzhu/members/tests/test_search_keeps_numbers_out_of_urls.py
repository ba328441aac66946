"""Searching by a full ID number or phone posts the text: no address (and so no access log) holds it."""
from huzhu.conftest import PASSWORD, make_worker


def test_a_full_id_number_search_redirects_to_an_address_without_the_number(client, county_clerk, home_unit):
    person = make_worker(home_unit, name="其其格", phone="13800000007")
    other = make_worker(home_unit, name="额尔敦")
    assert client.login(username=county_clerk.username, password=PASSWORD)
    number = person.reveal_id_number()
    for typed, needle in ((number, number), ("138 0000 0007", "13800000007")):
        posted = client.post("/members/workers/", {"q": typed})
        assert posted.status_code == 302
        assert needle not in posted.url and typed not in posted.url and "s=" in posted.url
        page = client.get(posted.url).text
        assert person.name in page and other.name not in page


def test_a_name_search_stays_readable_in_the_address(client, county_clerk, home_unit):
    person = make_worker(home_unit, name="其其格")
    assert client.login(username=county_clerk.username, password=PASSWORD)
    posted = client.post("/members/workers/", {"q": "其其格"})
    assert posted.status_code == 302 and "q=" in posted.url
    assert person.name in client.get(posted.url).text


def test_the_search_form_posts(client, county_clerk):
    assert client.login(username=county_clerk.username, password=PASSWORD)
    assert 'method="post" role="search"' in client.get("/members/workers/").text
