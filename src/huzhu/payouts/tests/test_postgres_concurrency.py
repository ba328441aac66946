"""Concurrency on PostgreSQL, with real threads: a return file imported twice at once pays once; two
makers building at once never put one claim in two batches."""
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from huzhu.claims.models import Claim
from huzhu.claims.tests.test_postgres_reliability import at_once
from huzhu.conftest import make_staff
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.payouts import services
from huzhu.payouts.models import Payout, PayoutBatch, ReturnImport
from huzhu.payouts.workflow import BATCH, BatchAction
from huzhu.regions.models import Role

from .conftest import all_paid, everything

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks and concurrent sessions: run with DATABASE_URL=postgres://..."),
    pytest.mark.django_db(transaction=True),
]


def test_the_same_return_file_imported_twice_at_once_pays_each_claim_once(sent_batch, maker, checker):
    content = all_paid(sent_batch)
    batch_a, batch_b = PayoutBatch.objects.get(pk=sent_batch.pk), PayoutBatch.objects.get(pk=sent_batch.pk)
    reports = at_once(
        lambda: services.import_return_file(actor=maker, batch=batch_a, file_name="a.csv", content=content),
        lambda: services.import_return_file(actor=checker, batch=batch_b, file_name="b.csv", content=content))
    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sorted((r.paid, r.unchanged) for r in reports) == [(0, 3), (3, 0)]
    assert Claim.objects.filter(status=Claim.Status.PAID).count() == 3
    assert sum(c.status_changes.filter(to_status=Claim.Status.PAID).count() for c in sent_batch.claims) == 3
    assert LedgerEntry.objects.filter(kind="payout_paid").count() == 3
    bank = Posting.objects.filter(account__code=ledger_rules.BANK).values_list("amount", flat=True)
    assert sum(bank) == D("-1800.00")
    assert ReturnImport.objects.count() == 2
    assert PayoutBatch.objects.get(pk=sent_batch.pk).status == PayoutBatch.Status.RECONCILED


def test_two_makers_building_at_once_never_share_a_claim(approve_claim, maker, checker):
    claims = [approve_claim() for _ in range(4)]
    results = at_once(lambda: services.build_batch(actor=maker, filters=everything()),
                      lambda: services.build_batch(actor=checker, filters=everything()))
    built = [r for r in results if isinstance(r, PayoutBatch)]
    refused = [r for r in results if isinstance(r, Conflict | ValidationFailed)]
    assert len(built) + len(refused) == 2 and built, results
    per_claim = Payout.objects.filter(claim__in=claims).values_list("claim_id", flat=True)
    assert sorted(per_claim) == sorted(c.pk for c in claims)  # each claim in exactly one batch


def test_two_checkers_approving_the_same_batch_at_once_one_wins_and_one_move_is_written(approve_claim, maker,
                                                                                        checker):
    second_checker = make_staff("checker2", Role.ASSOCIATION)
    approve_claim()
    built = services.build_batch(actor=maker, filters=everything())
    batch_a, batch_b = PayoutBatch.objects.get(pk=built.pk), PayoutBatch.objects.get(pk=built.pk)
    results = at_once(lambda: services.approve_batch(actor=checker, batch=batch_a),
                      lambda: services.approve_batch(actor=second_checker, batch=batch_b))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "PayoutBatch"], results
    assert built.status_changes.count() == 1
    assert PayoutBatch.objects.get(pk=built.pk).status == PayoutBatch.Status.APPROVED


def test_the_conditional_update_alone_lets_one_of_two_stale_approvals_through(approve_claim, maker, checker):
    approve_claim()
    built = services.build_batch(actor=maker, filters=everything())
    stale_a, stale_b = PayoutBatch.objects.get(pk=built.pk), PayoutBatch.objects.get(pk=built.pk)

    def approve(stale):  # no row lock: only `WHERE status = 'draft'` stands between the two
        with transaction.atomic():
            return BATCH.move(actor=checker, record=stale, action=BatchAction.APPROVE)

    results = at_once(lambda: approve(stale_a), lambda: approve(stale_b))
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1 and conflicts[0].code == "batch_changed", results
    assert built.status_changes.count() == 1
