"""Webhooks: claim status changes reach a subscriber's server signed, once per event, retried with backoff."""
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from huzhu.claims.models import ClaimStatusChange
from huzhu.conftest import HONGSHAN
from huzhu.regions.models import Division
from huzhu.webhooks import rules, services
from huzhu.webhooks.models import Delivery


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (8, 3840), (20, 6 * 3600)],
                         ids=["first", "second", "third", "eighth", "capped"])
def test_retries_back_off_exponentially_up_to_six_hours(attempts, seconds):
    assert rules.retry_delay_seconds(attempts) == seconds


def test_a_signature_verifies_only_for_the_same_secret_body_and_a_fresh_timestamp():
    signature = rules.sign("whsec_a", 1_767_225_600, b'{"id":"evt_1"}')
    assert signature.startswith("v1=")
    assert rules.verify("whsec_a", "1767225600", b'{"id":"evt_1"}', signature, now=1_767_225_700)
    assert not rules.verify("whsec_b", "1767225600", b'{"id":"evt_1"}', signature, now=1_767_225_700)
    assert not rules.verify("whsec_a", "1767225600", b'{"id":"evt_2"}', signature, now=1_767_225_700)
    assert not rules.verify("whsec_a", "1767225600", b'{"id":"evt_1"}', signature, now=1_767_225_600 + 301)


class Receiver:
    """A subscriber's server on 127.0.0.1 that records what it gets and answers with `statuses` in turn."""

    def __init__(self, statuses):
        self.statuses, self.received = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/huzhu"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    servers = []

    def start(*statuses):
        servers.append(Receiver(statuses))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_a_claims_moves_reach_the_subscriber_signed_and_a_rerun_sends_nothing_twice(
        association_approver, file_stay, receiver):
    hook = receiver()
    subscriber, secret = services.create_subscriber(actor=association_approver, name="工会服务平台", url=hook.url)
    claim = file_stay()
    moves = list(ClaimStatusChange.objects.filter(claim=claim).exclude(to_status="draft").order_by("id"))
    assert services.enqueue_claim_events() == len(moves)
    assert services.enqueue_claim_events() == 0  # the same changes again: nothing new
    assert services.deliver_due() == len(moves)
    assert services.deliver_due() == 0
    assert len(hook.received) == len(moves)
    headers, body = hook.received[0]
    assert rules.verify(secret, headers["X-Huzhu-Timestamp"], body, headers["X-Huzhu-Signature"], now=int(time.time()))
    event = json.loads(body)
    assert event["type"] == "claim.status_changed" and headers["X-Huzhu-Delivery"] == event["id"]
    assert event["data"]["claim_id"] == claim.pk and event["data"]["to_status"] == moves[0].to_status
    assert "巴特尔" not in body.decode()  # no names or numbers of the worker leave the system
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.DELIVERED}


def test_a_failing_subscriber_is_retried_later_with_the_same_event_and_given_up_after_eight_tries(
        association_approver, file_stay, receiver):
    hook = receiver(*([500] * 8))
    services.create_subscriber(actor=association_approver, name="对接系统", url=hook.url)
    claim = file_stay()
    services.enqueue_claim_events()
    first = Delivery.objects.order_by("id").first()
    Delivery.objects.exclude(pk=first.pk).delete()
    assert services.deliver_due() == 0
    first.refresh_from_db()
    assert (first.status, first.attempts, first.last_status_code) == (Delivery.Status.PENDING, 1, 500)
    assert services.deliver_due() == 0  # not due yet: the backoff holds it back
    now = timezone.now()
    for attempt in range(2, 9):
        with time_machine.travel(now + timedelta(seconds=sum(rules.retry_delay_seconds(a) for a in range(1, attempt))
                                                 + 5 * attempt)):
            services.deliver_due()
    first.refresh_from_db()
    assert (first.status, first.attempts) == (Delivery.Status.FAILED, 8)
    assert len({headers["X-Huzhu-Delivery"] for headers, _ in hook.received}) == 1
    assert len(hook.received) == 8 and claim.pk


def test_an_unreachable_subscriber_is_a_logged_failure_not_an_error(association_approver, file_stay):
    services.create_subscriber(actor=association_approver, name="已下线系统", url="http://127.0.0.1:9/gone")
    file_stay()
    services.enqueue_claim_events()
    assert services.deliver_due() == 0
    delivery = Delivery.objects.order_by("id").first()
    assert delivery.status == Delivery.Status.PENDING and delivery.last_status_code is None and delivery.last_error


def test_a_regional_subscriber_gets_only_its_regions_claims(association_approver, file_stay, receiver):
    hook = receiver()
    services.create_subscriber(actor=association_approver, name="赤峰平台", url=hook.url,
                               division=Division.objects.get(code=HONGSHAN))
    file_stay()  # a claim in 昆都仑区
    assert services.enqueue_claim_events() == 0


def test_a_subscriber_url_must_be_http(association_approver):
    from huzhu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        services.create_subscriber(actor=association_approver, name="x", url="ftp://example/hook")
    assert refused.value.field == "url"
