"""Invariants of the money: the bank account equals contributions less what the bank paid out; any
sequence of batches, paid and failed return lines and corrected re-payments keeps the books balanced
and pays each claim at most once."""
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huzhu.claims.models import Claim
from huzhu.core.errors import DomainError
from huzhu.core.money import ZERO
from huzhu.core.scopes import PROVINCE
from huzhu.ledger import queries as ledger_queries
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.payouts import services
from huzhu.payouts.models import Payout, PayoutBatch
from huzhu.payouts.rules import BatchFilters
from huzhu.plans.models import PlanYear

from .conftest import contribute, everything, lines_of, return_csv

P = Payout.Status


def balance(code: str) -> Decimal:
    """The whole ledger's signed balance of one account code (debit +)."""
    return Posting.objects.filter(account__code=code).aggregate(total=Sum("amount", default=ZERO))["total"]


def amount_of(payouts) -> Decimal:
    return payouts.aggregate(total=Sum("amount", default=ZERO))["total"]


def assert_money_holds(contributions: Decimal) -> None:
    """The books balance, the bank and the payable agree with the payouts, and no claim is paid twice."""
    for plan_year_id in LedgerEntry.objects.values_list("plan_year_id", flat=True).distinct():
        assert ledger_queries.trial_balance(PROVINCE, PlanYear.objects.get(pk=plan_year_id)).is_balanced
    left_the_bank = amount_of(Payout.objects.filter(status__in=(P.SENT, P.PAID)))  # paid, or still at the bank
    assert balance(ledger_rules.BANK) == contributions - left_the_bank
    approved = Claim.objects.filter(status__in=(Claim.Status.APPROVED, Claim.Status.PAID))
    payable = -balance(ledger_rules.BENEFITS_PAYABLE)
    assert payable == (approved.aggregate(t=Sum("benefit_amount", default=ZERO))["t"] - left_the_bank)
    paid_per_claim = Counter(Payout.objects.filter(status=P.PAID).values_list("claim_id", flat=True))
    assert all(n == 1 for n in paid_per_claim.values())
    assert set(paid_per_claim) == set(Claim.objects.filter(status=Claim.Status.PAID).values_list("pk", flat=True))
    live = Counter(Payout.objects.filter(status__in=(P.PENDING, P.SENT, P.PAID)).values_list("claim_id", flat=True))
    assert all(n == 1 for n in live.values())


def send(batch, maker, checker) -> None:
    services.approve_batch(actor=checker, batch=batch)
    services.record_bank_file_export(actor=maker, batch=batch, file_format="csv")
    services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())


def test_the_bank_balance_is_contributions_received_less_the_paid_bank_file_totals(
        hospitalization_2026, approve_claim, maker, checker):
    contribute(hospitalization_2026, "100000.00")
    for _ in range(4):
        approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    send(batch, maker, checker)
    failed = batch.payouts.order_by("pk").first()
    lines = lines_of(batch, failed={failed.reference})
    services.import_return_file(actor=maker, batch=batch, file_name="r.csv", content=return_csv(lines))
    paid_in_file = sum(Decimal(amount) for _, amount, result, _ in lines if result == "成功")
    assert paid_in_file == Decimal("1800.00")
    assert balance(ledger_rules.BANK) == Decimal("100000.00") - paid_in_file
    assert -balance(ledger_rules.BENEFITS_PAYABLE) == Decimal("600.00")  # the failed one is payable again
    assert_money_holds(Decimal("100000.00"))


# ---------------------------------------------------------------- random sequences

build_step = st.tuples(st.just("build"), st.sampled_from(["", "", "150200", "150400"]))
send_step = st.tuples(st.just("send"))
return_step = st.tuples(st.just("return"), st.lists(st.booleans(), min_size=1, max_size=4), st.integers(1, 5))
operations = st.lists(st.one_of(
    build_step, send_step, return_step, build_step, send_step, return_step,  # money-moving steps twice as often
    st.tuples(st.just("reimport")),
    st.tuples(st.just("resolve"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("cancel")),
), min_size=3, max_size=16)


class _Rollback(Exception):
    pass


def oldest(*statuses):
    return PayoutBatch.objects.filter(status__in=statuses).order_by("pk").first()


def run(operation, *, maker, checker, last_file: list) -> None:
    """One step of a random history; each acts on the oldest batch it applies to."""
    B = PayoutBatch.Status
    name, *args = operation
    if name == "build":
        batch = services.build_batch(actor=maker, filters=BatchFilters(league=args[0]))
        assert batch.payout_count > 0
    elif name == "send" and (batch := oldest(B.DRAFT, B.APPROVED)):
        if batch.status == B.DRAFT:
            services.approve_batch(actor=checker, batch=batch)
        services.record_bank_file_export(actor=maker, batch=batch, file_format="csv")
        services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
    elif name == "return" and (batch := oldest(B.SENT)):
        fails, size = args
        lines = [(p.reference, f"{p.amount:.2f}", "失败" if fails[n % len(fails)] else "成功",
                  "账户冻结" if fails[n % len(fails)] else "")
                 for n, p in enumerate(Payout.objects.filter(batch=batch).order_by("pk"))]
        content = return_csv(lines[:size])
        report = services.import_return_file(actor=maker, batch=batch, file_name="r.csv", content=content)
        if report.applied:
            last_file[:] = [batch, content]
        else:  # a line contradicting what an earlier file decided: the whole file is refused
            assert all("与回盘" in problem.message for problem in report.problems), report.problems
    elif name == "reimport" and last_file:
        report = services.import_return_file(actor=maker, batch=last_file[0], file_name="again.csv",
                                             content=last_file[1])
        assert report.applied and report.paid == report.failed == 0
    elif name == "resolve":
        waiting = list(Payout.objects.filter(status=P.FAILED, resolved_at__isnull=True).order_by("pk"))
        if waiting:
            payout = waiting[args[0] % len(waiting)]
            account = {"bank_name": "中国银行", "bank_account": f"621661020001{payout.pk:07d}"} if args[1] else {}
            services.resolve_failed_payout(actor=maker, payout=payout, note="按原账户重付", **account)
    elif name == "cancel" and (batch := oldest(B.DRAFT, B.APPROVED)):
        services.cancel_batch(actor=maker, batch=batch, reason="测试作废")


@pytest.fixture
def pool(hospitalization_2026, approve_claim, other_county_unit, other_county_clerk):
    contribute(hospitalization_2026, "50000.00")
    home = [approve_claim() for _ in range(3)]
    away = [approve_claim("2000.00", unit=other_county_unit, clerk=other_county_clerk) for _ in range(2)]
    return home + away


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=operations)
def test_random_batches_returns_and_repayments_keep_the_books_balanced_and_pay_each_claim_once(
        pool, maker, checker, sequence):
    try:
        with transaction.atomic():
            last_file: list = []
            for operation in sequence:
                try:
                    with transaction.atomic():
                        run(operation, maker=maker, checker=checker, last_file=last_file)
                except DomainError:
                    pass  # refused (wrong status, nothing to pay, not exported): must leave nothing behind
                assert_money_holds(Decimal("50000.00"))
            raise _Rollback
    except _Rollback:
        pass
