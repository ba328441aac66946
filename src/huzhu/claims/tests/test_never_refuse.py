"""Automation pays, it never refuses (issue 21): no automatic step rejects, reduces or returns a claim under review;
what automation will not approve in full waits for a person with the reasons."""
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.audit.models import AuditEvent
from huzhu.ledger.models import LedgerEntry
from huzhu.plans import rules as engine

from .. import rules, services, workflow
from ..models import Claim
from ..workflow import SYSTEM, TRANSITIONS, Action
from .conftest import TODAY

S = Claim.Status
REVIEW = set(workflow.REVIEW_LEVEL_OF_STATUS)


def test_no_automatic_move_rejects_or_sends_back_a_claim_under_review():
    automatic = {(origin, action): move for (origin, action), move in TRANSITIONS.items() if SYSTEM in move.actors}
    assert automatic  # routing, straight-through passes, payment, data reversals
    for (origin, action), move in automatic.items():
        assert move.to != S.REJECTED, (origin, action)
        assert not (origin in REVIEW and move.to == S.SUPPLEMENT), (origin, action)
    # the one automatic way back is the intake's notice of missing papers, before the review clock starts
    assert {(o, a) for (o, a), m in automatic.items() if m.to == S.SUPPLEMENT} == {(S.SUBMITTED, Action.RETURN)}
    # and the only automatic withdrawals are the source's own cancellations (bureau reversal, hospital cancel)
    assert {a for (o, a), m in automatic.items() if m.to == S.WITHDRAWN} == {Action.REVERSE, Action.CANCEL_AT_HOSPITAL}
    # nobody's automatic step passes the expert
    assert all(SYSTEM not in m.actors for (o, a), m in TRANSITIONS.items() if o == S.EXPERT_REVIEW
               and a != Action.REVERSE)


def _decision(benefit, *steps):
    return engine.Decision(D(benefit), tuple(engine.Step(name, D(amount), name) for name, amount in steps))


@pytest.mark.parametrize(("decision", "expert", "reason"), [
    (_decision("0.00", ("band 0-1000 @ 0%", "0.00")), False, "补助金为 0"),
    (_decision("500.00", ("band 0-1000 @ 50%", "800.00"), ("annual cap 50000, remaining 500", "-300.00")), False,
     "年度限额扣减"),
    (_decision("500.00", ("allowance 0 days x 30 (10 days in stay, yearly limit 180)", "0.00"),
               ("band", "500.00")), False, "年度限额扣减"),
    (_decision("800.00", ("tier C 800", "800.00")), True, "医学专家"),
], ids=["zero", "annual-cap-cut", "allowance-days-cut", "expert"])
def test_straight_through_refuses_to_pay_less_than_in_full(decision, expert, reason):
    verdict = rules.straight_through(decision=decision, missing=[], findings=[], limit=D("3000.00"),
                                     complex_case=False, expert_review=expert)
    assert not verdict.eligible and any(reason in text for text in verdict.reasons)
    clean = rules.straight_through(decision=_decision("800.00", ("band", "800.00")), missing=[], findings=[],
                                   limit=D("3000.00"), complex_case=False)
    assert clean.eligible


def test_a_stay_cut_by_the_annual_cap_waits_for_a_person(file_stay, league_reviewer, association_approver, settings):
    settings.CLAIMS_EXPERT_REVIEW_AMOUNT = settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "1000000.00"  # only the cut decides
    first = file_stay("400000.00", fund="900000.00")
    assert first.status == S.APPROVED and first.straight_through  # clean and in full: automation pays it
    second = file_stay("400000.00", fund="900000.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 11))
    assert second.benefit_amount == D("120900.00") and second.explanation[-1]["name"].startswith("annual cap")
    assert second.status == S.SECOND_REVIEW and not second.straight_through  # cut by the cap: a person decides
    services.pass_review(actor=league_reviewer, claim=second)
    services.pass_review(actor=association_approver, claim=second)
    assert Claim.objects.get(pk=second.pk).status == S.APPROVED


def test_an_automatic_approval_that_would_pay_less_than_the_estimate_is_held(file_stay, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "0.00"  # file it without straight-through, then try it by hand
    claim = file_stay("2000.00")
    Claim.objects.filter(pk=claim.pk).update(status=S.APPROVAL, benefit_amount=claim.benefit_amount + 1)  # set-up only
    claim.refresh_from_db()
    services.review.advance_straight_through(claim=claim, reasons=("校验全部通过",))
    claim.refresh_from_db()
    assert claim.status == S.APPROVAL and not claim.straight_through
    held = AuditEvent.objects.get(action="straight_through_held", object_id=str(claim.pk))
    assert "转人工审批" in held.after["reason"]
    assert not LedgerEntry.objects.filter(cause_type="claim", cause_id=str(claim.pk)).exists()


def test_a_clean_small_claim_still_goes_straight_through_in_full(file_stay):
    claim = file_stay("2000.00", today=TODAY)
    assert claim.status == S.APPROVED and claim.straight_through and claim.benefit_amount > 0
    approval = claim.status_changes.get(action=Action.APPROVE)
    assert approval.actor is None and approval.comment.startswith("自动审批")
    assert LedgerEntry.objects.filter(cause_id=str(claim.pk), kind="claim_approved").exists()
