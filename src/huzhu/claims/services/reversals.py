"""Reversals of settlements the claims were made from, and the recoveries (应收) they open.

The bureau may reverse a settlement (冲销) after its claim was made: an unpaid claim is cancelled, a paid one
opens a recovery, and one whose benefit is in a payout batch or at the bank keeps the reversal until the payment
ends (`apply_held_reversals`, called by `mark_claim_paid` and by payouts). A recovery is closed as repaid or written
off. Every step posts its ledger entry in the same transaction.
"""
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huzhu.ledger import services as ledger
from huzhu.regions.roles import Role

from ..models import Claim, ClaimRecovery
from ..queries import claims_in_payment
from ..workflow import STANDING_STATUSES, SYSTEM, Action
from .actors import require_claim_in_scope, role_of
from .adjudication import lock_workers_decisions
from .transitions import move_claim

S = Claim.Status
RECOVERY_CLOSERS = {Role.ASSOCIATION, SYSTEM}  # the finance of the fund: the association, or a system job


@transaction.atomic
def reverse_settlement_claims(*, actor: Actor, serials: Sequence[str], today: date | None = None) -> dict[str, str]:
    """For the claims made from these original serials: cancel an unpaid one, open a recovery (应收) for a paid one;
    serial -> "cancelled" | "recovery" | "none" (no claim made from it) | "already" (reversed before) |
    "in_payment" (its benefit is in a payout batch or at the bank: the reversal is held on the claim and applied
    when the payment ends, see `apply_held_reversals` and `mark_claim_paid`). Idempotent."""
    today = today or timezone.localdate()
    wanted = [(s or "").strip() for s in serials]
    chosen = Claim.objects.select_related("plan_year").filter(settlement_serial__in=set(wanted) - {""})
    lock_workers_decisions(chosen.values_list("worker_id", flat=True))  # then read: a decision may have just ended
    claims = {c.settlement_serial: c for c in chosen}
    recovered = set(ClaimRecovery.objects.filter(claim_id__in=[c.pk for c in claims.values()]).values_list("claim_id", flat=True))
    in_payment = claims_in_payment([c.pk for c in claims.values() if c.status == S.APPROVED])
    answer: dict[str, str] = {}
    for serial in wanted:
        claim = claims.get(serial)
        if serial in answer:
            continue
        if claim is None:
            answer[serial] = "none"
        elif claim.status not in STANDING_STATUSES or claim.pk in recovered:  # withdrawn or refused
            answer[serial] = "already"
        elif claim.pk in in_payment:
            answer[serial] = "in_payment"
            if not claim.held_reversal_serial:
                Claim.objects.filter(pk=claim.pk).update(held_reversal_serial=serial, updated_at=timezone.now())
                record_event(actor=actor, action="reversal_held_in_payment", object_type="Claim", object_id=claim.pk,
                             after={"serial": serial})
        elif claim.status == S.PAID:
            _open_recovery(actor=actor, claim=claim, serial=serial, today=today)
            answer[serial] = "recovery"
        else:
            _cancel(actor=actor, claim=claim, serial=serial, today=today)
            answer[serial] = "cancelled"
    record_event(actor=actor, action="reverse_settlement_claims", object_type="Claim", object_id="",
                 after={status: sum(1 for v in answer.values() if v == status)
                        for status in ("cancelled", "recovery", "none", "already", "in_payment")})
    return answer


@transaction.atomic
def apply_held_reversals(*, actor: Actor, claim_ids: Sequence[int], today: date | None = None) -> dict[int, str]:
    """The payment of these claims ended (called by payouts when a batch is cancelled or the bank answers): a
    reversal held while the benefit was in payment is applied now. claim id -> "cancelled" (still approved and no
    longer in payment) | "recovery" (paid); claims with no held reversal, or still in payment, are left out."""
    today = today or timezone.localdate()
    chosen = (Claim.objects.select_related("plan_year").filter(pk__in=list(claim_ids)).exclude(held_reversal_serial="")
              .order_by("pk"))
    lock_workers_decisions(chosen.values_list("worker_id", flat=True))
    held = list(chosen)
    if not held:
        return {}
    still_in_payment = claims_in_payment([c.pk for c in held])
    recovered = set(ClaimRecovery.objects.filter(claim_id__in=[c.pk for c in held]).values_list("claim_id", flat=True))
    answer: dict[int, str] = {}
    for claim in held:
        if claim.pk in still_in_payment:
            continue
        serial = claim.held_reversal_serial
        if claim.status == S.PAID and claim.pk not in recovered:
            _open_recovery(actor=actor, claim=claim, serial=serial, today=today)
            answer[claim.pk] = "recovery"
        elif claim.status == S.APPROVED:
            _cancel(actor=actor, claim=claim, serial=serial, today=today)
            answer[claim.pk] = "cancelled"
        else:
            continue
        Claim.objects.filter(pk=claim.pk).update(held_reversal_serial="")
        record_event(actor=actor, action="apply_held_reversal", object_type="Claim", object_id=claim.pk,
                     after={"serial": serial, "result": answer[claim.pk]})
    return answer


def _cancel(*, actor: Actor, claim: Claim, serial: str, today: date) -> None:
    """An unpaid claim made from a reversed settlement is cancelled; an approval's ledger entry is reversed."""
    reason = _("医保结算已冲销（原结算流水号 %(serial)s）") % {"serial": serial}
    approved = claim.status == S.APPROVED
    # The bureau's data reverses it, not a reviewer's decision: a system move (the importing actor is audited).
    move_claim(actor=None, claim=claim, action=Action.REVERSE, comment=reason, reason_code="settlement_reversed")
    if approved:
        ledger.reverse_claim_approval(actor=actor, claim_id=claim.pk, reason=reason, posted_on=today)


