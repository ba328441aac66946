"""Reads for payouts: claims ready to pay, batches and their totals, the failed-payout queue; scoped.

Batches are the association's: a scope below the province sees none. Payouts and claims carry
their league, county and unit, so region filters are one equality on the row itself.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.claims import queries as claim_queries
from huzhu.claims.workflow import Channel, Status
from huzhu.core.money import ZERO
from huzhu.core.params import parse_integer
from huzhu.core.scopes import Scope
from huzhu.ledger.queries import EntrySource
from huzhu.regions.models import Role

from . import rules
from .models import BankFileTemplate, Payout, PayoutBatch

# Who opens the batch pages (the association makes them, auditors read them).
BATCH_READERS = frozenset({Role.ASSOCIATION, Role.AUDITOR})
LIVE = (Payout.Status.PENDING, Payout.Status.SENT, Payout.Status.PAID)


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _approved_unpaid(scope: Scope) -> QuerySet:
    """Approved claims with a benefit, no live payout, and no failed payout still waiting for a fix; a claim made
    from data is held until the worker confirms her bank card (claims.queries.held_for_bank_confirmation)."""
    live = Payout.objects.filter(claim=OuterRef("pk"), status__in=LIVE)
    unresolved = Payout.objects.filter(claim=OuterRef("pk"), status=Payout.Status.FAILED, resolved_at__isnull=True)
    return (claim_queries.payable_claims_with_benefit(scope)
            .filter(~Exists(live), ~Exists(unresolved)))


def claims_ready_for_payout(scope: Scope, filters: rules.BatchFilters) -> QuerySet:
    """Approved unpaid claims matching the filters whose worker has a bank account (oldest approval first)."""
    qs = _approved_unpaid(scope).exclude(worker__bank_account_encrypted="")
    if filters.plan:
        qs = qs.filter(plan_year__plan_id=filters.plan)
    if filters.county:
        qs = qs.filter(county_id=filters.county)
    elif filters.league:
        qs = qs.filter(league_id=filters.league)
    if filters.approved_from:  # periods half-open: [from 00:00, to + 1 day 00:00)
        qs = qs.filter(approved_at__gte=_start_of(filters.approved_from))
    if filters.approved_to:
        qs = qs.filter(approved_at__lt=_start_of(filters.approved_to + timedelta(days=1)))
    return qs.order_by("approved_at", "pk")


def data_claims_settlement_to_sent(scope: Scope, plan_year_ids: list[int]) -> list[tuple[str, int]]:
    """(county, days) of every paid claim made from data: from its settlement date to the day its paying
    payout's batch was sent to the bank (the issue's "median days from settlement to payout sent")."""
    rows = (scope.filter(Payout.objects.filter(plan_year_id__in=plan_year_ids, status=Payout.Status.PAID,
                                               claim__channel=Channel.DATA, claim__settled_on__isnull=False,
                                               batch__sent_at__isnull=False))
            .values_list("county_id", "claim__settled_on", "batch__sent_at"))
    return [(county, (timezone.localtime(sent).date() - settled).days) for county, settled, sent in rows]


@dataclass(frozen=True)
class Totals:
    count: int
    amount: Decimal


@dataclass(frozen=True)
class GroupTotals:
    label: str
    count: int
    amount: Decimal


def ready_totals(scope: Scope, filters: rules.BatchFilters) -> tuple[Totals, list[GroupTotals]]:
    """What a batch built with these filters would hold: in all and per plan (one GROUP BY)."""
    rows = (claims_ready_for_payout(scope, filters).order_by().values("plan_year__plan__name")
            .annotate(count=Count("pk"), amount=Sum("benefit_amount")).order_by("plan_year__plan__name"))
    groups = [GroupTotals(r["plan_year__plan__name"], r["count"], r["amount"] or ZERO) for r in rows]
    return Totals(sum(g.count for g in groups), sum((g.amount for g in groups), ZERO)), groups


def batches(scope: Scope) -> QuerySet[PayoutBatch]:
    """Payout batches, newest first (province-level roles only)."""
    qs = PayoutBatch.objects.select_related("created_by", "approved_by")
    return qs if scope.is_province else qs.none()


def batches_by_status(scope: Scope) -> dict[str, int]:
    """Status → how many batches (province-level roles only; one grouped query)."""
    return dict(batches(scope).order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))


def batch_for(scope: Scope, pk: int) -> PayoutBatch:
    """One batch, or 404."""
    return get_object_or_404(batches(scope), pk=pk)


def bank_file_templates(scope: Scope, *, active_only: bool = False) -> QuerySet[BankFileTemplate]:
    """The association's bank-file layouts (shipped first); none below the province."""
    templates = BankFileTemplate.objects.select_related("updated_by")
    if not scope.is_province:
        return templates.none()
    return templates.filter(is_active=True) if active_only else templates


def bank_file_template_for(scope: Scope, pk: int) -> BankFileTemplate:
    return get_object_or_404(bank_file_templates(scope), pk=pk)


def payouts_of(batch: PayoutBatch) -> QuerySet[Payout]:
    """The batch's payouts in reference order, for the review list (masked accounts only)."""
    return (Payout.objects.filter(batch=batch).select_related("claim", "county", "plan_year__plan")
            .defer("bank_account_encrypted").order_by("pk"))


