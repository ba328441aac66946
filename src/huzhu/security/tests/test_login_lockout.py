"""Sign-in is throttled: five wrong passwords lock the username for 15 minutes; all of it audited."""
import time

from django.test import override_settings

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD
from huzhu.security import throttling


def _login(client, username, password, ip="10.1.1.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, county_clerk):
    for _ in range(5):
        page = _login(client, county_clerk.username, "wrong-password")
        assert page.status_code == 200
    locked = _login(client, county_clerk.username, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "账户已临时锁定，请 15 分钟后再试" in locked.content.decode()


@override_settings(HUZHU_LOGIN_LOCK_SECONDS=3)
def test_the_lock_lifts_when_its_time_is_up(client, county_clerk):
    # Real seconds, not time travel: Redis (the production cache) expires keys by its own clock.
    # The failures are counted directly so slow password hashing cannot stretch them past the window.
    for _ in range(5):
        throttling.register_login_failure(county_clerk.username, "10.1.1.1")
    assert _login(client, county_clerk.username, PASSWORD).status_code == 200
    time.sleep(3.2)
    response = _login(client, county_clerk.username, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(county_clerk.pk)


def test_a_success_forgets_earlier_failures(client, county_clerk):
    for _ in range(4):
        _login(client, county_clerk.username, "wrong-password")
    assert _login(client, county_clerk.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, county_clerk.username, "wrong-password")
    assert _login(client, county_clerk.username, PASSWORD).status_code == 302


@override_settings(HUZHU_LOGIN_MAX_FAILURES_PER_IP=3)
def test_one_address_guessing_many_usernames_is_locked_out(client, county_clerk):
    for name in ("a1", "a2", "a3"):
        _login(client, name, "wrong-password", ip="10.9.9.9")
    assert _login(client, county_clerk.username, PASSWORD, ip="10.9.9.9").status_code == 200
    assert _login(client, county_clerk.username, PASSWORD, ip="10.9.9.8").status_code == 302


def test_success_and_failure_are_both_audited_with_the_address(client, county_clerk):
    _login(client, county_clerk.username, "wrong-password")
    _login(client, county_clerk.username, PASSWORD)
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.object_id == county_clerk.username and failed.after == {"ip": "10.1.1.1", "locked": False}
    succeeded = AuditEvent.objects.get(action="login.succeeded")
    assert succeeded.actor == county_clerk and succeeded.after["ip"] == "10.1.1.1"


def test_the_admin_login_goes_through_the_throttled_page(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url.startswith("/login/")
