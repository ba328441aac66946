"""Every page carries a strict Content-Security-Policy and no inline script."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from huzhu.conftest import make_worker
from huzhu.plans.services import install_default_plans

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "object-src 'none'; frame-ancestors 'none'; base-uri 'self'")


def _inline_scripts(html: str) -> list[str]:
    """<script> tags that would execute without a src (JSON data blocks do not execute)."""
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    return [t for t in tags if "src=" not in t and "application/json" not in t]


def test_the_login_page_has_the_policy_and_hardened_headers(client, db):
    response = client.get("/login/")
    assert response.headers["Content-Security-Policy"].startswith(POLICY)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_api_answers_carry_the_policy_too(client, db):
    assert "frame-ancestors 'none'" in client.get("/api/v1/members/units").headers["Content-Security-Policy"]


def test_pages_for_signed_in_staff_are_not_cached(client, county_clerk):
    client.force_login(county_clerk)
    assert client.get("/members/workers/").headers["Cache-Control"] == "no-store"


CLERK_PAGES = ["/login/", "/", "/members/workers/", "/members/units/", "/worker", "/security/tokens/",
               "/security/two-factor/", "/api/v1/docs", "/calculator/", "/policy/", "/enrollment/", "/claims/"]
ASSOCIATION_PAGES = ["/ledger/", "/plans/", "/payouts/", "/payouts/failed/", "/reports/", "/risk/", "/actuarial/",
                     "/campaign/", "/claims/official-days/"]


@pytest.mark.parametrize("persona,path", [("county_clerk", p) for p in CLERK_PAGES]
                         + [("association_approver", p) for p in ASSOCIATION_PAGES])
def test_rendered_pages_have_no_inline_script_or_style_attribute(client, request, home_unit, persona, path):
    install_default_plans()
    make_worker(home_unit, bank_account="6222021234567890123")
    client.force_login(request.getfixturevalue(persona))
    if path == "/worker":
        path = f"/members/workers/{home_unit.workers.first().pk}/"
    response = client.get(path, follow=True)
    html = response.content.decode()
    assert response.status_code == 200, path
    assert _inline_scripts(html) == []
    assert not re.search(r"\sstyle=", html), "inline style attributes are blocked by style-src 'self'"
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers are blocked by script-src 'self'"


def test_session_and_csrf_cookies_are_hardened(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@override_settings(HUZHU_SESSION_IDLE_SECONDS=60)
def test_an_idle_session_is_signed_out(client, county_clerk):
    client.force_login(county_clerk)
    assert client.get("/members/workers/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = client.get("/members/workers/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "_auth_user_id" not in client.session
