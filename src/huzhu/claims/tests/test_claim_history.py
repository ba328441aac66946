"""Past claims recorded in bulk (the demo's path): every move checked against the workflow table."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from huzhu.claims.models import Claim, ClaimStatusChange
from huzhu.claims.services import history
from huzhu.enrollment.models import Coverage
from huzhu.ledger.models import LedgerEntry
from huzhu.plans.queries import plan_year

AT = timezone.make_aware(datetime(2026, 4, 1, 9, 0))
SUBMIT = history.Move("submit", "draft", "submitted", "county", "staff", AT)
ROUTE = history.Move("route", "submitted", "first_review", "", "system", AT + timedelta(minutes=5))


def past(worker, *moves, benefit="800.00"):
    coverage = Coverage.objects.get(worker=worker, plan_year__year=2026)  # the `worker` fixture's
    return history.PastClaim(facts={
        "worker_id": worker.pk, "coverage_id": coverage.pk, "claim_type": "inpatient", "league_id": worker.league_id,
        "county_id": worker.county_id, "unit_id": worker.unit_id, "benefit_amount": Decimal(benefit),
        "total_amount": Decimal("9000.00"), "policy_self_pay_amount": Decimal("2000.00"),
        "terms_version_id": plan_year("hospitalization", 2026).current_version_id}, moves=list(moves))


def record(*claims):
    with transaction.atomic():
        return history.record_past_claims(actor=None, plan_year=plan_year("hospitalization", 2026), claims=claims,
                                          action="test_past_claims")


def review(start, *steps):
    """The review moves after routing: (action, from, to, level) one day apart."""
    return [history.Move(action, origin, to, level, "staff", start + timedelta(days=n + 1))
            for n, (action, origin, to, level) in enumerate(steps)]


APPROVE = (("pass_first", "first_review", "second_review", "county"),
           ("pass_second", "second_review", "approval", "league"), ("approve", "approval", "approved", "association"))


def test_an_approved_past_claim_keeps_its_dated_moves_and_books_its_benefit(worker):
    recorded = record(past(worker, SUBMIT, ROUTE, *review(ROUTE.at, *APPROVE)))
    claim = Claim.objects.get(pk=recorded.ids[0])
    assert (claim.status, claim.submitted_at, claim.approved_at) == ("approved", AT, ROUTE.at + timedelta(days=3))
    assert ClaimStatusChange.objects.filter(claim=claim, notified_at__isnull=False).count() == 5
    assert LedgerEntry.objects.filter(cause_type="claim", cause_id=str(claim.pk)).count() == 1


def test_a_rejected_past_claim_stores_no_benefit(worker):
    recorded = record(past(worker, SUBMIT, ROUTE, *review(ROUTE.at, ("reject", "first_review", "rejected", "county"))))
    assert Claim.objects.get(pk=recorded.ids[0]).benefit_amount == Decimal("0.00")
    assert not LedgerEntry.objects.filter(cause_type="claim").exists()


@pytest.mark.parametrize("moves", [
    pytest.param([SUBMIT, *review(AT, *APPROVE)], id="approved-without-routing"),
    pytest.param([SUBMIT, ROUTE, history.Move("pay", "first_review", "paid", "", "system", AT)], id="paid-unapproved"),
    pytest.param([SUBMIT, history.Move("route", "submitted", "first_review", "", "worker", AT)], id="worker-routes"),
])
def test_a_past_claim_whose_moves_the_workflow_refuses_is_not_recorded(worker, moves):
    with pytest.raises(ValueError):
        record(past(worker, *moves))
    assert not Claim.objects.exists()


def test_past_payments_move_only_approved_claims_to_paid(worker):
    approved, waiting = record(past(worker, SUBMIT, ROUTE, *review(ROUTE.at, *APPROVE)),
                               past(worker, SUBMIT, ROUTE)).ids
    paid_at = AT + timedelta(days=20)
    assert history.record_past_payments(actor=None, payments=[(approved, "银行已付款")], at=paid_at) == 1
    assert Claim.objects.get(pk=approved).status == "paid"
    assert ClaimStatusChange.objects.get(claim_id=approved, action="pay").at == paid_at
    with pytest.raises(RuntimeError), transaction.atomic():
        history.record_past_payments(actor=None, payments=[(waiting, "银行已付款")], at=paid_at)
    assert Claim.objects.get(pk=waiting).status == "first_review"
