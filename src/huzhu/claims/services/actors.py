"""Who is acting on a claim: a staff user, the worker on the phone page, or the system."""

from huzhu.core.actors import Actor, WorkerActor  # noqa: F401 - claims services name it too
from huzhu.core.errors import NotFound
from huzhu.core.scopes import Scope
from huzhu.regions.queries import scope_of

from ..workflow import SYSTEM, WORKER


def role_of(actor: Actor) -> str:
    """The workflow role of an actor: a staff role, "worker" or "system"."""
    if actor is None:
        return SYSTEM
    if isinstance(actor, WorkerActor):
        return WORKER
    return scope_of(actor).role


def scope_of_actor(actor: Actor) -> Scope:
    return scope_of(actor) if actor is not None and not isinstance(actor, WorkerActor) else Scope("none")


def require_in_scope(actor: Actor, *, worker_id: int, league_code: str, county_code: str, unit_id: int | None) -> None:
    """Refuse (as "not found") a claim or worker outside the actor's region, unit or self."""
    if actor is None:
        return
    if isinstance(actor, WorkerActor):
        if actor.worker_id != worker_id:
            raise NotFound()
        return
    if not scope_of(actor).includes(league_code=league_code, county_code=county_code, unit_id=unit_id):
        raise NotFound()


def require_claim_in_scope(actor: Actor, claim) -> None:
    require_in_scope(actor, worker_id=claim.worker_id, league_code=claim.league_id, county_code=claim.county_id,
                     unit_id=claim.unit_id)
