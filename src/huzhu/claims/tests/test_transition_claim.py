"""The workflow table through `transition_claim`: every allowed move works, every other is refused."""
import pytest

from huzhu.core.errors import Conflict, NotFound, PermissionDenied

from .. import services
from ..models import Claim
from ..services.transitions import CLAIM
from ..workflow import TRANSITIONS, WORKER, Action
from .conftest import stay_fields

S = Claim.Status
ALL_PAIRS = [(status, action) for status in S.values for action in Action.values]
FORBIDDEN = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


@pytest.fixture
def draft(worker, county_clerk):
    return services.create_claim(actor=county_clerk, worker=worker, **stay_fields())


def placed(claim: Claim, status: str) -> Claim:
    Claim.objects.filter(pk=claim.pk).update(status=status)  # test set-up only: put the claim at a status
    claim.refresh_from_db()
    return claim


@pytest.fixture
def actor_for(county_clerk, league_reviewer, association_approver, medical_expert):
    def pick(action: str, actors: frozenset[str]):
        if action == Action.WITHDRAW:
            return county_clerk  # the submitter
        for role, user in (("agency", county_clerk), ("office", league_reviewer), ("expert", medical_expert),
                           ("association", association_approver)):
            if role in actors:
                return user
        return None  # the system
    return pick


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS), ids=[f"{s}-{a}" for s, a in TRANSITIONS])
def test_every_move_in_the_table_is_allowed_to_its_actor(draft, actor_for, status, action):
    move = TRANSITIONS[(status, action)]
    claim = placed(draft, status)
    services.transition_claim(actor=actor_for(action, move.actors), claim=claim, action=action)
    claim.refresh_from_db()
    assert claim.status == move.to
    change = claim.status_changes.get()
    assert (change.from_status, change.to_status, change.action) == (status, move.to, action)


@pytest.mark.parametrize(("status", "action"), FORBIDDEN, ids=[f"{s}-{a}" for s, a in FORBIDDEN])
def test_every_move_not_in_the_table_is_refused_as_a_conflict(draft, association_approver, status, action):
    claim = placed(draft, status)
    with pytest.raises(Conflict) as refused:
        services.transition_claim(actor=association_approver, claim=claim, action=action)
    assert refused.value.code == "transition_not_allowed"
    assert Claim.objects.get(pk=claim.pk).status == status
    assert not claim.status_changes.exists()


@pytest.mark.parametrize(("status", "action", "wrong"), [
    (S.FIRST_REVIEW, Action.PASS_FIRST, "league_reviewer"),
    (S.FIRST_REVIEW, Action.PASS_FIRST, "unit_contact"),
    (S.SECOND_REVIEW, Action.PASS_SECOND, "county_clerk"),
    (S.APPROVAL, Action.APPROVE, "league_reviewer"),
    (S.APPROVAL, Action.APPROVE, "auditor"),
    (S.APPROVAL, Action.REJECT, "unit_contact"),
    (S.SUBMITTED, Action.ROUTE, "county_clerk"),
], ids=lambda value: str(value))
def test_a_move_by_the_wrong_role_is_refused(request, draft, status, action, wrong):
    claim = placed(draft, status)
    with pytest.raises(PermissionDenied):
        services.transition_claim(actor=request.getfixturevalue(wrong), claim=claim, action=action)
    assert Claim.objects.get(pk=claim.pk).status == status


def test_a_reviewer_of_another_league_gets_not_found(draft, plans):
    from huzhu.conftest import CHIFENG, make_staff

    stranger = make_staff("reviewer_chifeng", "office", division=CHIFENG)
    claim = placed(draft, S.SECOND_REVIEW)
    with pytest.raises(NotFound):
        services.transition_claim(actor=stranger, claim=claim, action=Action.PASS_SECOND)


def test_only_the_submitter_may_withdraw(draft, second_clerk):
    with pytest.raises(PermissionDenied, match="提交人"):
        services.withdraw_claim(actor=second_clerk, claim=draft)


def test_a_stale_status_loses_the_race_with_a_clear_conflict(draft, county_clerk, league_reviewer):
    claim = placed(draft, S.SECOND_REVIEW)
    stale = Claim.objects.get(pk=claim.pk)
    services.transition_claim(actor=league_reviewer, claim=claim, action=Action.PASS_SECOND)
    with pytest.raises(Conflict) as lost:
        services.transition_claim(actor=league_reviewer, claim=stale, action=Action.PASS_SECOND)
    assert lost.value.code == "claim_changed"
    assert claim.status_changes.count() == 1


def test_a_crash_after_the_update_leaves_the_claim_where_it_was(draft, league_reviewer, monkeypatch):
    from ..services import transitions

    claim = placed(draft, S.SECOND_REVIEW)

    def crash(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transitions, "record_event", crash)
    with pytest.raises(RuntimeError):
        services.transition_claim(actor=league_reviewer, claim=Claim.objects.get(pk=claim.pk), action=Action.PASS_SECOND)
    assert Claim.objects.get(pk=claim.pk).status == S.SECOND_REVIEW
    assert not claim.status_changes.exists()


def test_the_table_offers_a_county_clerk_the_first_review_actions_and_a_worker_none_of_them(draft, county_clerk):
    claim = placed(draft, S.FIRST_REVIEW)
    assert set(CLAIM.actions_for(county_clerk, claim)) == {Action.PASS_FIRST, Action.RETURN, Action.REJECT,
                                                           Action.WITHDRAW}
    assert WORKER not in CLAIM.transition_for(S.FIRST_REVIEW, Action.PASS_FIRST).actors
