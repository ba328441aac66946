"""A guard, not a timing: the statements a discharge call costs do not grow with the worker's year (no query per
earlier claim), and stay under a ceiling (the figure of docs/scaling.md; issue #27 is where it comes down)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import post, stay

pytestmark = pytest.mark.django_db
CEILING = 100  # measured 2026-12-04: 94 on SQLite for a straight-through stay (caches warm), the audit seal included


def _statements(his, body) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = post(his, body)
    assert response.status_code == 201 and response.json()["status"] == "settled", response.content
    return len(captured.captured_queries)


def test_a_discharge_costs_the_same_statements_whatever_the_workers_year_holds(his, covered):
    _statements(his, stay(covered, self_pay="600.00", days_ago=110, length=3))  # the process's caches warm
    second = _statements(his, stay(covered, self_pay="600.00", days_ago=100, length=3))
    for n in range(4):  # four more stays of the same worker this year
        _statements(his, stay(covered, self_pay="600.00", days_ago=90 - 15 * n, length=3))
    seventh = _statements(his, stay(covered, self_pay="600.00", days_ago=1, length=3))
    assert seventh == second, (second, seventh)
    assert seventh <= CEILING, seventh
