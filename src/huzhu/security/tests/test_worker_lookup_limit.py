"""The worker self-service pages share one look-up limit: guessing ID number + phone is throttled."""
from huzhu.security import throttling


def _identify(client, id_number, phone="13900000000"):
    return client.post("/claims/mine/", {"id_number": id_number, "phone": phone})


def test_the_claims_identification_page_stops_guessing_after_ten_failures(client, home_unit):
    from huzhu.conftest import make_worker

    person = make_worker(home_unit, name="阿拉坦", phone="13800000009")
    id_number = person.reveal_id_number()
    for _ in range(throttling.WORKER_LOOKUP_LIMIT):
        assert "不匹配" in _identify(client, id_number).content.decode()
    blocked = _identify(client, id_number, phone="13800000009")  # even the right phone now waits
    assert throttling.WORKER_LOOKUP_REFUSED in blocked.content.decode()
    assert client.session.get("claims_worker_id") is None


def test_failures_on_the_coverage_page_count_toward_the_claims_page(client, home_unit):
    from huzhu.conftest import make_worker

    person = make_worker(home_unit, name="苏日娜", phone="13800000010")
    id_number = person.reveal_id_number()
    for _ in range(throttling.WORKER_LOOKUP_LIMIT):
        client.post("/enrollment/my-coverage/", {"id_number": id_number, "phone": "13900000000"})
    assert throttling.WORKER_LOOKUP_REFUSED in _identify(client, id_number, phone="13800000010").content.decode()
