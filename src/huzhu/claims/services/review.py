"""Review: pass a level, approve under the coverage lock, return for supplement, reject, withdraw, adjust."""
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.ledger import services as ledger

from .. import review_clock, rules, workflow
from ..models import Claim, ClaimAdjustment, ExpertOpinion
from ..workflow import Action
from .actors import require_claim_in_scope
from .adjudication import adjudicate, amounts_of, invoices_of, lock_coverage
from .limits import expert_review_amount
from .reversals import apply_held_reversals
from .transitions import check_move, move_claim

S = Claim.Status
PASS_ACTION: dict[str, Action] = {S.FIRST_REVIEW: Action.PASS_FIRST, S.SECOND_REVIEW: Action.PASS_SECOND, S.APPROVAL: Action.APPROVE}
# Where a reviewer may adjust amounts, return or reject: the three review levels (the expert only gives an opinion).
REVIEWING = tuple(PASS_ACTION)


class _HeldForPerson(Exception):
    """An automatic approval would have paid less than the estimate: the claim stays for the association."""


@transaction.atomic
def approve_claim(*, actor: Actor, claim: Claim, comment: str = "", straight_through: bool = False) -> Claim:
    """Approve at the association: the benefit is decided again, final, under the worker and coverage locks.

    An automatic approval (`straight_through`) pays in full or not at all: when the final benefit comes out below
    the estimate (a claim of the same year decided meanwhile), it raises _HeldForPerson before anything is
    written, and the claim waits for the association with the reason.
    """
    coverage = lock_coverage(claim)  # concurrent approvals of one worker queue here (annual cap, lifetime tiers)
    checked = check_move(actor, claim, Action.APPROVE)  # four eyes checked here, once
    estimate = claim.benefit_amount
    adjudication = adjudicate(claim, final=True, coverage=coverage)
    benefit = adjudication.decision.benefit
    if straight_through and (estimate is None or benefit < estimate or benefit <= 0
                             or rules.limit_cut(adjudication.decision)):
        raise _HeldForPerson(f"补助金按本年度已审批申领重新计算为 {benefit}（预估 {estimate}），转人工审批")
    if estimate is not None and benefit != estimate:
        comment = f"{comment}（补助金按本年度已审批申领重新计算：{estimate} → {benefit}）".strip()
    updates = {**adjudication.stored_fields(), "approved_at": timezone.now(), "straight_through": straight_through}
    move_claim(actor=actor, claim=claim, action=Action.APPROVE, comment=comment, updates=updates, checked=checked)
    if benefit > 0:  # the benefit becomes payable in the fund's books, in this same transaction
        ledger.post_claim_approved(actor=actor, plan_year=claim.plan_year, claim_id=claim.pk, benefit_amount=benefit,
                                   posted_on=timezone.localdate())
    return claim


@transaction.atomic
def pass_review(*, actor: Actor, claim: Claim, comment: str = "", today: date | None = None) -> Claim:
    """Pass the claim's current review level (初审 / 复审 / 审批) on to the next.

    The league passes a claim that needs a medical expert to expert review, whose clock starts that day.
    """
    action = PASS_ACTION.get(claim.status)
    if action is None:
        raise Conflict("not_in_review", _("申领当前状态为“%(status)s”，不在审核中") % {"status": Claim.Status(claim.status).label})
    if action == Action.APPROVE:
        return approve_claim(actor=actor, claim=claim, comment=comment)
    if action == Action.PASS_SECOND and rules.needs_expert_review(claim.claim_type, claim.benefit_amount,
                                                                   expert_review_amount()):
        today = today or timezone.localdate()
        due = review_clock.add_working_days(today, rules.EXPERT_REVIEW_DAYS)
        return move_claim(actor=actor, claim=claim, action=Action.TO_EXPERT, comment=comment,
                          updates={"expert_required": True, "expert_due_on": due})
    return move_claim(actor=actor, claim=claim, action=action, comment=comment)


@transaction.atomic
def give_expert_opinion(*, actor: Actor, claim: Claim, opinion: str, reasons: str,
                        today: date | None = None) -> ExpertOpinion:
    """The medical expert's opinion with reasons; the claim goes on to the association, which decides."""
    if opinion not in ExpertOpinion.Opinion.values:
        raise ValidationFailed("invalid_opinion", _("请选择专家意见"), field="opinion")
    reasons = " ".join(reasons.split())
    if not reasons:
        raise ValidationFailed("reasons_required", _("请填写专家意见的理由"), field="reasons")
    require_claim_in_scope(actor, claim)  # a claim not sent to her is not found, whatever its status
    checked = check_move(actor, claim, Action.GIVE_OPINION)
    reached = (claim.status_changes.filter(to_status=S.EXPERT_REVIEW).order_by("-at", "-id")
               .values_list("at", flat=True).first())
    expert = user_of(actor)
    assert expert is not None  # check_move admits only the expert role, a staff user
    label = ExpertOpinion.Opinion(opinion).label
    move_claim(actor=actor, claim=claim, action=Action.GIVE_OPINION, comment=f"{label}：{reasons}", checked=checked)
    return ExpertOpinion.objects.create(claim=claim, opinion=opinion, reasons=reasons, expert=expert,
                                        reached_on=timezone.localdate(reached) if reached else (today or timezone.localdate()),
                                        due_on=claim.expert_due_on)


