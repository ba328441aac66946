"""Adjudication: gather a claim's facts and the worker's year so far, ask the engine, store the answer."""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from huzhu.core.money import ZERO, format_yuan
from huzhu.enrollment import queries as enrollment_queries
from huzhu.plans import rules as engine
from huzhu.plans.models import TermsVersion
from huzhu.plans.terms import PlanYearTerms

from .. import rules, workflow
from ..models import Claim

if TYPE_CHECKING:  # a name for annotations only: coverages are read through enrollment.queries
    from huzhu.enrollment.models import Coverage

S = Claim.Status


_TERMS: dict[int, PlanYearTerms] = {}


def terms_of(version: TermsVersion) -> PlanYearTerms:
    """Parsed terms of a version; versions never change, so each is parsed once per process."""
    terms = _TERMS.get(version.pk)
    if terms is None:
        terms = _TERMS[version.pk] = version.terms
    return terms


def event_of(claim: Claim) -> engine.Event:
    return rules.make_event(
        claim.claim_type, admitted_on=claim.admitted_on, discharged_on=claim.discharged_on,
        period_start_on=claim.period_start_on, period_end_on=claim.period_end_on, diagnosed_on=claim.diagnosed_on,
        diagnosis_code=claim.diagnosis_code, procedure=claim.procedure, policy_self_pay_amount=claim.policy_self_pay_amount)


def end_of(claim: Claim) -> date | None:
    return claim.discharged_on or claim.period_end_on


def amounts_of(claim: Claim) -> rules.Amounts:
    return rules.Amounts(**{name: getattr(claim, name) for name in rules.AMOUNT_FIELDS})


def invoices_of(claim: Claim) -> tuple[rules.InvoiceFacts, ...]:
    return tuple(rules.InvoiceFacts(i.code, i.number, i.check_code, i.amount)
                 for i in claim.invoices.filter(released_at__isnull=True).order_by("pk"))


# Coverage id -> its open or decided claims, read once for a batch of new claims (claims_from_settlements):
# set by `claims_of_coverages_read_once`, None outside it.
_known_claims: ContextVar[dict[int, list[Claim]] | None] = ContextVar("known_claims", default=None)


def _claims_of_coverages(coverage_ids: Iterable[int]) -> dict[int, list[Claim]]:
    found: dict[int, list[Claim]] = {pk: [] for pk in coverage_ids}
    for claim in (Claim.objects.filter(coverage_id__in=list(found),
                                       status__in=workflow.OPEN_STATUSES + workflow.DECIDED_STATUSES)
                  .order_by("approved_at", "submitted_at", "pk")):
        found[claim.coverage_id].append(claim)
    return found


@contextmanager
def claims_of_coverages_read_once(coverage_ids: Iterable[int]):
    """Read the year so far of many coverages in one query for the claims made inside the block.

    The caller holds the decision locks of every worker concerned (so no decided claim of these
    coverages changes meanwhile) and makes at most one claim per coverage inside the block: a
    coverage given twice is left out, and its claims are read per claim as usual.
    """
    ids = list(coverage_ids)
    token = _known_claims.set(_claims_of_coverages(_once(ids)))
    try:
        yield
    finally:
        _known_claims.reset(token)


def _once(ids: list[int]) -> set[int]:
    seen: set[int] = set()
    twice: set[int] = set()
    for pk in ids:
        (twice if pk in seen else seen).add(pk)
    return seen - twice


def _other_claims(claim: Claim) -> list[Claim]:
    """The coverage's other open or decided claims, in decision order (one query, or none inside
    `claims_of_coverages_read_once`)."""
    known = _known_claims.get()
    if known is not None and claim.coverage_id in known:
        return [other for other in known[claim.coverage_id] if other.pk != claim.pk]
    return list(Claim.objects.filter(coverage_id=claim.coverage_id,
                                     status__in=workflow.OPEN_STATUSES + workflow.DECIDED_STATUSES)
                .exclude(pk=claim.pk).order_by("approved_at", "submitted_at", "pk"))


def _counted_before(claim: Claim, others: list[Claim], *, final: bool) -> list[Claim]:
    """Claims whose benefit counts before this one's.

    Decided claims always count; for an estimate (not final) claims in review that were
    submitted earlier count too, so the worker sees what is likely left of the cap.
    """
    def counts(other: Claim) -> bool:
        if other.benefit_amount is None:
            return False
        if other.status in workflow.DECIDED_STATUSES:
            return True
        return (not final and other.status != S.SUPPLEMENT and other.submitted_at is not None
                and (claim.submitted_at is None or other.submitted_at < claim.submitted_at))
    return [other for other in others if counts(other)]


