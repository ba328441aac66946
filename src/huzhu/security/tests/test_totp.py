"""TOTP two-factor: enrol by typing the secret, then every sign-in asks for the current code."""
from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD
from huzhu.security import services
from huzhu.security.models import TotpDevice


def _enrol(client, user) -> str:
    client.force_login(user)
    page = client.get("/security/two-factor/")
    secret = page.context["secret"].replace(" ", "")
    assert page.context["secret"] in page.content.decode()
    response = client.post("/security/two-factor/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    return secret


def test_a_clerk_enrols_with_the_displayed_secret_and_a_code(client, county_clerk):
    _enrol(client, county_clerk)
    device = TotpDevice.objects.get(user=county_clerk)
    assert device.confirmed_at is not None
    assert len(services.totp_secret_of(device)) == 32 and "=" not in device.secret_encrypted[:3]
    assert AuditEvent.objects.filter(action="totp.enabled", actor=county_clerk).exists()


def test_a_wrong_code_does_not_enable_two_factor(client, county_clerk):
    client.force_login(county_clerk)
    client.get("/security/two-factor/")
    page = client.post("/security/two-factor/", {"code": "000000"})
    assert "验证码不正确" in page.content.decode()
    assert TotpDevice.objects.get(user=county_clerk).confirmed_at is None


def test_after_enrolment_sign_in_needs_the_password_and_the_current_code(client, county_clerk):
    secret = _enrol(client, county_clerk)
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        step_one = client.post("/login/", {"username": county_clerk.username, "password": PASSWORD})
        assert step_one.status_code == 302 and step_one.url.startswith("/security/login/code/")
        assert "_auth_user_id" not in client.session
        step_two = client.post("/security/login/code/", {"code": pyotp.TOTP(secret).now()})
        assert step_two.status_code == 302
        assert client.session["_auth_user_id"] == str(county_clerk.pk)
        assert client.get("/members/workers/").status_code == 200


def test_a_code_is_accepted_once_and_a_wrong_one_sends_back_to_the_password(client, county_clerk):
    secret = _enrol(client, county_clerk)
    client.logout()
    client.post("/login/", {"username": county_clerk.username, "password": PASSWORD})
    replayed = client.post("/security/login/code/", {"code": pyotp.TOTP(secret).now()})  # used at enrolment
    assert replayed.url == "/login/" and "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.failed", object_id=county_clerk.username).exists()


def test_a_session_that_skipped_the_code_step_is_signed_out(client, county_clerk):
    _enrol(client, county_clerk)
    client.logout()
    client.login(username=county_clerk.username, password=PASSWORD)  # a door without the second step
    assert client.get("/members/workers/").url == "/login/"


@pytest.mark.parametrize("path", ["/members/workers/", "/"])
@override_settings(HUZHU_2FA_REQUIRED_ROLES=["association", "admin"])
def test_a_role_that_requires_two_factor_must_enrol_before_anything_else(client, association_approver, path):
    client.force_login(association_approver)
    response = client.get(path)
    assert response.status_code == 302 and response.url == "/security/two-factor/"
    assert client.get("/security/two-factor/").status_code == 200


@override_settings(HUZHU_2FA_REQUIRED_ROLES=["association", "admin"])
def test_a_clerk_whose_role_does_not_require_it_goes_straight_in(client, county_clerk):
    client.force_login(county_clerk)
    assert client.get("/members/workers/").status_code == 200


def test_the_otp_arithmetic_matches_the_rfc_6238_sha1_vector():
    # RFC 6238 appendix B: secret "12345678901234567890", T = 59 s → 94287082 (8 digits).
    import base64

    secret = base64.b32encode(b"12345678901234567890").decode()
    assert pyotp.TOTP(secret, digits=8).at(59) == "94287082"
    assert pyotp.TOTP(secret, digits=8).at(1111111109) == "07081804"
