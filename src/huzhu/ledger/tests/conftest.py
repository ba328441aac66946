"""Ledger fixtures: the 2026 hospitalization plan year with its chart, and a helper to check balance."""
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from huzhu.ledger import services
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.plans.services import install_default_plans

DAY = date(2026, 3, 1)
AFTER_THE_PERIOD = "2027-01-15 10:00 +0800"  # the 2026 protection period has ended: the year may close


@pytest.fixture
def after_the_period():
    """Today is 15 January 2027, after the 2026 protection period."""
    with time_machine.travel(AFTER_THE_PERIOD, tick=False):
        yield


@pytest.fixture
def plan_year(db):
    year = next(py for py in install_default_plans(years=(2026,)) if py.plan_id == "hospitalization")
    services.ensure_chart(year)
    return year


def assert_books_balance():
    """Every entry sums to zero, and so does the whole ledger."""
    unbalanced = (Posting.objects.values("entry_id").order_by().annotate(total=Sum("amount"))
                  .exclude(total=Decimal("0")))
    assert list(unbalanced) == []
    assert not LedgerEntry.objects.filter(postings__isnull=True).exists()
