"""Bench: post N ledger entries through the bulk path, then time the trial balance.

Prints entries/s and the time of the trial-balance query (one GROUP BY over the postings), with
its ratio to a plain SUM over a bare table holding the same posting rows, measured in the same
run. N comes from LEDGER_BENCH_ENTRIES (default 1,000,000). The bench runs in a throwaway test
database (Django's test_<name>), created and dropped here; set DATABASE_URL for PostgreSQL.
"""
import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huzhu.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

from huzhu.core.scopes import PROVINCE  # noqa: E402
from huzhu.ledger import queries, rules, services  # noqa: E402
from huzhu.ledger.rules import EntryDraft, Line  # noqa: E402
from huzhu.plans.services import install_default_plans  # noqa: E402

ENTRIES = int(os.environ.get("LEDGER_BENCH_ENTRIES", "1000000"))
CHUNK = int(os.environ.get("LEDGER_BENCH_CHUNK", "10000"))
REPEATS = 3

# Three kinds of business in turn: a contribution, a claim approval, its payout.
PATTERNS = (
    ("enrollment", "contribution_paid", rules.BANK, rules.CONTRIBUTIONS),
    ("claim", "claim_approved", rules.BENEFITS_EXPENSE, rules.BENEFITS_PAYABLE),
    ("payout", "payout_paid", rules.BENEFITS_PAYABLE, rules.BANK),
)
AMOUNTS = [Decimal(fen).scaleb(-2) for fen in range(10_000, 10_000 + 997)]


def drafts(count: int):
    start = date(2026, 1, 1)
    for n in range(count):
        cause_type, kind, debit, credit = PATTERNS[n % 3]
        amount = AMOUNTS[n % len(AMOUNTS)]
        yield EntryDraft(cause_type, str(n), kind, start + timedelta(days=n % 365), kind,
                         (Line(debit, amount), Line(credit, -amount)))


def best_of(action) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(REPEATS):
        began = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - began)
    return best, result


def plain_sum():
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(amount) FROM bench_bare")
        return cursor.fetchone()[0]


def main() -> None:
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        plan_year = next(py for py in install_default_plans(years=(2026,)) if py.plan_id == "hospitalization")
        services.ensure_chart(plan_year)
        began = time.perf_counter()
        created = services.post_entries(actor=None, plan_year=plan_year, drafts=drafts(ENTRIES), chunk_size=CHUNK)
        posting_seconds = time.perf_counter() - began

        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_bare (account_id bigint NOT NULL, amount numeric(14, 2) NOT NULL)")
            cursor.execute("INSERT INTO bench_bare SELECT account_id, amount FROM ledger_posting")
            cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        balance_seconds, balance = best_of(lambda: queries.trial_balance(PROVINCE, plan_year))
        sum_seconds, total = best_of(plain_sum)
        assert balance.is_balanced and Decimal(total) == 0, "the books must balance"

        print(f"database           {connection.vendor}")
        print(f"entries            {created:,} ({created * 2:,} postings, chunks of {CHUNK:,})")
        print(f"posting            {posting_seconds:.1f} s = {created / posting_seconds:,.0f} entries/s")
        print(f"trial balance      {balance_seconds * 1000:.1f} ms ({len(balance.rows)} accounts, best of {REPEATS})")
        print(f"plain SUM baseline {sum_seconds * 1000:.1f} ms (bare table, same rows)")
        print(f"ratio              {balance_seconds / sum_seconds:.2f}x the plain SUM")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
