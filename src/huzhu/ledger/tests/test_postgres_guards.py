"""PostgreSQL only: the deferred trigger refuses an unbalanced entry even from raw SQL, the ledger
refuses UPDATE/DELETE, and concurrent postings of one cause make one entry.

SQLite has no deferred constraint triggers and serialises writers, so these are skipped there;
`DATABASE_URL=postgres://... make test` runs them.
"""
import threading
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction

from huzhu.ledger import services
from huzhu.ledger.models import Account, LedgerEntry

from .conftest import DAY

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (deferred triggers, row locks)"),
]


def insert_raw_entry(plan_year, lines):
    accounts = dict(Account.objects.filter(plan_year=plan_year).values_list("code", "pk"))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_ledgerentry (plan_year_id, posted_on, memo, cause_type, cause_id, kind,"
            " is_adjustment, reason, created_at) VALUES (%s, %s, 'raw', 'raw', %s, 'raw', false, '', now())"
            " RETURNING id", [plan_year.pk, DAY, str(len(lines))])
        entry_id = cursor.fetchone()[0]
        for code, amount in lines:
            cursor.execute("INSERT INTO ledger_posting (entry_id, account_id, amount) VALUES (%s, %s, %s)",
                           [entry_id, accounts[code], amount])
    return entry_id


@pytest.mark.django_db(transaction=True)
def test_the_trigger_rejects_an_unbalanced_entry_written_with_raw_sql_at_commit(plan_year):
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic():
            insert_raw_entry(plan_year, [("1002", D("100.00")), ("4101", D("-99.99"))])
    assert not LedgerEntry.objects.filter(cause_type="raw").exists()


@pytest.mark.django_db(transaction=True)
def test_the_trigger_rejects_a_one_sided_entry_and_accepts_a_balanced_one(plan_year):
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            insert_raw_entry(plan_year, [("1002", D("100.00"))])
    with transaction.atomic():
        insert_raw_entry(plan_year, [("1002", D("100.00")), ("4101", D("-100.00"))])
    assert LedgerEntry.objects.filter(cause_type="raw").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_posting_added_later_to_a_committed_entry_is_rejected(plan_year):
    entry = services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=1, benefit_amount=D("10.00"),
                                         posted_on=DAY)
    bank = Account.objects.get(plan_year=plan_year, code="1002")
    with pytest.raises(IntegrityError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO ledger_posting (entry_id, account_id, amount) VALUES (%s, %s, 5)",
                           [entry.pk, bank.pk])


@pytest.mark.django_db
def test_entries_and_postings_cannot_be_updated_or_deleted(plan_year):
    entry = services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=2, benefit_amount=D("10.00"),
                                         posted_on=DAY)
    for statement in ("UPDATE ledger_posting SET amount = amount * 2 WHERE entry_id = %s",
                      "DELETE FROM ledger_posting WHERE entry_id = %s",
                      "UPDATE ledger_ledgerentry SET memo = 'x' WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [entry.pk])


@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_of_the_same_claim_create_one_entry(plan_year):
    workers, barrier = 8, threading.Barrier(8)
    results, errors = [], []

    def approve():
        try:
            barrier.wait()
            entry = services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=99,
                                                 benefit_amount=D("8300.00"), posted_on=DAY)
            results.append(entry.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1 and len(results) == workers
    assert LedgerEntry.objects.filter(cause_type="claim", cause_id="99").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_close_waits_for_postings_in_flight_and_later_postings_are_refused(plan_year, after_the_period):
    from huzhu.core.errors import Conflict

    services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=1, paid_amount=D("1000.00"),
                                    subsidy_amount=D("0"), posted_on=DAY)
    services.close_plan_year(actor=None, plan_year=plan_year)
    with pytest.raises(Conflict):
        services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=2,
                                        paid_amount=D("1000.00"), subsidy_amount=D("0"), posted_on=DAY)


@pytest.mark.django_db(transaction=True)
def test_approvals_racing_a_close_all_post_and_only_those_after_it_are_prior_year_adjustments(plan_year,
                                                                                            after_the_period):
    from huzhu.core.scopes import PROVINCE
    from huzhu.ledger import queries

    services.post_contribution_paid(actor=None, plan_year=plan_year, enrollment_id=1, paid_amount=D("10000.00"),
                                    subsidy_amount=D("0"), posted_on=DAY)
    workers, barrier = 7, threading.Barrier(7)
    errors = []

    def work(number):
        try:
            barrier.wait()
            if number == 0:
                services.close_plan_year(actor=None, plan_year=plan_year)
            else:
                services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=number,
                                             benefit_amount=D("100.00"), posted_on=DAY)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    close_entry = LedgerEntry.objects.get(kind="reserve_appropriation")
    approvals = LedgerEntry.objects.filter(kind="claim_approved")
    assert approvals.count() == workers - 1
    assert all(entry.is_prior_year_adjustment == (entry.pk > close_entry.pk) for entry in approvals)
    assert queries.trial_balance(PROVINCE, plan_year).is_balanced