@transaction.atomic
def advance_straight_through(*, claim: Claim, reasons: tuple[str, ...]) -> Claim:
    """Take every remaining review step as an automatic decision, with the reasons.

    Automation only ever approves in full: if the final benefit would be lower than the estimate, the claim is
    left at the association's approval, the reason in its history, and nothing is approved.
    """
    comment = "自动审批：" + "；".join(reasons)
    while claim.status in PASS_ACTION:
        if claim.status == S.APPROVAL:
            try:  # approve_claim refuses before it writes anything, inside its own savepoint
                approve_claim(actor=None, claim=claim, comment=comment, straight_through=True)
            except _HeldForPerson as held:
                record_event(actor=None, action="straight_through_held", object_type="Claim", object_id=claim.pk,
                             after={"reason": str(held)})
                claim.refresh_from_db()
                return claim
        else:
            move_claim(actor=None, claim=claim, action=PASS_ACTION[claim.status], comment=comment,
                             reason_code="straight_through")
    return claim


@transaction.atomic
def return_for_supplement(*, actor: Actor, claim: Claim, missing_items: list[str], comment: str = "") -> Claim:
    """Send the claim back to the claimant with the list of what is missing (补正)."""
    items = [item.strip() for item in missing_items if item and item.strip()]
    if not items:
        raise ValidationFailed("missing_items_required", _("请列出需要补正的材料或事项"), field="missing_items")
    return move_claim(actor=actor, claim=claim, action=Action.RETURN, comment=comment,
                            reason_code="supplement", missing_items=items)


@transaction.atomic
def reject_claim(*, actor: Actor, claim: Claim, reason_code: str, comment: str) -> Claim:
    """Refuse the claim with a reason code and a text the worker will read."""
    if reason_code not in workflow.REJECT_REASONS:
        raise ValidationFailed("invalid_reason_code", _("请选择不予补助的原因"), field="reason_code")
    if not comment.strip():
        raise ValidationFailed("comment_required", _("请填写不予补助的具体说明"), field="comment")
    return move_claim(actor=actor, claim=claim, action=Action.REJECT, comment=comment.strip(),
                            reason_code=reason_code, updates={"benefit_amount": Decimal("0.00")})


@transaction.atomic
def withdraw_claim(*, actor: Actor, claim: Claim, comment: str = "") -> Claim:
    """The submitter withdraws the claim; its invoices become free for a new claim."""
    move_claim(actor=actor, claim=claim, action=Action.WITHDRAW, comment=comment)
    claim.invoices.filter(released_at__isnull=True).update(released_at=timezone.now())
    return claim


@transaction.atomic
def mark_claim_paid(*, actor: Actor, claim: Claim, comment: str = "") -> Claim:
    """Record that the benefit was paid (called by payouts). A settlement reversal held while the benefit was at the
    bank is applied now: a recovery is opened."""
    claim = move_claim(actor=actor, claim=claim, action=Action.PAY, comment=comment)
    if claim.held_reversal_serial:
        apply_held_reversals(actor=actor, claim_ids=[claim.pk])
        claim.refresh_from_db(fields=["held_reversal_serial"])
    return claim


@transaction.atomic
def adjust_claim(*, actor: Actor, claim: Claim, changes: dict[str, Decimal], reason: str) -> Claim:
    """A reviewer changes settlement amounts with a reason; the engine decides the benefit again."""
    if claim.status not in REVIEWING:
        raise Conflict("not_in_review", _("只有审核中的申领可以调整金额"))
    check_move(actor, claim, Action.RETURN)  # whoever may act at this level may adjust
    if not reason.strip():
        raise ValidationFailed("reason_required", _("请填写调整原因"), field="reason")
    unknown = set(changes) - set(rules.AMOUNT_FIELDS)
    if unknown:
        raise ValidationFailed("invalid_field", _("不能调整字段：%(fields)s") % {"fields": "、".join(sorted(unknown))}, field=sorted(unknown)[0])
    before = {name: getattr(claim, name) for name in changes}
    changed = {name: value for name, value in changes.items() if value != before[name]}
    if not changed:
        raise ValidationFailed("nothing_changed", _("金额没有变化"), field=next(iter(changes), None))
    for name, value in changed.items():
        setattr(claim, name, value)
    problems = rules.amount_problems(claim.claim_type, amounts_of(claim), invoices_of(claim))
    if problems:
        raise ValidationFailed(problems[0].code, problems[0].message, field=problems[0].field)
    benefit_before = claim.benefit_amount
    fields = {**changed, **adjudicate(claim, final=False).stored_fields(), "updated_at": timezone.now()}
    if Claim.objects.filter(pk=claim.pk, status=claim.status).update(**fields) != 1:
        raise Conflict("claim_changed", _("该申领已被他人处理，请刷新后查看最新状态"))
    for name, value in fields.items():
        setattr(claim, name, value)
    ClaimAdjustment.objects.bulk_create([
        ClaimAdjustment(claim=claim, field=name, before_amount=before[name], after_amount=value, reason=reason.strip(),
                        benefit_before_amount=benefit_before, benefit_after_amount=claim.benefit_amount, actor=user_of(actor))
        for name, value in changed.items()
    ])
    record_event(actor=actor, action="adjust_claim", object_type="Claim", object_id=claim.pk,
                 before={**{k: str(v) for k, v in before.items()}, "benefit": str(benefit_before)},
                 after={**{k: str(v) for k, v in changed.items()}, "benefit": str(claim.benefit_amount),
                        "reason": reason.strip()})
    return claim
