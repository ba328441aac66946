"""Workers sign in with ID number + phone + a one-time code and get a short-lived token."""
import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from ninja import Router

from huzhu.conftest import make_worker
from huzhu.core.errors import DomainError
from huzhu.security.auth import worker_auth
from huzhu.security.models import WorkerLoginCode

PHONE = "13800000001"
SENT = "如身份证号与手机号匹配，验证码已发送至该手机，5 分钟内有效"


@pytest.fixture
def worker(home_unit):
    return make_worker(home_unit, name="乌云", phone=PHONE)


def _ask(client, id_number, phone=PHONE):
    return client.post("/api/v1/auth/worker/code", {"id_number": id_number, "phone": phone},
                       content_type="application/json")


def _exchange(client, id_number, code, phone=PHONE):
    return client.post("/api/v1/auth/worker/token", {"id_number": id_number, "phone": phone, "code": code},
                       content_type="application/json")


def _code_from_log(caplog) -> str:
    texts = [r.getMessage() for r in caplog.records if r.name == "huzhu.sms"]
    assert texts, "the log SMS backend wrote nothing"
    return re.search(r"验证码为 (\d{6})", texts[-1])[1]


def test_the_code_is_texted_and_traded_for_a_worker_token(client, worker, caplog):
    caplog.set_level(logging.WARNING, logger="huzhu.sms")
    response = _ask(client, worker.reveal_id_number())
    assert response.status_code == 202 and response.json()["message"] == SENT
    code = _code_from_log(caplog)
    assert code not in str(list(WorkerLoginCode.objects.values()))  # stored only as a keyed hash
    token = _exchange(client, worker.reveal_id_number(), code)
    assert token.status_code == 200
    body = token.json()
    assert body["token"].startswith("hzw_") and body["worker_name"] == "乌云"
    assert _exchange(client, worker.reveal_id_number(), code).status_code == 401  # used once


def test_an_unknown_pair_gets_the_same_answer_and_no_text(client, worker, caplog):
    caplog.set_level(logging.WARNING, logger="huzhu.sms")
    response = _ask(client, worker.reveal_id_number(), phone="13900000000")
    assert (response.status_code, response.json()["message"]) == (202, SENT)
    assert not [r for r in caplog.records if r.name == "huzhu.sms"]


def test_a_wrong_code_is_refused_and_five_wrong_codes_burn_it(client, worker, caplog):
    caplog.set_level(logging.WARNING, logger="huzhu.sms")
    _ask(client, worker.reveal_id_number())
    code = _code_from_log(caplog)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = _exchange(client, worker.reveal_id_number(), wrong)
        assert response.status_code == 401
        assert response.json() == {"code": "code_invalid", "message": "验证码错误或已过期，请重新获取"}
    response = _exchange(client, worker.reveal_id_number(), code)
    assert response.json()["code"] == "code_attempts_exceeded"


def test_a_code_expires_after_five_minutes(client, worker, caplog):
    caplog.set_level(logging.WARNING, logger="huzhu.sms")
    _ask(client, worker.reveal_id_number())
    code = _code_from_log(caplog)
    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        response = _exchange(client, worker.reveal_id_number(), code)
    assert response.status_code == 401 and response.json()["code"] == "code_invalid"


def test_asking_again_within_a_minute_is_rate_limited(client, worker):
    assert _ask(client, worker.reveal_id_number()).status_code == 202
    response = _ask(client, worker.reveal_id_number())
    assert response.status_code == 429
    assert response.json() == {"code": "too_many_requests", "message": "验证码已发送，请 60 秒后再试"}


def test_the_rate_limit_is_the_same_for_a_pair_that_matches_nobody(client, db):
    assert _ask(client, "150203198503020011", phone="13900000009").status_code == 202
    assert _ask(client, "150203198503020011", phone="13900000009").status_code == 429


@pytest.fixture
def probe_client():
    """A worker-only endpoint on a throwaway API: how enrollment's /me/coverage plugs in."""
    from ninja import NinjaAPI
    from ninja.testing import TestClient

    api = NinjaAPI(urls_namespace="probe")
    api.add_exception_handler(
        DomainError, lambda request, exc: api.create_response(request, exc.as_dict(), status=exc.http_status))
    probe = Router()

    @probe.get("/me", auth=worker_auth)
    def me(request):
        return {"worker_id": request.auth.pk}

    api.add_router("/", probe)
    return TestClient(api)


def test_worker_auth_resolves_the_worker_and_expires_after_thirty_minutes(client, probe_client, worker, caplog):
    caplog.set_level(logging.WARNING, logger="huzhu.sms")
    _ask(client, worker.reveal_id_number())
    token = _exchange(client, worker.reveal_id_number(), _code_from_log(caplog)).json()["token"]
    assert probe_client.get("/me", headers={"Authorization": f"Bearer {token}"}).json() == {"worker_id": worker.pk}
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        late = probe_client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert late.status_code == 401
