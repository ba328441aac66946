"""A persistent database connection that the server dropped is replaced at the next request.

Real requests through Django's WSGI handler (the test Client skips the request signals that run
the connection checks), a real connection kept between requests (CONN_MAX_AGE as in production),
and a real cut: `pg_terminate_backend` from a second connection, as a database restart does.
"""
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (pg_terminate_backend)"),
]


def _get(path: str) -> int:
    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    statuses = []
    response = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        b"".join(response)
    finally:
        response.close()  # fires request_finished, as a WSGI server does
    return int(statuses[0].split()[0])


def _terminate(pid: int) -> None:
    import psycopg

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # wait until the backend is really gone
            if not killer.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                break


@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_database_dropped_the_connection_gets_a_fresh_one():
    # The suite closes connections after each request (conftest); production keeps them 60 s.
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close()
    try:
        assert _get("/healthz") == 200
        pid = connection.connection.info.backend_pid  # the connection the request left open
        _terminate(pid)
        assert _get("/healthz") == 200
        assert connection.connection.info.backend_pid != pid
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept
        connection.close()