def _open_recovery(*, actor: Actor, claim: Claim, serial: str, today: date, amount: Decimal | None = None,
                   origin: str = ClaimRecovery.Origin.SETTLEMENT_REVERSED, reason: str = "") -> ClaimRecovery:
    """A paid claim's benefit is owed back (all of it when its settlement was reversed, `amount` when the post-audit
    found it overpaid), with its ledger entry."""
    amount = (claim.benefit_amount or Decimal("0.00")) if amount is None else amount
    entry_id = None
    if amount > 0:
        memo = (_("申领 #%(number)s 事后抽查应追回补助金 %(amount)s") % {"number": claim.pk, "amount": amount}
                if origin == ClaimRecovery.Origin.POST_AUDIT else "")
        entry_id = ledger.post_claim_recovery(actor=actor, plan_year=claim.plan_year, claim_id=claim.pk, amount=amount,
                                              posted_on=today, memo=memo).pk
    recovery = ClaimRecovery.objects.create(claim=claim, amount=amount, reversal_serial=serial, opened_on=today,
                                            origin=origin, reason=reason[:200], ledger_entry_id=entry_id,
                                            opened_by=user_of(actor))
    record_event(actor=actor, action="open_claim_recovery", object_type="Claim", object_id=claim.pk,
                 after={"amount": str(amount), "serial": serial, "origin": origin, "reason": reason[:200],
                        "ledger_entry": entry_id})
    return recovery


@transaction.atomic
def open_post_audit_recovery(*, actor: Actor, claim_id: int, amount: Decimal, reason: str,
                             today: date | None = None) -> ClaimRecovery:
    """The post-audit (事后抽查, risk app) found an automatically approved, paid claim overpaid: `amount` (above zero,
    at most the benefit) is owed back, a recovery (应收) opened with its entry 1231 against 5101. Once per claim."""
    today = today or timezone.localdate()
    if role_of(actor) not in RECOVERY_CLOSERS:
        raise PermissionDenied(_("只有协会可以登记补助金追回"))
    claim = Claim.objects.select_related("plan_year").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    require_claim_in_scope(actor, claim)
    lock_workers_decisions([claim.worker_id])
    if ClaimRecovery.objects.filter(claim_id=claim.pk).exists():
        raise Conflict("recovery_exists", _("申领 #%(number)s 已登记过补助金追回，不能重复登记") % {"number": claim.pk})
    claim.refresh_from_db(fields=["status", "benefit_amount"])
    if claim.status != S.PAID:
        raise Conflict("not_paid", _("申领 #%(number)s 尚未支付（%(status)s），补助金无需追回") % {
            "number": claim.pk, "status": claim.get_status_display()})
    benefit = claim.benefit_amount or Decimal("0.00")
    if not Decimal("0.00") < amount <= benefit:
        raise ValidationFailed("invalid_recovery_amount", _("追回金额应大于 0 且不超过补助金 %(benefit)s 元") % {
            "benefit": benefit}, field="amount")
    return _open_recovery(actor=actor, claim=claim, serial="", today=today, amount=amount,
                          origin=ClaimRecovery.Origin.POST_AUDIT, reason=(reason or "").strip())


@transaction.atomic
def close_recovery(*, actor: Actor, recovery: ClaimRecovery, outcome: str, closed_on: date, note: str = "") -> ClaimRecovery:
    """An open recovery (应收) is closed: "recovered" (the worker paid the benefit back into the bank) or
    "written_off" (the association decides it cannot be recovered; a reason is required), with its ledger entry."""
    statuses = ClaimRecovery.Status
    if role_of(actor) not in RECOVERY_CLOSERS:
        raise PermissionDenied(_("只有协会可以办结补助金追回"))
    require_claim_in_scope(actor, recovery.claim)
    if outcome not in (statuses.RECOVERED, statuses.WRITTEN_OFF):
        raise ValidationFailed("invalid_outcome", _("请选择追回结果：已追回或核销"), field="outcome")
    note = (note or "").strip()
    if outcome == statuses.WRITTEN_OFF and not note:
        raise ValidationFailed("reason_required", _("核销须填写原因"), field="note")
    if closed_on > timezone.localdate():
        raise ValidationFailed("date_in_future", _("日期不能晚于今天"), field="closed_on")
    locked = ClaimRecovery.objects.select_for_update().select_related("claim__plan_year").get(pk=recovery.pk)
    if locked.status != statuses.OPEN:
        raise Conflict("recovery_closed", _("该笔追回已办结（%(status)s）") % {"status": locked.get_status_display()})
    if closed_on < locked.opened_on:
        raise ValidationFailed("before_opened", _("日期不能早于立账日期 %(on)s") % {"on": locked.opened_on.isoformat()},
                               field="closed_on")
    entry_id = None
    if locked.amount > 0:
        entry_id = ledger.post_recovery_closed(actor=actor, plan_year=locked.claim.plan_year, claim_id=locked.claim_id,
                                               amount=locked.amount, posted_on=closed_on,
                                               written_off=outcome == statuses.WRITTEN_OFF).pk
    locked.status, locked.closed_on, locked.closed_by = outcome, closed_on, user_of(actor)
    locked.close_note, locked.close_ledger_entry_id = note[:200], entry_id
    locked.save(update_fields=["status", "closed_on", "closed_by", "close_note", "close_ledger_entry_id"])
    record_event(actor=actor, action="close_claim_recovery", object_type="Claim", object_id=locked.claim_id,
                 before={"status": statuses.OPEN},
                 after={"status": outcome, "amount": str(locked.amount), "on": closed_on.isoformat(), "note": note[:200],
                        "ledger_entry": entry_id})
    return locked
