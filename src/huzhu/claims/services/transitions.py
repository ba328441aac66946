"""The one place a claim's status changes: guarded, recorded as history and notification outbox."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, PermissionDenied

from .. import rules, workflow
from ..models import Claim, ClaimStatusChange
from ..workflow import SYSTEM, WORKER, Action
from .actors import WorkerActor, require_claim_in_scope, role_of


def _actor_kind(actor: Actor) -> str:
    if actor is None:
        return ClaimStatusChange.ActorKind.SYSTEM
    if isinstance(actor, WorkerActor):
        return ClaimStatusChange.ActorKind.WORKER
    return ClaimStatusChange.ActorKind.STAFF


def _is_submitter(actor: Actor, claim: Claim) -> bool:
    if isinstance(actor, WorkerActor):
        return claim.channel == Claim.Channel.WORKER and actor.worker_id == claim.worker_id
    return actor is not None and claim.submitted_by_id == actor.pk


def check_four_eyes(actor: Actor, claim: Claim, level: str) -> None:
    """Refuse a staff member who already acted at another review level of this claim."""
    user = user_of(actor)
    if user is None or not level:
        return
    earlier = set(ClaimStatusChange.objects.filter(claim_id=claim.pk, actor_id=user.pk)
                  .exclude(level="").values_list("level", flat=True))
    problem = rules.four_eyes_problem(level, earlier)
    if problem:
        raise PermissionDenied(problem.message)


def step_level(actor: Actor, move: workflow.Transition, action: str) -> str:
    if action in (Action.SUBMIT, Action.RESUBMIT):
        return workflow.level_of_submitter(role_of(actor))
    return move.level


def check_move(actor: Actor, claim: Claim, action: str) -> workflow.Transition:
    """The allowed move for this actor, or the reason it is refused."""
    move = workflow.transition_for(claim.status, action)
    if move is None:
        raise Conflict("transition_not_allowed",
                       _("申领当前状态为“%(status)s”，不能“%(action)s”") % {
                           "status": Claim.Status(claim.status).label, "action": Action(action).label})
    role = role_of(actor)
    if role not in move.actors:
        raise PermissionDenied(_("您的角色不能对申领执行“%(action)s”") % {"action": Action(action).label})
    require_claim_in_scope(actor, claim)
    if action == Action.WITHDRAW and not _is_submitter(actor, claim):
        raise PermissionDenied(_("只有提交人可以撤回申领"))
    if role not in (SYSTEM, WORKER):
        check_four_eyes(actor, claim, step_level(actor, move, action))
    return move


@transaction.atomic
def transition_claim(*, actor: Actor, claim: Claim, action: str, comment: str = "", reason_code: str = "",
                     missing_items: list[str] | None = None, updates: dict | None = None) -> Claim:
    """Move a claim by `action` if the workflow allows it; a lost race raises Conflict.

    The UPDATE only matches while the claim still has the status the actor saw, so of two
    reviewers acting at once exactly one moves it. `updates` are written in the same UPDATE.
    """
    return move_claim(actor=actor, claim=claim, action=action, comment=comment, reason_code=reason_code,
                      missing_items=missing_items, updates=updates)


def move_claim(*, actor: Actor, claim: Claim, action: str, comment: str = "", reason_code: str = "",
               missing_items: list[str] | None = None, updates: dict | None = None) -> Claim:
    """`transition_claim` for services already inside their own transaction (no extra savepoint)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move_claim must run inside a transaction: use transition_claim")
    move = check_move(actor, claim, action)
    now = timezone.now()
    fields = {"status": move.to, "updated_at": now, **(updates or {})}
    if move.to == Claim.Status.SUPPLEMENT:
        fields["missing_items"] = list(missing_items or [])
    moved = Claim.objects.filter(pk=claim.pk, status=claim.status).update(**fields)
    if moved != 1:
        raise Conflict("claim_changed", _("该申领已被他人处理，请刷新后查看最新状态"))
    ClaimStatusChange.objects.create(
        claim_id=claim.pk, action=action, from_status=claim.status, to_status=move.to,
        level=step_level(actor, move, action), actor=user_of(actor),
        actor_kind=_actor_kind(actor), at=now, comment=comment, reason_code=reason_code,
        missing_items=list(missing_items or []),
    )
    record_event(actor=actor, action=f"claim_{action}", object_type="Claim", object_id=claim.pk,
                 before={"status": claim.status},
                 after={"status": move.to, "reason_code": reason_code, "comment": comment[:200]})
    for name, value in fields.items():
        setattr(claim, name, value)
    return claim
