"""Settlement at discharge under concurrency and faults, on PostgreSQL: real threads, real sessions, a real cut.

A hospital that retries after a timeout sends the same serial while the first call may still run: one settlement.
Two hospitals discharging one worker at once: decided one after the other, under the annual cap. The connection
cut in the middle of a call: nothing of it stays, and the retry settles.
"""
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.test import Client

from huzhu.claims.models import Claim
from huzhu.claims.tests.test_postgres_reliability import at_once
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.hospitals import services
from huzhu.hospitals.models import DischargeSettlement
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.tests.test_faults import connection_cut_before

from .conftest import post, register, stay

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks and concurrent sessions: run with DATABASE_URL=postgres://..."),
    pytest.mark.django_db(transaction=True),
]


def test_a_retry_racing_the_first_call_gets_its_answer_and_never_a_second_settlement(token, covered, hospital):
    body = stay(covered, serial="ZYRACE1")
    hospitals = [Client(HTTP_AUTHORIZATION=f"Bearer {token}") for _ in range(4)]
    responses = at_once(*[lambda c=c: post(c, body) for c in hospitals])
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201], [r.content for r in responses]
    answers = [r.json() for r in responses]
    assert len({a["reference"] for a in answers}) == 1 and {a["status"] for a in answers} == {"settled"}
    assert DischargeSettlement.objects.count() == 1 and Claim.objects.count() == 1
    owed = Posting.objects.filter(account__code=f"2202-{hospital.code}").values_list("amount", flat=True)
    assert list(owed) == [-Claim.objects.get().benefit_amount]  # one advance, once


def test_two_hospitals_discharging_one_worker_at_once_stay_under_the_annual_cap(token, covered, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = settings.CLAIMS_EXPERT_REVIEW_AMOUNT = "1000000"
    other = register(code="H15020300002", name="包头市第四医院")
    _row, other_token = services.issue_token(actor=SYSTEM_ACTOR, hospital=other, name="HIS")
    big = {"self_pay": "400000.00", "fund": "300000.00", "out_of_policy": "0.00"}
    first = stay(covered, serial="ZYCAP1", days_ago=1, **big)
    second = stay(covered, serial="ZYCAP2", days_ago=15, hospital_code="H15020300002", **big)
    responses = at_once(lambda: post(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), first),
                        lambda: post(Client(HTTP_AUTHORIZATION=f"Bearer {other_token}"), second))
    assert [r.status_code for r in responses] == [201, 201], responses
    answers = sorted((r.json() for r in responses), key=lambda a: Decimal(a["benefit"]))
    # the default terms' annual cap of 500,000: whichever was decided first is paid in full; the second would be cut
    # to what the first left (120,900), which automation never pays: it is referred to the usual claim
    assert [(a["status"], a["benefit"]) for a in answers] == [("referred", "0.00"), ("settled", "379100.00")], answers
    stored = Claim.objects.filter(status=Claim.Status.PAID).values_list("benefit_amount", flat=True)
    assert list(stored) == [Decimal("379100.00")]


@pytest.mark.parametrize(("cut_before", "nth"), [
    ('INSERT INTO "claims_claimstatuschange"', 2),   # the claim made and submitted, before its approval
    ('INSERT INTO "hospitals_dischargesettlement"', 1),  # the claim paid, before the settlement is stored
    ('INSERT INTO "ledger_ledgerentry"', 2),  # the approval booked, before the hospital's advance
])
def test_a_connection_cut_mid_call_leaves_nothing_and_the_retry_settles(his, covered, hospital, cut_before, nth):
    body = stay(covered, serial="ZYCUT1")
    before = {"claims": Claim.objects.count(), "entries": LedgerEntry.objects.count()}
    with pytest.raises(DatabaseError), connection_cut_before(cut_before, nth=nth):
        services.settle_discharge(actor=services.authenticate_hospital(_token_of(his))[1], hospital=hospital,
                                  fields=_fields(body))
    connection.close()  # the dead connection is dropped; the next query opens a new one
    assert not DischargeSettlement.objects.exists()
    assert {"claims": Claim.objects.count(), "entries": LedgerEntry.objects.count()} == before
    answer = post(his, body)
    assert answer.status_code == 201 and answer.json()["status"] == "settled", answer.content
    assert DischargeSettlement.objects.count() == 1 and Claim.objects.count() == before["claims"] + 1


def _token_of(client: Client) -> str:
    return client.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")


def _fields(body: dict) -> dict:
    """The call's body as the API hands it to the service (parsed by its schema)."""
    from huzhu.hospitals.api import DischargeIn

    return DischargeIn(**body).dict()
