"""Claims from data under concurrency, on PostgreSQL: two imports of the same settlements at once make each
claim once, and both answer with its id."""
from datetime import date

import pytest
from django.db import connection

from ..models import Claim
from .test_claims_from_data import covered, make, settlement  # noqa: F401 - the fixture is used by name
from .test_postgres_reliability import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL advisory locks and concurrent sessions: run with DATABASE_URL=postgres://..."),
    pytest.mark.django_db(transaction=True),
]


def test_the_same_settlements_imported_twice_at_once_make_each_claim_once(covered, association_approver):  # noqa: F811
    worker, coverage = covered
    rows = [settlement(worker, coverage),
            settlement(worker, coverage, self_pay="8000.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 5))]
    first, second = at_once(lambda: make(association_approver, *rows), lambda: make(association_approver, *rows))
    assert isinstance(first, dict) and first == second
    assert Claim.objects.count() == 2
    assert set(Claim.objects.values_list("settlement_serial", flat=True)) == {r.serial for r in rows}
