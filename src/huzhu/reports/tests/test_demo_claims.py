"""The demo claim generator: workflow history, engine answers, invoices, ledger, idempotence."""
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from huzhu.claims.models import Claim, ClaimStatusChange, Invoice
from huzhu.claims.services.adjudication import event_of
from huzhu.demo.claims import generate_demo_claims, parse_years
from huzhu.enrollment.models import Coverage
from huzhu.ledger.models import LedgerEntry
from huzhu.plans import rules as engine
from huzhu.plans.models import PlanYear

from .conftest import NOW

DECIDED = (Claim.Status.APPROVED, Claim.Status.PAID)


def test_every_claim_has_a_history_row_for_each_move_ending_in_its_status(scheme):
    claims = {c.pk: c.status for c in Claim.objects.all()}
    assert claims
    history = defaultdict(list)
    for change in ClaimStatusChange.objects.order_by("at", "id"):
        history[change.claim_id].append(change)
    for pk, status in claims.items():
        moves = history[pk]
        assert moves[0].from_status == Claim.Status.DRAFT and moves[0].action == "submit"
        assert all(a.to_status == b.from_status for a, b in zip(moves, moves[1:]))
        assert moves[-1].to_status == status
        assert all(m.notified_at is not None for m in moves), "history must not flood the notification outbox"
        assert all(m.at <= NOW for m in moves)


def test_stored_benefits_are_the_scalar_engines_answer_in_approval_order(scheme):
    for plan_year in PlanYear.objects.all():
        terms = plan_year.terms
        by_worker = defaultdict(list)
        for claim in (Claim.objects.filter(plan_year=plan_year, status__in=DECIDED)
                      .select_related("worker", "coverage").order_by("approved_at", "pk")):
            by_worker[claim.worker_id].append(claim)
        for claims in by_worker.values():
            history = engine.YearToDate()
            for claim in claims:
                worker, coverage = claim.worker, claim.coverage
                tiers = frozenset(Claim.objects.filter(worker=worker, status__in=DECIDED,
                                                       plan_year__plan_id=plan_year.plan_id,
                                                       plan_year__year__lt=plan_year.year)
                                  .exclude(tier="").values_list("tier", flat=True))
                member = engine.Member(gender=worker.gender, birth_date=worker.birth_on,
                                       consecutive_years=coverage.consecutive_years, kind=worker.kind,
                                       already_paid_tiers=tiers, coverage_start_on=coverage.starts_on,
                                       coverage_end_on=coverage.ends_on)
                decision = engine.decide(terms, member, history, event_of(claim))
                assert claim.benefit_amount == decision.benefit
                assert sum(Decimal(step["amount"]) for step in claim.explanation) == claim.benefit_amount
                history = history.after(decision, event_of(claim))


def test_invoices_are_unique_and_add_up_to_the_claims_total(scheme):
    assert not Invoice.objects.values("code", "number").annotate(n=Count("id")).filter(n__gt=1).exists()
    for invoice in Invoice.objects.select_related("claim")[:50]:
        assert invoice.amount == invoice.claim.total_amount
        parts = sum(getattr(invoice.claim, f) for f in ("fund_paid_amount", "serious_illness_amount",
                                                        "policy_self_pay_amount", "out_of_policy_amount",
                                                        "self_funded_amount"))
        assert parts == invoice.claim.total_amount


def test_each_approved_benefit_is_posted_to_the_ledger_once(scheme):
    decided = Claim.objects.filter(status__in=DECIDED, benefit_amount__gt=0)
    entries = LedgerEntry.objects.filter(cause_type="claim", kind="claim_approved")
    assert entries.count() == decided.count()
    assert set(entries.values_list("cause_id", flat=True)) == {str(pk) for pk in decided.values_list("pk", flat=True)}


def test_claims_belong_to_covered_workers_within_their_coverage(scheme):
    for claim in Claim.objects.select_related("coverage")[:200]:
        assert claim.coverage.worker_id == claim.worker_id and claim.coverage.plan_year_id == claim.plan_year_id
        assert claim.coverage.status == Coverage.Status.ACTIVE
        assert claim.coverage.starts_on <= claim.event_on <= claim.coverage.ends_on
        assert claim.unit_id == claim.coverage.unit_id and claim.county_id == claim.coverage.county_id


def test_running_the_generator_again_for_a_plan_year_adds_nothing(scheme):
    before = Claim.objects.count(), ClaimStatusChange.objects.count(), LedgerEntry.objects.count()
    for plan_year in PlanYear.objects.filter(year=2026):
        assert generate_demo_claims(plan_year=plan_year, seed=7, now=NOW).skipped
    assert (Claim.objects.count(), ClaimStatusChange.objects.count(), LedgerEntry.objects.count()) == before


def test_claims_follow_the_rate_and_the_future_is_not_claimed(scheme):
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=2025)
    covered = Coverage.objects.filter(plan_year=plan_year).count()
    count = Claim.objects.filter(plan_year=plan_year).count()
    assert 0 < count <= round(covered * 0.4)
    assert not Claim.objects.filter(plan_year__year=2027).exists()
    assert Claim.objects.filter(plan_year=plan_year).aggregate(s=Sum("benefit_amount"))["s"] > 0


def test_year_ranges_parse_for_the_demo_command():
    assert parse_years("2023-2026") == [2023, 2024, 2025, 2026]
    assert parse_years("2024,2026") == [2024, 2026]
