"""Property: any sequence of contributions, approvals, payouts, failures and reversals keeps the books
balanced, posts each cause at most once, and never pays one payout twice."""
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huzhu.core.errors import DomainError
from huzhu.core.scopes import PROVINCE
from huzhu.ledger import queries, services
from huzhu.ledger.models import LedgerEntry, Posting

from .conftest import DAY, assert_books_balance

ids = st.integers(min_value=1, max_value=4)
fen = st.integers(min_value=1, max_value=500_000).map(lambda n: Decimal(n) / 100)
operations = st.lists(st.one_of(
    st.tuples(st.just("contribute"), ids, fen, st.sampled_from([Decimal("0"), Decimal("10.00")])),
    st.tuples(st.just("approve"), ids, fen),
    st.tuples(st.just("pay"), ids, fen),
    st.tuples(st.just("fail"), ids),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30)),
), max_size=30)


def apply(plan_year, operation):
    name, *args = operation
    if name == "contribute":
        services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=args[0], paid_amount=args[1],
                                        subsidy_amount=args[2], posted_on=DAY)
    elif name == "approve":
        services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=args[0], benefit_amount=args[1],
                                     posted_on=DAY)
    elif name == "pay":
        services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=args[0], amount=args[1], posted_on=DAY)
    elif name == "fail":
        services.post_payout_failed(actor=None, plan_year=plan_year, payout_id=args[0], posted_on=DAY)
    else:
        entries = list(LedgerEntry.objects.order_by("pk"))
        if entries:
            services.reverse_entry(actor=None, entry=entries[args[0] % len(entries)], reason="测试冲销")


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=operations)
def test_random_sequences_keep_the_books_balanced_and_each_cause_posted_once(plan_year, sequence):
    with transaction.atomic():
        for operation in sequence:
            try:
                apply(plan_year, operation)
            except DomainError:
                pass  # a refused operation (conflict, not paid, already reversed) must leave nothing behind
        assert_books_balance()
        assert queries.trial_balance(PROVINCE, plan_year).is_balanced
        causes = Counter(LedgerEntry.objects.values_list("cause_type", "cause_id", "kind"))
        assert all(count == 1 for (_, cause_id, _), count in causes.items() if cause_id is not None)
        # A payout leaves the bank at most once, net of failures and reversals.
        for payout_id in {c[1] for c in causes if c[0] == "payout"}:
            paid = LedgerEntry.objects.get(cause_type="payout", cause_id=payout_id, kind="payout_paid")
            amount = paid.postings.get(amount__gt=0).amount
            net = Posting.objects.filter(entry__cause_type="payout", entry__cause_id=payout_id,
                                         account__code="1002").aggregate(total=Sum("amount"))["total"]
            assert net in (Decimal("0"), -amount)
        transaction.set_rollback(True)
