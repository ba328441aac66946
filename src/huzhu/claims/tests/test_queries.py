"""Work queues: each role sees the claims waiting at its level in its region, oldest deadline first."""
from datetime import date

from huzhu.regions.queries import scope_of

from .. import queries
from ..models import Claim

S = Claim.Status


def test_the_league_queue_is_ordered_by_the_review_clock(file_stay, league_reviewer, no_straight_through):
    late = file_stay(admitted=date(2026, 3, 1), discharged=date(2026, 3, 5))
    early = file_stay(admitted=date(2026, 4, 1), discharged=date(2026, 4, 5))
    Claim.objects.filter(pk=early.pk).update(due_on=date(2026, 6, 2))
    queue = list(queries.claims_awaiting_review(scope_of(league_reviewer)))
    assert queue == [early, late]


def test_each_role_sees_only_its_level(file_stay, county_clerk, league_reviewer, association_approver, auditor,
                                       no_straight_through):
    claim = file_stay()  # waiting at the league
    assert list(queries.claims_awaiting_review(scope_of(county_clerk))) == []
    assert list(queries.claims_awaiting_review(scope_of(league_reviewer))) == [claim]
    assert list(queries.claims_awaiting_review(scope_of(association_approver))) == []
    assert list(queries.claims_awaiting_review(scope_of(auditor))) == [claim]


def test_the_clock_counts_working_days_left_and_flags_overdue(file_stay, no_straight_through):
    claim = file_stay()
    assert queries.clock_state(claim, date(2026, 6, 22)).working_days_left == 1
    assert queries.clock_state(claim, date(2026, 6, 24)).overdue
    claim.status = S.APPROVED
    assert not queries.clock_state(claim, date(2026, 7, 1)).overdue


def test_the_straight_through_share_counts_decided_claims(file_stay, association_approver):
    file_stay("1000.00")
    file_stay("8000.00", admitted=date(2026, 4, 1), discharged=date(2026, 4, 5))
    assert queries.straight_through_share(scope_of(association_approver), year=2026) == (1, 1)
