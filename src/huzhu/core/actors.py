"""Actors that are not staff accounts: the worker acting on her own record (no user, an audit label)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkerActor:
    """The worker herself, signed in with the texted code (no staff account)."""

    worker_id: int
    pk = None  # never a user: audit rows store no user for it

    def __str__(self) -> str:
        return f"worker:{self.worker_id}"
