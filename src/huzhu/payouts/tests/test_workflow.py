"""The payout tables (payouts/workflow.py): every (status, action) pair of a batch and of a line."""
import pytest
from django.utils import timezone

from huzhu.core.errors import PermissionDenied
from huzhu.core.tests.workflow_table import check_lost_race, check_pair, every_pair
from huzhu.payouts import services
from huzhu.payouts.models import PayoutBatch
from huzhu.payouts.workflow import BATCH, PAYOUT, BatchAction

from .conftest import everything


@pytest.fixture
def batch(plans, maker):
    """A batch made by the maker whose bank file was exported (so the guards of each move can pass)."""
    return PayoutBatch.objects.create(created_by=maker, exported_at=timezone.now())


@pytest.mark.parametrize(("status", "action"), every_pair(BATCH))
def test_a_batch_moves_only_as_its_table_allows_and_each_move_is_one_history_row(batch, checker, status, action):
    check_pair(BATCH, batch, status, action, actor=checker)


@pytest.mark.parametrize(("status", "action"), every_pair(PAYOUT))
def test_a_payout_line_moves_only_as_its_table_allows(approve_claim, maker, checker, status, action):
    approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    check_pair(PAYOUT, batch.payouts.get(), status, action, actor=checker)


def test_a_batch_approved_meanwhile_by_another_checker_is_refused_and_nothing_is_written(batch, checker):
    check_lost_race(BATCH, batch, BatchAction.APPROVE, actor=checker)


def test_the_maker_cannot_approve_through_the_table_either(batch, maker):
    with pytest.raises(PermissionDenied, match="制单人不能复核"):
        BATCH.check(actor=maker, record=batch, action=BatchAction.APPROVE)
    assert not batch.status_changes.exists()


def test_a_batch_page_offers_the_actions_of_the_table(batch):
    assert BATCH.actions_from(PayoutBatch.Status.DRAFT) == [BatchAction.APPROVE, BatchAction.CANCEL]
    assert BATCH.actions_from(PayoutBatch.Status.CANCELLED) == []


def test_approving_sending_and_reconciling_a_batch_leaves_its_history(sent_batch, maker, checker):
    moves = list(sent_batch.status_changes.values_list("action", "from_status", "to_status", "actor"))
    assert moves == [("approve", "draft", "approved", checker.pk), ("send", "approved", "sent", maker.pk)]
