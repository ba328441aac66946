"""Risk fixtures: the claims fixtures (plans, a covered worker, a desk filing helper) reused."""
from huzhu.claims.tests.conftest import (  # noqa: F401
    archive_in_tmp,
    file_stay,
    no_straight_through,
    plans,
    second_approver,
    second_clerk,
    second_reviewer,
    worker,
)
