"""The association's payout to-dos on the 工作台: batches by the step they wait for, each linking to exactly them."""
from django.test import Client

from huzhu.conftest import PASSWORD
from huzhu.core.todo import todos_for
from huzhu.payouts import services
from huzhu.payouts.todos import payout_todos

from .conftest import everything


def _by_label(user) -> dict:
    return {todo.label: todo for todo in payout_todos(user)}


def test_a_batch_sent_and_one_to_check_are_counted_and_each_link_lists_exactly_them(sent_batch, approve_claim, maker):
    approve_claim()
    services.build_batch(actor=maker, filters=everything())  # a second batch, not yet checked
    todos = _by_label(maker)
    assert (todos["待复核批次"].count, todos["待送银行批次"].count, todos["待回盘批次"].count) == (1, 0, 1)
    assert todos["支付失败待处理"].count == 0 and todos["支付失败待处理"].urgent
    client = Client()
    client.login(username=maker.username, password=PASSWORD)
    for todo in todos.values():
        response = client.get(todo.url)
        assert response.status_code == 200, todo
        if "status=" in todo.url:
            assert response.context["page"].paginator.count == todo.count, todo
    assert all(todo in todos_for(maker) for todo in todos.values())  # registered by payouts.apps


def test_nobody_below_the_association_and_no_auditor_gets_payout_todos(db, county_clerk, auditor, league_reviewer):
    for user in (county_clerk, auditor, league_reviewer):
        assert payout_todos(user) == []
