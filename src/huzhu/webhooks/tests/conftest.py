"""Webhook tests reuse the claims fixtures (a covered worker, filing a stay at the desk)."""
from huzhu.claims.tests.conftest import archive_in_tmp, file_stay, plans, worker  # noqa: F401
