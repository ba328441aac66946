"""Actors that are not staff accounts: the worker acting on her own record (no user, an audit label)."""
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class WorkerActor:
    """The worker herself, signed in with the texted code (no staff account)."""

    worker_id: int
    pk = None  # never a user: audit rows store no user for it

    def __str__(self) -> str:
        return f"worker:{self.worker_id}"


# Who calls a service: a staff user (the request's user), the worker herself, or None for the
# system (background jobs, commands, the demo). Services take it as `actor=` first.
Actor: TypeAlias = Union["User", WorkerActor, None]
# The services that only a staff account may call (the money path, its own two-factor device).
StaffActor: TypeAlias = "User"


def user_of(actor: Actor) -> "User | None":
    """The staff account behind an actor, for the columns that record who did it; None for the worker and the system."""
    return actor if actor is not None and not isinstance(actor, WorkerActor) and actor.pk else None