def batch_breakdown(batch: PayoutBatch) -> dict[str, list[GroupTotals]]:
    """Totals of the batch's live payouts per plan and per league, and per status."""
    qs = Payout.objects.filter(batch=batch).exclude(status=Payout.Status.CANCELLED).order_by()

    def grouped(field: str) -> list[GroupTotals]:
        rows = qs.values(field).annotate(count=Count("pk"), amount=Sum("amount")).order_by(field)
        return [GroupTotals(r[field], r["count"], r["amount"] or ZERO) for r in rows]

    labels = dict(Payout.Status.choices)
    by_status = [GroupTotals(str(labels.get(g.label, g.label)), g.count, g.amount) for g in grouped("status")]
    return {"plan": grouped("plan_year__plan__name"), "league": grouped("league__name"), "status": by_status}


def payout_facts(batch: PayoutBatch) -> dict[str, rules.PayoutFacts]:
    """{reference: facts} of the batch's payouts, to check a return file against (one query)."""
    return {ref: rules.PayoutFacts(pk, ref, amount, status) for pk, ref, amount, status in
            Payout.objects.filter(batch=batch).values_list("pk", "reference", "amount", "status")}


def failed_payouts_to_resolve(scope: Scope) -> QuerySet[Payout]:
    """Failed payouts of claims still unpaid, waiting for a corrected bank account, oldest first."""
    return (scope.filter(Payout.objects.filter(status=Payout.Status.FAILED, resolved_at__isnull=True,
                                               claim__status=Status.APPROVED))
            .select_related("claim__worker", "batch", "county").order_by("failed_on", "pk"))


def claims_waiting_for_bank_confirmation(scope: Scope) -> QuerySet:
    """Approved claims made from data held out of the batches until the worker confirms her card on her phone."""
    return claim_queries.claims_waiting_for_bank_confirmation(scope)


def open_recoveries(scope: Scope) -> QuerySet:
    """Paid benefits owed back after the bureau reversed their settlement (补助金追回应收)."""
    return claim_queries.open_recoveries(scope)


def claims_missing_bank_account(scope: Scope) -> QuerySet:
    """Approved unpaid claims that cannot go into a batch: the worker has no bank account on record."""
    return (_approved_unpaid(scope).filter(worker__bank_account_encrypted="")
            .select_related("worker", "county").order_by("approved_at", "pk"))


def failed_queue_size(scope: Scope) -> int:
    return failed_payouts_to_resolve(scope).count() + claims_missing_bank_account(scope).count()


def payout_for(scope: Scope, pk: int) -> Payout:
    """One payout in scope, or 404."""
    return get_object_or_404(scope.filter(Payout.objects.select_related("claim__worker", "batch")), pk=pk)


def open_recovery_for(scope: Scope, pk: int):
    """One recovery of a claim in scope, or 404."""
    return get_object_or_404(open_recoveries(scope), pk=pk)


def claim_for(scope: Scope, pk: int):
    """One claim in scope, or 404."""
    return claim_queries.claim_with_worker(scope, pk)


def sent_totals() -> Totals:
    """Money that left the bank account for benefits: payouts sent and not returned (paid or in flight)."""
    row = Payout.objects.filter(status__in=(Payout.Status.SENT, Payout.Status.PAID)).aggregate(
        count=Count("pk"), amount=Sum("amount"))
    return Totals(row["count"], row["amount"] or ZERO)


def paid_totals(*, plan_year=None) -> Totals:
    """Payouts the bank confirmed paid (optionally of one plan year)."""
    qs = Payout.objects.filter(status=Payout.Status.PAID)
    if plan_year is not None:
        qs = qs.filter(plan_year=plan_year)
    row = qs.aggregate(count=Count("pk"), amount=Sum("amount"))
    return Totals(row["count"], row["amount"] or ZERO)


def batch_counts(batch: PayoutBatch) -> dict[str, Totals]:
    """Count and amount per status of one batch's payouts (one GROUP BY)."""
    rows = (Payout.objects.filter(batch=batch).order_by().values("status")
            .annotate(count=Count("pk"), amount=Sum("amount")))
    return {r["status"]: Totals(r["count"], r["amount"] or ZERO) for r in rows}


def has_open_lines(batch: PayoutBatch) -> bool:
    return Payout.objects.filter(batch=batch).filter(Q(status=Payout.Status.SENT) | Q(status=Payout.Status.PENDING)).exists()


def ledger_sources(scope: Scope, cause_ids: list[str]) -> dict[str, EntrySource]:
    """The payouts behind ledger entries: their claim, batch and the payment reference the bank carries."""
    ids = [pk for pk in (parse_integer(text, minimum=1) for text in cause_ids) if pk]
    rows = list(scope.filter(Payout.objects.filter(pk__in=ids)).values_list("pk", "claim_id", "batch_id", "reference"))
    claims_visible = claim_queries.claim_ids_in_scope(scope, [claim_id for _pk, claim_id, _batch, _ref in rows])
    may_open_batches = scope.role in BATCH_READERS
    return {str(pk): EntrySource((
        (_("申领 #%(number)s") % {"number": claim_id},
         reverse("claims:detail", args=[claim_id]) if claim_id in claims_visible else ""),
        (_("支付批次 #%(number)s") % {"number": batch_id},
         reverse("payouts:batch_detail", args=[batch_id]) if may_open_batches else "")), bank_reference=reference)
        for pk, claim_id, batch_id, reference in rows}


def claims_in_payment(claim_ids: list[int]) -> set[int]:
    """Of these claims, those whose live payout is still pending in a batch or sent and unanswered (one query)."""
    return set(Payout.objects.filter(claim_id__in=claim_ids, status__in=[Payout.Status.PENDING, Payout.Status.SENT])
               .values_list("claim_id", flat=True))
