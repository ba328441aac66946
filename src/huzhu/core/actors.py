"""Actors that are not staff accounts: the worker acting on her own record, the system (no user, an audit label)."""
from dataclasses import dataclass

from .scopes import PROVINCE, Scope


@dataclass(frozen=True)
class WorkerActor:
    """The worker herself, signed in with the texted code (no staff account)."""

    worker_id: int
    pk = None  # never a user: audit rows store no user for it

    def __str__(self) -> str:
        return f"worker:{self.worker_id}"


@dataclass(frozen=True)
class SystemActor:
    """The scheme itself acting (a command, a job, the demo, a test builder), with the scope it acts in.

    Services derive the scope from the actor (`regions.queries.scope_of`); a caller acting more widely
    than a staff account passes this rather than a bare scope.
    """

    scope: Scope = PROVINCE
    pk = None  # never a user: audit rows store no user for it

    def __str__(self) -> str:
        return "system"


SYSTEM_ACTOR = SystemActor()
