"""Claims settled at discharge (出院即赔): a partner hospital asks, the engine decides, the bill carries the benefit.

The hospitals app authenticates the hospital, finds the worker and calls `settle_at_discharge` with the stay's
settlement (the same facts as a row of the bureau's feed). The claim is an ordinary claim of channel
"医院直接结算": created, submitted and decided on the one path every claim takes (the engine after the worker's
year so far, the submission checks, risk screening), under the worker's decision lock, so two discharges of one
worker at once queue and cannot pass the annual cap together. Only a claim that goes straight through is settled:
it is approved and marked paid at once (the hospital took the benefit off the bill). Any other is rolled back to
its savepoint and the answer says why ("请按常规申领"): nothing of it is kept.

The serial (结算流水号) is the claim's settlement serial, so the bureau's feed bringing the same settlement later
finds the claim made (claims_from_settlements is idempotent on it) and no second benefit is made.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.core.actors import Actor
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.core.identifiers import ascii_form
from huzhu.ledger import services as ledger
from huzhu.members.models import Worker

from ..models import Claim
from ..workflow import Action
from .adjudication import lock_worker_decisions
from .from_data import SettlementFacts, claim_fields_of, settlement_problems
from .intake import PLAN_OF_TYPE, coverage_for, submit_claim
from .transitions import move_claim

S = Claim.Status
HOSPITAL_PLAN = PLAN_OF_TYPE["inpatient"]


def settlement_key(serial: str) -> str:
    """The claim's settlement serial in the form the bureau's feed stores it (settlements.rules reads 结算流水号 with
    core.identifiers.ascii_form: dashes dropped, upper case), so the feed's row of a stay settled at discharge finds
    its claim; the hospital's own serial, case and dashes kept, stays on its DischargeSettlement."""
    return ascii_form(serial)


@dataclass(frozen=True)
class DischargeStay:
    """The stay a hospital settles at discharge: its settlement, as on the 医疗保障基金结算清单."""

    serial: str
    worker_id: int
    hospital: str
    admitted_on: date
    discharged_on: date
    settled_on: date
    diagnosis_code: str
    amounts: dict[str, Decimal]  # the seven amounts, by claims.rules.AMOUNT_FIELDS name


@dataclass(frozen=True)
class DischargeAnswer:
    """What the hospital is told: a benefit to take off the bill, or why the worker applies the usual way."""

    settled: bool
    claim_id: int | None = None
    plan_year_id: int | None = None
    plan_year: str = ""
    benefit: Decimal = Decimal("0.00")
    steps: list[dict] = field(default_factory=list)
    reason_code: str = ""
    reason: str = ""


def _referred(code: str, reason: str) -> DischargeAnswer:
    return DischargeAnswer(settled=False, reason_code=code, reason=reason)


def _settled(claim: Claim) -> DischargeAnswer:
    return DischargeAnswer(settled=True, claim_id=claim.pk, plan_year_id=claim.plan_year_id, plan_year=str(claim.plan_year),
                           benefit=claim.benefit_amount or Decimal("0.00"), steps=list(claim.explanation or []))


@transaction.atomic
def settle_at_discharge(*, actor: Actor, stay: DischargeStay, today: date | None = None) -> DischargeAnswer:
    """Decide the stay's benefit now; settled (approved and paid at the hospital) only when clean.

    A stay the data cannot carry (dates or amounts that do not add up) raises ValidationFailed: the hospital
    corrects its call. Every other reason a claim would not go straight through is a referral.
    """
    today = today or timezone.localdate()
    lock_worker_decisions(stay.worker_id)  # first: two discharges of one worker are decided one after the other
    key = settlement_key(stay.serial)
    earlier = Claim.objects.select_related("plan_year__plan").filter(settlement_serial=key).first()
    if earlier is not None:  # the feed made it, or another serial of the same settlement did: never a second benefit
        return _referred("already_claimed", _("此次结算已生成申领 #%(number)s（%(channel)s），不能在医院重复结算") % {
            "number": earlier.pk, "channel": earlier.get_channel_display()})
    worker = Worker.objects.get(pk=stay.worker_id)
    try:
        coverage = coverage_for(worker, HOSPITAL_PLAN, stay.admitted_on)
    except ValidationFailed as exc:
        return _referred(exc.code, exc.message)
    facts = SettlementFacts(serial=key, worker_id=worker.pk, coverage_id=coverage.pk, claim_type="inpatient",
                            hospital=stay.hospital, admitted_on=stay.admitted_on, discharged_on=stay.discharged_on,
                            settled_on=stay.settled_on, diagnosis_code=stay.diagnosis_code, **stay.amounts)
    problems = settlement_problems(facts)
    if problems:
        raise ValidationFailed(problems[0].code, problems[0].message, field=problems[0].field or None)
    try:
        with transaction.atomic():  # a stay that is not clean leaves nothing behind
            claim = Claim.objects.create(
                worker=worker, coverage=coverage, plan_year_id=coverage.plan_year_id, channel=Claim.Channel.HOSPITAL,
                league_id=coverage.league_id, county_id=coverage.county_id, unit_id=coverage.unit_id,
                **claim_fields_of(facts))
            claim.worker, claim.coverage, claim.plan_year = worker, coverage, coverage.plan_year
            submit_claim(actor=None, claim=claim, today=today, straight_through_only=True,
                         comment=_("出院时由%(hospital)s直接结算（结算流水号 %(serial)s）") % {
                             "hospital": stay.hospital, "serial": stay.serial})
            if claim.status != S.APPROVED:  # straight through always ends approved; anything else is a referral
                raise Conflict("not_straight_through", claim.get_status_display())
            move_claim(actor=None, claim=claim, action=Action.PAY,
                       comment=_("补助金已在出院结算时从住院费用中抵扣（%(hospital)s）") % {"hospital": stay.hospital})
    except (ValidationFailed, Conflict) as exc:
        return _referred(exc.code, exc.message)
    return _settled(claim)


@transaction.atomic
def cancel_settled_at_discharge(*, actor: Actor, claim_id: int, reason: str, today: date | None = None) -> Claim:
    """The hospital cancels a settlement it made at discharge: the claim is withdrawn, its approval reversed in the
    ledger (the hospitals app reverses its own entry, the advance it is owed). The hospitals app decides the
    same-day rule and whether the benefit is already in a reimbursement batch."""
    today = today or timezone.localdate()
    claim = Claim.objects.select_related("plan_year").filter(pk=claim_id, channel=Claim.Channel.HOSPITAL).first()
    if claim is None:
        raise NotFound()
    lock_worker_decisions(claim.worker_id)
    claim.refresh_from_db()
    if claim.status != S.PAID:
        raise Conflict("not_settled", _("申领 #%(number)s 不是已结算状态（%(status)s），不能撤销") % {
            "number": claim.pk, "status": claim.get_status_display()})
    if hasattr(claim, "recovery"):
        raise Conflict("in_recovery", _("申领 #%(number)s 已登记追回，不能撤销") % {"number": claim.pk})
    comment = _("医院撤销出院结算：%(reason)s") % {"reason": reason}
    move_claim(actor=None, claim=claim, action=Action.CANCEL_AT_HOSPITAL, comment=comment, reason_code="hospital_cancel")
    ledger.reverse_claim_approval(actor=actor, claim_id=claim.pk, reason=comment, posted_on=today)
    return claim
