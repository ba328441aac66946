"""Staff API tokens: issued once, stored hashed, refused when wrong, revoked or expired."""
import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_worker
from huzhu.security import services
from huzhu.security.models import ApiToken


def test_a_valid_token_lists_the_clerks_own_county_only(api_get, county_clerk, home_unit, other_unit):
    make_worker(home_unit, name="巴特尔")
    make_worker(other_unit, name="其木格")
    _, token = services.create_api_token(actor=county_clerk, user=county_clerk, name="单位对接")
    response = api_get("/api/v1/members/workers", token)
    assert response.status_code == 200
    assert [w["name"] for w in response.json()["items"]] == ["巴特尔"]


def test_a_token_users_scope_makes_another_regions_worker_a_404(api_get, county_clerk, other_unit):
    stranger = make_worker(other_unit)
    _, token = services.create_api_token(actor=county_clerk, user=county_clerk, name="对接")
    response = api_get(f"/api/v1/members/workers/{stranger.pk}", token)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "记录不存在或不在您的管辖范围内"}


def test_only_the_sha256_of_the_token_is_stored(county_clerk):
    row, token = services.create_api_token(actor=county_clerk, user=county_clerk, name="对接")
    row.refresh_from_db()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.values_list().get(pk=row.pk))
    assert AuditEvent.objects.filter(action="api_token.created", object_id=str(row.pk)).exists()


def test_a_wrong_token_is_a_401_with_a_chinese_message(api_get, db):
    response = api_get("/api/v1/members/units", "hzs_not-a-real-token")
    assert response.status_code == 401
    assert response.json() == {"code": "token_invalid", "message": "访问令牌无效，请检查后重试"}


def test_a_revoked_token_is_refused(api_get, county_clerk):
    row, token = services.create_api_token(actor=county_clerk, user=county_clerk, name="对接")
    services.revoke_api_token(actor=county_clerk, token=row)
    response = api_get("/api/v1/members/units", token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert response.json()["message"] == "访问令牌已被吊销"


def test_an_expired_token_is_refused(api_get, county_clerk):
    _, token = services.create_api_token(actor=county_clerk, user=county_clerk, name="对接", expires_in_days=30)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = api_get("/api/v1/members/units", token)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_no_credentials_at_all_is_a_401_in_chinese(client, db):
    response = client.get("/api/v1/members/units")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert "令牌" in response.json()["message"]


@pytest.mark.parametrize("url", ["/api/v1/members/workers", "/api/v1/claims/"])
def test_an_anonymous_post_is_a_401_not_a_csrf_403(db, url):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(url, {}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_a_session_post_without_the_csrf_token_is_still_refused(db, county_clerk):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(county_clerk)
    assert browser.post("/api/v1/claims/", {}, content_type="application/json").status_code == 403


def test_a_worker_token_does_not_open_staff_endpoints(api_get, home_unit):
    worker = make_worker(home_unit, phone="13800000011")
    token = services.WORKER_TOKEN_PREFIX + services.signing.dumps({"w": worker.pk}, salt=services._WORKER_TOKEN_SALT)
    assert api_get("/api/v1/members/units", token).status_code == 401


def test_the_command_prints_a_token_that_works(api_get, county_clerk, capsys):
    call_command("api-token", "create", county_clerk.username, "--name", "批量对接")
    token = capsys.readouterr().out.strip()
    assert token.startswith("hzs_")
    assert api_get("/api/v1/members/units", token).status_code == 200
    assert ApiToken.objects.get(user=county_clerk).last_used_at is not None


def test_the_token_page_shows_a_new_token_once_and_revokes_it(client, county_clerk):
    client.force_login(county_clerk)
    page = client.post("/security/tokens/", {"name": "对接系统", "expires_in_days": 90}).content.decode()
    row = ApiToken.objects.get(user=county_clerk)
    assert "只显示这一次" in page and row.prefix in page
    assert "只显示这一次" not in client.get("/security/tokens/").content.decode()
    client.post(f"/security/tokens/{row.pk}/revoke/")
    row.refresh_from_db()
    assert row.revoked_at is not None
