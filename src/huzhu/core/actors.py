"""Actors that are not staff accounts: the worker acting on her own record, the system (no user, an audit label)."""
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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


@dataclass(frozen=True)
class HospitalActor(SystemActor):
    """A partner hospital's system calling the discharge API with its token: the scheme acts for it (decisions
    are the system's, province-wide), and the audit trail names the hospital."""

    hospital_code: str = ""

    def __str__(self) -> str:
        return f"hospital:{self.hospital_code}"


# Who calls a service: a staff user (the request's user), the worker herself, or the system: a
# SystemActor carrying the scope it acts in (commands, the demo), or None (background jobs). Services take it as `actor=` first.
Actor: TypeAlias = Union["User", WorkerActor, SystemActor, None]
# The services that only a staff account may call (the money path, its own two-factor device).
StaffActor: TypeAlias = "User"


def user_of(actor: Actor) -> "User | None":
    """The staff account behind an actor, for the columns that record who did it; None for the worker and the system."""
    return actor if actor is not None and not isinstance(actor, (WorkerActor, SystemActor)) and actor.pk else None
