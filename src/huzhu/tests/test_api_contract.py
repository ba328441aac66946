"""schemathesis against /api/v1/openapi.json, in-process through the WSGI app.

Every operation is called with generated data (valid and invalid) under a valid token — an
association staff token, a worker token for /me/, a partner hospital's token for /hospital/ — and each answer must: not be a 500, carry a
status the document lists for that operation (so every error is documented), and match the
documented schema and content type. The example count is kept small so the suite stays fast;
`make api-fuzz` runs the same test with HUZHU_API_FUZZ_EXAMPLES=100.
"""
import os

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("HUZHU_API_FUZZ_EXAMPLES", 6))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app_in_test_transaction():
    """The real WSGI app; requests must not close the test's database connection between calls."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_answers_as_documented_for_generated_requests(api_world, wsgi_app_in_test_transaction):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app_in_test_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    staff = {"Authorization": f"Bearer {api_world.tokens['association']}"}
    worker = {"Authorization": f"Bearer {api_world.worker_token}"}
    hospital = {"Authorization": f"Bearer {api_world.tokens['hospital']}"}
    failures = []
    for operation in operations:
        prefix = operation.path.split("/")[1]
        headers = {"me": worker, "hospital": hospital}.get(prefix, staff)
        try:
            _fuzz(operation, headers)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report all
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)


def _fuzz(operation, headers: dict) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def call(case):
        cache.clear()  # the sign-in endpoints' rate limits would answer 429 to every later example
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
