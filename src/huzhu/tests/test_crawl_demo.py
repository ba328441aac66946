"""The demo crawl (issue 16): load `huzhu demo` (small), sign in as every demo account, as a worker
and as nobody, follow every link and GET form of every page reached, and fail on any 5xx or
exception. Each query parameter met is also sent mangled (a superscript digit, numbers past 64
bits, a word): still never a 5xx. Unit tests render hand-made rows; this renders demo-shaped ones.

Bounded to stay fast: a route (digits collapsed) once per account, detail pages and PDFs sampled
across accounts (crawl.Budget). Runs on SQLite and PostgreSQL alike (nothing here asks the vendor).
"""
import io
import logging
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from huzhu.claims.models import Claim
from huzhu.conftest import sign_in_as_worker
from huzhu.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from huzhu.members.models import Worker

from .crawl import MANGLED_VALUES, Budget, Crawler

# Every account `huzhu demo` creates: the role logins, and the payout maker and checker.
ACCOUNTS = [username for username, *_rest in DEMO_ACCOUNTS] + ["zhifu", "fuhe"]
DEMO_WORKERS = 300


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), time_machine.travel("2026-11-29 10:00 +0800", tick=True):
        with transaction.atomic():
            call_command("demo", workers=DEMO_WORKERS, seed=1, stdout=io.StringIO())
            yield
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def budget():
    return Budget()


@pytest.fixture
def crawl(demo, db, budget):
    def run(client, *starts, **options) -> Crawler:
        crawler = Crawler(client, budget=budget, **options).run(*starts)
        assert not crawler.failures, f"{len(crawler.failures)} failing requests:\n\n{crawler.report()}"
        return crawler
    return run


def sign_in_staff(client, username: str) -> None:
    """Through the login page, as a person would (lockout and two-factor middleware included)."""
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"


def sign_in_worker(client, worker) -> None:
    """The worker's web door: ID number and registered phone at /me/sign-in/, then the texted code."""
    sign_in_as_worker(client, worker)


def a_worker_with_claims():
    claim = Claim.objects.exclude(worker__phone_encrypted="").order_by("pk").first()
    return Worker.objects.get(pk=claim.worker_id)


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_page_a_demo_account_reaches_answers_without_a_server_error_and_offers_nothing_forbidden(
        crawl, username):
    client = Client()
    sign_in_staff(client, username)
    crawler = crawl(client, "/")
    assert len(crawler.visited) > 3, crawler.visited  # signed in, and the home page links somewhere
    # Nothing a role cannot use is shown to it: no link or GET form on its pages answers 403.
    assert not crawler.forbidden, "\n".join(str(failure) for failure in crawler.forbidden)


def test_the_crawl_covers_every_account_the_demo_creates(demo, db):
    assert set(get_user_model().objects.values_list("username", flat=True)) <= set(ACCOUNTS)


def test_every_page_a_worker_reaches_on_the_web_answers_without_a_server_error(crawl):
    worker = a_worker_with_claims()
    client = Client()
    sign_in_worker(client, worker)
    crawler = crawl(client, "/me/", "/me/data-consent/", "/enrollment/my-coverage/", "/claims/mine/")
    assert any(re.fullmatch(r"/claims/mine/\d+/", url) for url in crawler.visited), crawler.visited
    assert any(re.fullmatch(r"/enrollment/my-coverage/\d+/certificate/", url) for url in crawler.visited)


def worker_api_token(client, worker, caplog) -> str:
    """The API's worker sign-in: ask for a code (the log SMS backend writes it), trade it for a token."""
    caplog.set_level(logging.WARNING, logger="huzhu.sms")
    who = {"id_number": worker.reveal_id_number(), "phone": worker.reveal_phone()}
    assert client.post("/api/v1/auth/worker/code", who, content_type="application/json").status_code == 202
    code = re.search(r"验证码为 (\d{6})", [r.getMessage() for r in caplog.records if r.name == "huzhu.sms"][-1])[1]
    response = client.post("/api/v1/auth/worker/token", {**who, "code": code}, content_type="application/json")
    assert response.status_code == 200
    return response.json()["token"]


def test_a_workers_api_reads_answer_without_a_server_error(demo, db, caplog):
    client = Client()
    token = worker_api_token(client, a_worker_with_claims(), caplog)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    claims = api.get("/api/v1/me/claims")
    assert claims.status_code == 200 and claims.json()["count"] > 0
    urls = ["/api/v1/me/coverage", "/api/v1/me/data-consent", *(f"/api/v1/me/claims/{c['id']}" for c in claims.json()["items"][:3])]
    urls += [f"/api/v1/me/{what}?page={bad}" for what in ("claims", "coverage") for bad in MANGLED_VALUES]
    answers = {url: api.get(url).status_code for url in urls}
    assert all(status < 500 for status in answers.values()), answers


def test_every_public_page_answers_without_a_server_error(crawl):
    crawler = crawl(Client(), "/", "/calculator/", "/policy/", "/login/", "/claims/mine/", "/enrollment/my-coverage/")
    assert "/calculator/" in crawler.visited