def _member(claim: Claim, coverage: Coverage) -> engine.Member:
    worker = claim.worker
    tiers: frozenset[str] = frozenset()
    if claim.plan_year.plan_id == "women_health":
        # DOMAIN: each women's tier pays once per worker for life in the scheme.
        # A tier decided at 0 (lower than the year's earlier tiers) was not paid.
        tiers = frozenset(Claim.objects.filter(worker_id=worker.pk, status__in=workflow.DECIDED_STATUSES,
                                               plan_year__plan_id="women_health", benefit_amount__gt=0)
                          .exclude(plan_year_id=claim.plan_year_id).exclude(tier="")
                          .values_list("tier", flat=True))
    return engine.Member(gender=worker.gender, birth_date=worker.birth_on, consecutive_years=coverage.consecutive_years,
                         kind=worker.kind, already_paid_tiers=tiers, deceased=claim.worker_deceased,
                         coverage_start_on=coverage.starts_on, coverage_end_on=coverage.ends_on)


@dataclass(frozen=True)
class Adjudication:
    """The engine's decision for a claim and the facts it was made on."""

    decision: engine.Decision
    terms_version: TermsVersion
    facts: rules.ClaimFacts

    @property
    def terms(self) -> PlanYearTerms:
        return terms_of(self.terms_version)

    def stored_fields(self) -> dict:
        """The claim columns that record this decision."""
        return {
            "benefit_amount": self.decision.benefit,
            "explanation": explanation_of(self.decision),
            "covered": self.decision.covered,
            "tier": self.decision.tier,
            "allowance_days": self.decision.allowance_days,
            "terms_version_id": self.terms_version.pk,
            "decided_at": timezone.now(),
        }


def explanation_of(decision: engine.Decision) -> list[dict]:
    steps = [{"name": s.name, "label": s.label or s.name, "amount": format_yuan(s.amount)} for s in decision.steps]
    if not decision.covered and decision.reason:
        steps.append({"name": "not covered", "label": f"不予补助：{decision.reason}", "amount": "0.00",
                      "reason": decision.reason})
    return steps


def adjudicate(claim: Claim, *, final: bool, today: date | None = None, coverage: Coverage | None = None) -> Adjudication:
    """Decide a claim with the engine after the worker's earlier claims of the plan year.

    `final` is True when approving: then only decided claims count, and the caller holds the
    coverage row lock so concurrent approvals of one worker are decided one after another.
    """
    coverage = coverage or claim.coverage
    terms_version = claim.plan_year.current_version
    if terms_version is None:  # claims are only filed in a plan year with published terms
        raise ValueError(f"{claim.plan_year} has no terms")
    others = _other_claims(claim)
    earlier = _counted_before(claim, others, final=final)
    history = rules.year_to_date([
        (engine.Decision(benefit=c.benefit_amount or ZERO, steps=(), covered=c.covered, tier=c.tier,
                         allowance_days=c.allowance_days), event_of(c)) for c in earlier
    ])
    event = event_of(claim)
    facts = rules.ClaimFacts(
        claim_type=claim.claim_type, event=event, end_on=end_of(claim), filed_on=today or timezone.localdate(),
        coverage_active=coverage.status == enrollment_queries.COVERAGE_ACTIVE, coverage_starts_on=coverage.starts_on,
        coverage_ends_on=coverage.ends_on, amounts=amounts_of(claim), invoices=invoices_of(claim),
        documents=frozenset(claim.documents.values_list("kind", flat=True)), deceased=claim.worker_deceased,
        from_data=claim.channel in (Claim.Channel.DATA, Claim.Channel.HOSPITAL),
    )
    decision = engine.decide(terms_of(terms_version), _member(claim, coverage), history, event)
    return Adjudication(decision=decision, terms_version=terms_version, facts=facts)


def estimate_claim(claim: Claim) -> engine.Decision:
    """What the engine would pay for a claim not yet submitted, after the worker's claims of the year
    so far (the phone's estimate before she submits; nothing is stored)."""
    return adjudicate(claim, final=False).decision


# The advisory-lock key space of "decisions about one worker's claims".
WORKER_DECISIONS_LOCK = 1601


def lock_worker_decisions(worker_id: int) -> None:
    """Decisions about one worker's claims run one at a time: a lock held to the end of the transaction.

    It guards what spans plan years (each women's tier once for life), which no coverage row
    covers. Take it first in any transaction that may approve, before any other lock it takes (the
    coverage row; the audit chain head where record_event holds it to commit), so every path locks
    in one order and two decisions cannot deadlock. A PostgreSQL advisory lock: it waits only on
    another decision about the same worker, never on writes to the worker's row. On SQLite the
    write transaction (begun IMMEDIATE) already holds the database's single writer lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [WORKER_DECISIONS_LOCK, worker_id % 2**31])


def lock_workers_decisions(worker_ids: Iterable[int]) -> None:
    """`lock_worker_decisions` for many workers in one statement, in ascending order (a batch of claims
    made at once; two batches sharing workers queue on the first they share, never deadlock)."""
    keys = sorted({worker_id % 2**31 for worker_id in worker_ids})
    if connection.vendor == "postgresql" and keys:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(pg_advisory_xact_lock(%s, k)) FROM (SELECT unnest(%s::int[]) AS k ORDER BY k) AS w",
                           [WORKER_DECISIONS_LOCK, keys])


def lock_coverage(claim: Claim) -> Coverage:
    """Lock the worker's decisions, then the claim's coverage row (annual cap): approvals queue here."""
    lock_worker_decisions(claim.worker_id)
    return enrollment_queries.locked_coverage(claim.coverage_id)
