"""The vendors' reference client (docs/hospital_client.py) against a live server: what docs/hospital-api.md shows."""
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest

from huzhu.claims.models import Claim
from huzhu.claims.services.at_discharge import settlement_key
from huzhu.hospitals.models import DischargeSettlement

from .conftest import stay

CLIENT = Path(__file__).resolve().parents[4] / "docs" / "hospital_client.py"


@pytest.fixture(scope="module")
def client():
    """docs/hospital_client.py imported by path (it is the vendors' file, not a package module)."""
    spec = importlib.util.spec_from_file_location("hospital_client", CLIENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ping_answers_the_hospital_the_token_belongs_to(client, live_server, hospital, token):
    answer = client.ping(live_server.url, token)
    assert answer.http_status == 200
    assert (answer["hospital"], answer["name"]) == ("H15020300001", "包头市中心医院")


def test_a_clean_stay_is_settled_with_a_benefit(client, live_server, token, covered):
    answer = client.settle(live_server.url, token, stay(covered, serial="REF-1"))
    assert answer.http_status == 201
    assert answer["status"] == "settled" and Decimal(answer["benefit"]) > 0
    assert answer["reference"].startswith("HZD") and Claim.objects.filter(pk=answer["claim_id"]).exists()


def test_a_repeated_settle_gets_the_same_reference_and_makes_no_second_claim(client, live_server, token, covered):
    body = stay(covered, serial="REF-2")
    first, again = client.settle(live_server.url, token, body), client.settle(live_server.url, token, body)
    assert (first.http_status, again.http_status) == (201, 200)
    assert again["reference"] == first["reference"] and again == first
    assert Claim.objects.filter(settlement_serial=settlement_key("REF-2")).count() == 1
    assert DischargeSettlement.objects.filter(serial="REF-2").count() == 1


def test_a_settle_whose_answer_is_lost_is_retried_with_the_same_serial(client, live_server, token, covered,
                                                                        monkeypatch):
    sent = []
    real_urlopen = client.urllib.request.urlopen

    def answer_lost_once(call, **kwargs):
        response = real_urlopen(call, **kwargs)
        sent.append(json.loads(call.data)["serial"])
        if len(sent) == 1:  # Huzhu settled it; the answer never reached the hospital
            response.close()
            raise TimeoutError("timed out")
        return response

    monkeypatch.setattr(client.urllib.request, "urlopen", answer_lost_once)
    answer = client.settle(live_server.url, token, stay(covered, serial="REF-3"))
    assert sent == ["REF-3", "REF-3"]
    assert answer.http_status == 200 and answer["status"] == "settled"  # the first call's answer, replayed
    assert Claim.objects.filter(settlement_serial=settlement_key("REF-3")).count() == 1


def test_get_answers_the_settlement_of_the_serial(client, live_server, token, covered):
    settled = client.settle(live_server.url, token, stay(covered, serial="REF-4"))
    assert client.get(live_server.url, token, "REF-4")["reference"] == settled["reference"]


def test_cancel_answers_cancelled_and_cancelling_again_answers_the_same(client, live_server, token, covered):
    client.settle(live_server.url, token, stay(covered, serial="REF-5"))
    cancelled = client.cancel(live_server.url, token, "REF-5", "患者取消出院")
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"]
    assert client.cancel(live_server.url, token, "REF-5", "重复提交")["cancelled_at"] == cancelled["cancelled_at"]
    assert Claim.objects.get(settlement_serial=settlement_key("REF-5")).status != Claim.Status.PAID


def test_the_same_serial_with_other_facts_is_refused_with_its_code(client, live_server, token, covered):
    client.settle(live_server.url, token, stay(covered, serial="REF-6"))
    with pytest.raises(client.HospitalApiError) as refused:
        client.settle(live_server.url, token, stay(covered, serial="REF-6", self_pay="2500.00"))
    assert (refused.value.status, refused.value.code) == (409, "serial_reused")


def test_a_bad_token_makes_the_command_exit_with_the_error_code(client, live_server, hospital, capsys):
    status = client.main(["--base", live_server.url, "--token", "hzh_not_a_token_we_issued", "ping"])
    out, err = capsys.readouterr()
    assert status == 1
    assert json.loads(out)["code"] == "token_invalid" and "token_invalid" in err


def test_the_command_settles_a_stay_from_a_file_and_prints_the_answer(client, live_server, token, covered, tmp_path,
                                                                       capsys):
    path = tmp_path / "stay.json"
    path.write_text(json.dumps(stay(covered, serial="REF-7"), ensure_ascii=False), encoding="utf-8")
    assert client.main(["--base", live_server.url, "--token", token, "settle", "--file", str(path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["status"] == "settled" and "HTTP 201" in err
