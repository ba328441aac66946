"""The named status sets other apps read claims by: each means what its name says, against the workflow table."""
from .. import workflow
from ..workflow import Action, Status


def test_every_status_is_exactly_one_of_not_filed_open_or_closed_by_review():
    parts = (workflow.NOT_FILED_STATUSES, workflow.OPEN_STATUSES, workflow.CLOSED_BY_REVIEW_STATUSES)
    assert sorted(s for part in parts for s in part) == sorted(Status.values)


def test_open_claims_are_those_a_submitter_may_still_withdraw_once_submitted():
    withdrawable = {status for (status, action) in workflow.TRANSITIONS if action == Action.WITHDRAW}
    assert withdrawable - {Status.DRAFT} == set(workflow.OPEN_STATUSES)


def test_under_review_is_open_but_not_back_with_the_worker():
    assert set(workflow.OPEN_STATUSES) - set(workflow.UNDER_REVIEW_STATUSES) == {Status.SUPPLEMENT}


def test_decided_claims_were_granted_a_benefit_and_closed_by_review_adds_the_refusals():
    granted = {t.to for (_, action), t in workflow.TRANSITIONS.items() if action in (Action.APPROVE, Action.PAY)}
    assert granted == set(workflow.DECIDED_STATUSES)
    assert set(workflow.CLOSED_BY_REVIEW_STATUSES) == set(workflow.DECIDED_STATUSES) | {Status.REJECTED}


def test_standing_claims_are_every_filed_claim_not_refused():
    assert set(workflow.STANDING_STATUSES) == set(Status.values) - set(workflow.NOT_FILED_STATUSES) - {Status.REJECTED}
