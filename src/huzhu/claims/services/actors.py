"""Who is acting on a claim: a staff user, the worker on the phone page, or the system."""

from huzhu.core.actors import Actor, SystemActor, WorkerActor  # noqa: F401 - claims services name it too
from huzhu.core.errors import NotFound
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of

from .. import queries
from ..models import Claim
from ..workflow import SYSTEM, WORKER


def role_of(actor: Actor) -> str:
    """The workflow role of an actor: a staff role, "worker" or "system"."""
    if actor is None or isinstance(actor, SystemActor):
        return SYSTEM
    if isinstance(actor, WorkerActor):
        return WORKER
    return scope_of(actor).role


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
    """The claim's region, unit or worker; a medical expert only the claims sent to her (queries.expert_sees)."""
    require_in_scope(actor, worker_id=claim.worker_id, league_code=claim.league_id, county_code=claim.county_id,
                     unit_id=claim.unit_id)
    if role_of(actor) == Role.EXPERT and not Claim.objects.filter(queries.expert_sees(), pk=claim.pk).exists():
        raise NotFound()
