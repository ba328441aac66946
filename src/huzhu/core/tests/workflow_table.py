"""Shared checks for a declared workflow table (core/workflow.py): every (status, action) pair, allowed or not."""
import pytest
from django.db import transaction

from huzhu.core.errors import Conflict
from huzhu.core.workflow import STAY, Workflow


def every_pair(workflow: Workflow) -> list:
    """One pytest param per (status, action) of the workflow's model and actions, with a readable id."""
    return [pytest.param(status, action, id=f"{status}-{action}")
            for status in workflow.model.Status.values for action in workflow.actions.values]


def _history(workflow: Workflow, record) -> list:
    if workflow.history is None:
        return []
    return list(workflow.history.objects.filter(**{f"{workflow.history_key}_id": record.pk}).order_by("pk"))


def check_pair(workflow: Workflow, record, status: str, action: str, *, actor) -> None:
    """The table decides: a move writes the status and one history row; anything else is refused and writes nothing."""
    type(record).objects.filter(pk=record.pk).update(status=status)  # the test's starting point
    record.refresh_from_db()
    before = _history(workflow, record)
    transition = workflow.transition_for(status, action)
    if transition is None:
        with pytest.raises(Conflict) as refused, transaction.atomic():
            workflow.move(actor=actor, record=record, action=action)
        assert refused.value.code == workflow.refused_code
        assert str(workflow.model.Status(status).label) in refused.value.message
        assert action not in workflow.actions_from(status)
    elif transition.to == STAY:
        workflow.check(actor=actor, record=record, action=action)
        with pytest.raises(RuntimeError), transaction.atomic():
            workflow.move(actor=actor, record=record, action=action)
    else:
        with transaction.atomic():
            workflow.move(actor=actor, record=record, action=action)
        assert record.status == transition.to and action in workflow.actions_from(status)
    record.refresh_from_db()
    after = _history(workflow, record)
    if transition is None or transition.to == STAY:
        assert record.status == status and after == before
        return
    assert record.status == transition.to
    if workflow.history is not None:
        assert len(after) == len(before) + 1
        row = after[-1]
        assert (row.from_status, row.to_status) == (status, transition.to)
        assert getattr(row, "action", action) == action


def check_lost_race(workflow: Workflow, record, action: str, *, actor) -> None:
    """A record moved by someone else since it was read is refused with a conflict and nothing is written."""
    transition = workflow.transition_for(record.status, action)
    assert transition is not None and transition.to != STAY
    before = _history(workflow, record)
    type(record).objects.filter(pk=record.pk).update(status=transition.to)  # someone else moved it first
    with pytest.raises(Conflict) as lost, transaction.atomic():
        workflow.move(actor=actor, record=record, action=action)
    assert lost.value.code == workflow.changed_code
    assert _history(workflow, record) == before
