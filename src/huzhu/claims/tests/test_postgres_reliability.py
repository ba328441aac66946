"""Reliability under concurrency, on PostgreSQL: row locks and conditional updates, real threads."""
import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from huzhu.core.errors import Conflict, ValidationFailed

from .. import services
from ..models import Claim, ClaimStatusChange
from .conftest import TODAY, invoice, scans, stay_fields

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks and concurrent sessions: run with DATABASE_URL=postgres://..."),
    pytest.mark.django_db(transaction=True),
]
S = Claim.Status


def at_once(*calls):
    """Run the calls in threads released together; each result is the value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def at_association(file_stay, league_reviewer, no_straight_through):
    def make(self_pay="8000.00", **fields):
        claim = file_stay(self_pay, **fields)
        services.pass_review(actor=league_reviewer, claim=claim)
        return Claim.objects.get(pk=claim.pk)
    return make


def test_two_approvers_at_once_one_wins_and_the_other_gets_a_conflict(at_association, association_approver,
                                                                      second_approver):
    claim = at_association()
    mine, theirs = Claim.objects.get(pk=claim.pk), Claim.objects.get(pk=claim.pk)
    results = at_once(lambda: services.pass_review(actor=association_approver, claim=mine),
                      lambda: services.pass_review(actor=second_approver, claim=theirs))
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    assert conflicts[0].code == "claim_changed"
    assert ClaimStatusChange.objects.filter(claim=claim, to_status=S.APPROVED).count() == 1


def test_two_claims_of_one_worker_approved_at_once_stay_under_the_annual_cap(at_association, association_approver,
                                                                            second_approver):
    first = at_association("400000.00", fund="0.00")
    second = at_association("400000.00", fund="0.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 11))
    results = at_once(lambda: services.pass_review(actor=association_approver, claim=first),
                      lambda: services.pass_review(actor=second_approver, claim=second))
    assert not [r for r in results if isinstance(r, Exception)], results
    benefits = sorted(Claim.objects.filter(status=S.APPROVED).values_list("benefit_amount", flat=True))
    assert benefits == [D("120900.00"), D("379100.00")]
    assert sum(benefits) <= D("500000.00")


def test_the_same_invoice_in_two_claims_submitted_at_once_is_refused_once(worker, county_clerk, second_clerk,
                                                                         no_straight_through):
    shared = invoice("20000.00")

    def file(actor, admitted):
        return services.file_claim(actor=actor, worker=worker, documents=scans(), today=TODAY,
                                   **stay_fields(admitted=admitted, discharged=admitted.replace(day=5),
                                                 invoices=[dict(shared)]))
    results = at_once(lambda: file(county_clerk, date(2026, 3, 1)), lambda: file(second_clerk, date(2026, 5, 1)))
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(refused) == 1, results
    assert refused[0].code == "invoice_used"
    assert Claim.objects.count() == 1


def test_a_crash_between_steps_leaves_no_half_moved_claim(worker, county_clerk, monkeypatch, no_straight_through):
    from .. import review_clock

    claim = services.create_claim(actor=county_clerk, worker=worker, **stay_fields())
    for kind, content in scans():
        services.attach_document(actor=county_clerk, claim=claim, kind=kind, upload=content)

    def crash(*args, **kwargs):
        raise RuntimeError("worker process killed")

    monkeypatch.setattr(review_clock, "due_on", crash)  # after "submitted", before "first review"
    with pytest.raises(RuntimeError):
        services.submit_claim(actor=county_clerk, claim=claim, today=TODAY)
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.status == S.DRAFT
    assert stored.benefit_amount is None
    assert not ClaimStatusChange.objects.filter(claim=claim).exists()
    monkeypatch.undo()
    services.submit_claim(actor=county_clerk, claim=stored, today=TODAY)
    assert Claim.objects.get(pk=claim.pk).status == S.SECOND_REVIEW
