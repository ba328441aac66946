"""Reliability under concurrency, on PostgreSQL: row locks and conditional updates, real threads."""
import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, connections

from huzhu.core.errors import Conflict, ValidationFailed

from .. import services
from ..models import Claim, ClaimStatusChange
from .conftest import TODAY, invoice, scans, stay_fields

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL row locks and concurrent sessions: run with DATABASE_URL=postgres://..."),
    pytest.mark.django_db(transaction=True),
]
S = Claim.Status


def at_once(*calls):
    """Run the calls in threads released together; each result is the value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def past_the_league(claim, league_reviewer, expert):
    """Pass the league, and the medical expert where the claim needs one (large benefits, a women's diagnosis)."""
    services.pass_review(actor=league_reviewer, claim=claim)
    claim = Claim.objects.get(pk=claim.pk)
    if claim.status == S.EXPERT_REVIEW:
        services.give_expert_opinion(actor=expert, claim=claim, opinion="agree", reasons="诊断明确")
        claim = Claim.objects.get(pk=claim.pk)
    return claim


@pytest.fixture
def at_association(file_stay, league_reviewer, medical_expert, no_straight_through):
    def make(self_pay="8000.00", **fields):
        return past_the_league(file_stay(self_pay, **fields), league_reviewer, medical_expert)
    return make


def test_two_approvers_at_once_one_wins_and_the_other_gets_a_conflict(at_association, association_approver,
                                                                      second_approver):
    claim = at_association()
    mine, theirs = Claim.objects.get(pk=claim.pk), Claim.objects.get(pk=claim.pk)
    results = at_once(lambda: services.pass_review(actor=association_approver, claim=mine),
                      lambda: services.pass_review(actor=second_approver, claim=theirs))
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1, results
    assert conflicts[0].code == "claim_changed"
    assert ClaimStatusChange.objects.filter(claim=claim, to_status=S.APPROVED).count() == 1


def test_two_claims_of_one_worker_approved_at_once_stay_under_the_annual_cap(at_association, association_approver,
                                                                            second_approver):
    first = at_association("400000.00", fund="0.00")
    second = at_association("400000.00", fund="0.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 11))
    results = at_once(lambda: services.pass_review(actor=association_approver, claim=first),
                      lambda: services.pass_review(actor=second_approver, claim=second))
    assert not [r for r in results if isinstance(r, Exception)], results
    benefits = sorted(Claim.objects.filter(status=S.APPROVED).values_list("benefit_amount", flat=True))
    assert benefits == [D("120900.00"), D("379100.00")]
    assert sum(benefits) <= D("500000.00")


def test_the_same_invoice_in_two_claims_submitted_at_once_is_refused_once(worker, county_clerk, second_clerk,
                                                                         no_straight_through):
    shared = invoice("20000.00")

    def file(actor, admitted):
        return services.file_claim(actor=actor, worker=worker, documents=scans(), today=TODAY,
                                   **stay_fields(admitted=admitted, discharged=admitted.replace(day=5),
                                                 invoices=[dict(shared)]))
    results = at_once(lambda: file(county_clerk, date(2026, 3, 1)), lambda: file(second_clerk, date(2026, 5, 1)))
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(refused) == 1, results
    assert refused[0].code == "invoice_used"
    assert Claim.objects.count() == 1


def test_a_crash_between_steps_leaves_no_half_moved_claim(worker, county_clerk, monkeypatch, no_straight_through):
    from .. import review_clock

    claim = services.create_claim(actor=county_clerk, worker=worker, **stay_fields())
    for kind, content in scans():
        services.attach_document(actor=county_clerk, claim=claim, kind=kind, upload=content)

    def crash(*args, **kwargs):
        raise RuntimeError("worker process killed")

    monkeypatch.setattr(review_clock, "due_on", crash)  # after "submitted", before "first review"
    with pytest.raises(RuntimeError):
        services.submit_claim(actor=county_clerk, claim=claim, today=TODAY)
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.status == S.DRAFT
    assert stored.benefit_amount is None
    assert not ClaimStatusChange.objects.filter(claim=claim).exists()
    monkeypatch.undo()
    services.submit_claim(actor=county_clerk, claim=stored, today=TODAY)
    assert Claim.objects.get(pk=claim.pk).status == S.SECOND_REVIEW


WOMEN_DOCUMENTS = ("pathology_report", "diagnosis_certificate", "discharge_summary", "invoice", "id_card", "bank_card")
PROCEDURE_DOCUMENTS = ("discharge_summary", "invoice", "id_card", "bank_card")
ROUNDS = 6


@pytest.fixture
def woman_in_two_years(plans, home_unit):
    """A woman covered by the women's plan in 2025 and in 2026 (a new one at each call)."""
    from huzhu.conftest import make_worker
    from huzhu.plans.services import install_default_plans

    from .conftest import cover

    install_default_plans(years=(2025,))

    def make():
        person = make_worker(home_unit, gender="F", birth=date(1980, 4, 1))
        cover(person, year=2025, plan="women_health")
        cover(person, year=2026, plan="women_health")
        return person
    return make


def women_claim(actor, person, day, **fields):
    kind = "procedure" if "procedure" in fields else "diagnosis"
    fields = fields if kind == "procedure" else {"diagnosis_code": "C50.900", "diagnosis_name": "乳腺癌", **fields}
    return services.file_claim(actor=actor, worker=person, today=TODAY, claim_type=kind, diagnosed_on=day,
                               documents=scans(PROCEDURE_DOCUMENTS if kind == "procedure" else WOMEN_DOCUMENTS),
                               **fields)


def test_tier_a_of_two_plan_years_approved_at_once_pays_once_for_life(
        woman_in_two_years, county_clerk, league_reviewer, association_approver, second_approver, medical_expert,
        no_straight_through):
    for _ in range(ROUNDS):
        person = woman_in_two_years()
        claims = []
        for day in (date(2025, 5, 1), date(2026, 3, 1)):
            claims.append(past_the_league(women_claim(county_clerk, person, day), league_reviewer, medical_expert))
        assert [c.benefit_amount for c in claims] == [D("32000.00"), D("32000.00")]  # estimates, neither decided
        results = at_once(lambda first=claims[0]: services.pass_review(actor=association_approver, claim=first),
                          lambda second=claims[1]: services.pass_review(actor=second_approver, claim=second))
        assert not [r for r in results if isinstance(r, Exception)], results
        decided = Claim.objects.filter(worker=person).order_by("approved_at")
        assert [c.status for c in decided] == [S.APPROVED, S.APPROVED]
        assert [c.benefit_amount for c in decided] == [D("32000.00"), D("0.00")]
        assert decided[1].explanation[-1]["reason"] == "tier_already_paid"


def test_tier_c_of_two_plan_years_submitted_at_once_straight_through_pays_once_for_life(
        woman_in_two_years, county_clerk, second_clerk, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "5000.00"  # a clean 3,000 claim is approved automatically
    for _ in range(ROUNDS):
        person = woman_in_two_years()
        drafts = []
        for actor, day, what in ((county_clerk, date(2025, 5, 1), "total_hysterectomy"),
                                 (second_clerk, date(2026, 3, 1), "bilateral_oophorectomy")):
            draft = services.create_claim(actor=actor, worker=person, claim_type="procedure", diagnosed_on=day,
                                          procedure=what)
            services.attach_documents(actor=actor, claim=draft, documents=scans(PROCEDURE_DOCUMENTS))
            drafts.append((actor, Claim.objects.get(pk=draft.pk)))
        results = at_once(*[lambda a=actor, c=draft: services.submit_claim(actor=a, claim=c, today=TODAY)
                            for actor, draft in drafts])
        unexpected = [r for r in results if isinstance(r, Exception)
                      and not (isinstance(r, ValidationFailed) and r.code == "not_covered_tier_already_paid")]
        assert not unexpected, results
        paid = Claim.objects.filter(worker=person, status=S.APPROVED, benefit_amount__gt=0)
        assert [(c.benefit_amount, c.straight_through) for c in paid] == [(D("3000.00"), True)], results


def test_an_approval_and_a_straight_through_claim_of_another_year_at_once_pay_tier_c_once_without_deadlock(
        woman_in_two_years, county_clerk, second_clerk, league_reviewer, association_approver, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "0.00"
    waiting = []
    for _ in range(ROUNDS):
        person = woman_in_two_years()
        claim = women_claim(county_clerk, person, date(2025, 5, 1), procedure="total_hysterectomy")
        services.pass_review(actor=league_reviewer, claim=claim)
        waiting.append((person, Claim.objects.get(pk=claim.pk)))
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "5000.00"  # the 2026 claim goes straight through
    for person, earlier in waiting:
        results = at_once(lambda c=earlier: services.pass_review(actor=association_approver, claim=c),
                          lambda p=person: women_claim(second_clerk, p, date(2026, 3, 1),
                                                       procedure="bilateral_oophorectomy"))
        unexpected = [r for r in results if isinstance(r, Exception)
                      and not (isinstance(r, ValidationFailed) and r.code == "not_covered_tier_already_paid")]
        assert not unexpected, results  # a deadlock would show here as an OperationalError
        paid = Claim.objects.filter(worker=person, status=S.APPROVED, benefit_amount__gt=0)
        assert [c.benefit_amount for c in paid] == [D("3000.00")], results


def test_a_stay_and_a_womens_tier_of_one_worker_approved_at_once_both_pay(
        woman_in_two_years, county_clerk, league_reviewer, association_approver, second_approver, medical_expert,
        no_straight_through):
    from .conftest import cover

    person = woman_in_two_years()
    cover(person, year=2026)
    tier = women_claim(county_clerk, person, date(2026, 3, 1))
    stay = services.file_claim(actor=county_clerk, worker=person, documents=scans(), today=TODAY, **stay_fields())
    tier, stay = (past_the_league(claim, league_reviewer, medical_expert) for claim in (tier, stay))
    results = at_once(lambda: services.pass_review(actor=association_approver, claim=tier),
                      lambda: services.pass_review(actor=second_approver, claim=stay))
    assert not [r for r in results if isinstance(r, Exception)], results  # no deadlock between the two locks
    assert sorted(Claim.objects.filter(worker=person).values_list("benefit_amount", flat=True)) == [
        D("4100.00"), D("32000.00")]
