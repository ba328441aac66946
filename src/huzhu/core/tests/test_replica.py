"""Reads off the primary (core/replica.py): the router's decisions, then a real streaming replica.

The replica tests run where `DATABASE_REPLICA_URL` names a replica of the primary under test (.ci/run starts one:
a second PostgreSQL cluster made with `pg_basebackup -R` on port 5433); elsewhere they are reported as skipped.
"""
import os
import time

import dj_database_url
import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from huzhu.conftest import PASSWORD, make_staff, make_unit
from huzhu.core.replica import REPLICA, ReplicaRouter, read_connection, replica_reads
from huzhu.members.models import MemberUnit
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role, StaffProfile

ROUTER = ReplicaRouter()
KUNDULUN = "150203"


@pytest.fixture
def with_a_replica_alias(settings):
    """The router's view of a deployment with a replica (no connection is opened by a decision)."""
    if REPLICA not in settings.DATABASES:
        settings.DATABASES = {**settings.DATABASES, REPLICA: dict(settings.DATABASES[DEFAULT_DB_ALIAS])}


def test_without_a_replica_every_read_is_the_primarys(settings):
    if REPLICA in settings.DATABASES:
        settings.DATABASES = {k: v for k, v in settings.DATABASES.items() if k != REPLICA}
    with replica_reads():
        assert ROUTER.db_for_read(MemberUnit) == DEFAULT_DB_ALIAS


def test_reads_go_to_the_replica_only_when_asked_and_writes_never(with_a_replica_alias):
    assert ROUTER.db_for_read(MemberUnit) == DEFAULT_DB_ALIAS  # not asked
    with replica_reads():
        assert ROUTER.db_for_read(MemberUnit) == REPLICA
        assert ROUTER.db_for_write(MemberUnit) == DEFAULT_DB_ALIAS
        assert ROUTER.db_for_read(StaffProfile) == DEFAULT_DB_ALIAS  # who is signed in: where it was written
    assert ROUTER.db_for_read(MemberUnit) == DEFAULT_DB_ALIAS  # the block is over
    assert ROUTER.allow_migrate(DEFAULT_DB_ALIAS, "members") and not ROUTER.allow_migrate(REPLICA, "members")


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_primary_transaction_stays_on_the_primary(with_a_replica_alias):
    with replica_reads():
        with transaction.atomic():  # a write in progress must read its own writes
            assert ROUTER.db_for_read(MemberUnit) == DEFAULT_DB_ALIAS
            assert read_connection() is connections[DEFAULT_DB_ALIAS]
        assert ROUTER.db_for_read(MemberUnit) == REPLICA


# --- a real streaming replica ----------------------------------------------------------------------------------

needs_replica = pytest.mark.skipif(not os.environ.get("DATABASE_REPLICA_URL"),
                                   reason="no DATABASE_REPLICA_URL: .ci/run starts a streaming replica")


@pytest.fixture
def real_replica():
    """The "replica" alias pointed at the replica server, on the primary's test database (which it replays)."""
    replica = connections[REPLICA]
    saved = dict(replica.settings_dict)
    target = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"])
    replica.close()
    replica.settings_dict.update(HOST=target["HOST"], PORT=target["PORT"],
                                 NAME=connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    yield replica
    replica.close()
    replica.settings_dict.clear()
    replica.settings_dict.update(saved)


def _replayed(replica, table: str, count: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        with replica.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            (seen,) = cursor.fetchone()
        if seen == count or time.monotonic() > deadline:
            return seen
        time.sleep(0.1)


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_replica_replays_the_primary_and_serves_the_flagged_reads(real_replica):
    with real_replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)  # a standby, not the primary under another name
    make_unit(KUNDULUN, name="复制测试单位")
    assert _replayed(real_replica, MemberUnit._meta.db_table, 1) == 1
    with replica_reads(), CaptureQueriesContext(real_replica) as on_replica, \
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
        assert list(MemberUnit.objects.values_list("name", flat=True)) == ["复制测试单位"]
        MemberUnit.objects.filter(name="复制测试单位").update(name="改名")  # a write: the primary (the standby refuses)
    assert len(on_replica.captured_queries) == 1 and len(on_primary.captured_queries) == 1
    assert MemberUnit.objects.get().name == "改名"


@needs_replica
@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_the_dashboard_reads_from_the_replica_and_the_health_check_shows_its_lag(real_replica, client):
    install_default_plans()
    user = make_staff("approver_replica", Role.ASSOCIATION)
    make_unit(KUNDULUN, name="报表单位")
    _replayed(real_replica, MemberUnit._meta.db_table, 1)
    client.login(username=user.username, password=PASSWORD)
    with CaptureQueriesContext(real_replica) as on_replica:
        page = client.get("/reports/")
    assert page.status_code == 200 and on_replica.captured_queries
    health = client.get("/healthz").json()
    assert health["replica"] == "ok" and 0 <= health["replica_lag_seconds"] < 60
