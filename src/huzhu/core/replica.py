"""Reads off the primary: report, dashboard and export pages read from a streaming replica when one is configured.

`DATABASE_REPLICA_URL` adds the database alias "replica" (settings.py) and `ReplicaRouter` decides per query:

- writes always go to the primary ("default"); so do migrations;
- a read goes to the replica only inside `replica_reads()` (the `reads_from_replica` view decorator opens it for a
  GET), and never while the primary has a transaction open: whatever must see its own write — the audit chain's
  last event, a row just locked — is read where it was written;
- everything else reads the primary, as without a replica.

Raw SQL through `django.db.connection` is the primary's connection and stays there; `read_connection()` names the
connection a read-only raw query should use instead. A replica lags a little behind: the health check reports by how
much (`replica_lag_seconds`), and the pages that read from it are the ones where a second does not matter.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Who is signed in, and the security records of it, are read where they are written: a session created a moment ago
# must not look signed out because the replica has not replayed it yet.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "contenttypes", "admin", "security", "regions", "audit"})
_reading: ContextVar[bool] = ContextVar("huzhu_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads outside a primary transaction go to the replica (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def _on_replica() -> bool:
    return _reading.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block


def read_connection():
    """The connection a read-only raw query should use here: the replica inside `replica_reads()`, else the primary."""
    return connections[REPLICA if _on_replica() else DEFAULT_DB_ALIAS]


def reads_from_replica(view: Callable) -> Callable:
    """A page whose GET only reads (reports, dashboards, exports): its reads go to the replica."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)
    return wrapped


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: the replica for flagged reads, the primary for everything else."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return REPLICA if _on_replica() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def replica_lag_seconds() -> float | None:
    """How far the replica's replay is behind (0 when it has replayed all it received); None without a replica."""
    if not replica_configured():
        return None
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END")
        (lag,) = cursor.fetchone()
    return float(lag)
