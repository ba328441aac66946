"""Claims made from data (免申即享): a medical-insurance settlement becomes a claim with no application.

The settlements app reads the bureau's feed, matches each row to a consenting worker and the
coverage that holds the admission date, and calls `claims_from_settlements` with the facts; a
reversal row calls `reverse_settlement_claims` (reversals.py). A claim made here is an ordinary claim of channel
"医保数据": it is submitted through the same path as every other (the engine decides the benefit
after the worker's year so far, the submission checks, screening, straight through below the
limit, otherwise the county queue). The settlement row is its evidence: no paper is required,
except the pathology report of a women's diagnosis, which the worker photographs on her phone.
The serial (结算流水号) is stored on the claim, unique: it makes every call idempotent.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NoReturn

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor, user_of
from huzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members.models import Worker

from .. import rules
from ..models import Claim
from ..queries import use_card_on_file
from ..workflow import CARD_CONFIRMABLE_STATUSES
from .actors import WorkerActor, require_in_scope
from .adjudication import claims_of_coverages_read_once, lock_workers_decisions
from .intake import PLAN_OF_TYPE, submit_claim

S = Claim.Status
DATA_CLAIM_TYPES = ("inpatient", "outpatient_chronic", "diagnosis")
SERIAL_MAX = 50


@dataclass(frozen=True)
class SettlementFacts:
    """One matched settlement row of the bureau's feed (医疗保障基金结算清单), as the settlements app read it."""

    serial: str                 # 结算流水号
    worker_id: int
    coverage_id: int            # the coverage that holds the admission date
    claim_type: str             # "inpatient" | "outpatient_chronic" | "diagnosis"
    hospital: str               # 定点机构名称
    admitted_on: date
    discharged_on: date
    settled_on: date            # 结算日期
    diagnosis_code: str
    total_amount: Decimal
    fund_paid_amount: Decimal
    serious_illness_amount: Decimal
    medical_aid_amount: Decimal
    policy_self_pay_amount: Decimal
    out_of_policy_amount: Decimal
    self_funded_amount: Decimal

    def amounts(self) -> rules.Amounts:
        return rules.Amounts(**{name: Decimal(getattr(self, name)) for name in rules.AMOUNT_FIELDS})


def settlement_problems(facts: SettlementFacts) -> list[rules.Problem]:
    """What makes a settlement unusable as a claim, before any database work (the feed may report these
    per row and leave the row out): an unknown type, a serial too long, dates or amounts that do not add up."""
    problems = []
    serial = (facts.serial or "").strip()
    if not serial or len(serial) > SERIAL_MAX:
        problems.append(rules.Problem("invalid_serial", _("结算流水号为空或超过 %(count)s 个字符") % {"count": SERIAL_MAX}, "serial"))
    if facts.claim_type not in DATA_CLAIM_TYPES:
        problems.append(rules.Problem("invalid_claim_type", _("未知的申领类型：%(type)s") % {"type": facts.claim_type},
                                      "claim_type"))
        return problems
    if facts.discharged_on < facts.admitted_on:
        problems.append(rules.Problem("discharge_before_admission", _("出院日期不能早于入院日期"), "discharged_on"))
    # A women's diagnosis is paid by tier, not on costs; its amounts still must not be negative.
    cost_type = "inpatient" if facts.claim_type == "diagnosis" else facts.claim_type
    problems += rules.amount_problems(cost_type, facts.amounts(), ())
    return problems


def claim_fields_of(facts: SettlementFacts) -> dict:
    """The claim columns of a settlement's facts (the event fields each claim type uses)."""
    event: dict = {"hospital": facts.hospital.strip()[:100], "admitted_on": facts.admitted_on,
                   "discharged_on": facts.discharged_on}
    if facts.claim_type == "outpatient_chronic":
        event = {"hospital": facts.hospital.strip()[:100], "period_start_on": facts.admitted_on,
                 "period_end_on": facts.discharged_on}
    elif facts.claim_type == "diagnosis":
        event["diagnosed_on"] = facts.admitted_on
    return {**event, "claim_type": facts.claim_type, "diagnosis_code": (facts.diagnosis_code or "").strip().upper()[:20],
            "settlement_serial": facts.serial.strip(), "settled_on": facts.settled_on,
            **{name: Decimal(getattr(facts, name)) for name in rules.AMOUNT_FIELDS}}


def _refused(code: str, message: str, *, row: int, field: str | None = None) -> NoReturn:
    raise ValidationFailed(code, message, field=field, row=row)


@transaction.atomic
def claims_from_settlements(*, actor: Actor, settlements: Sequence[SettlementFacts],
                            today: date | None = None) -> dict[str, int]:
    """Make each settlement into a claim (channel DATA); serial -> claim id. Idempotent: a serial already made
    into a claim returns that claim's id and creates nothing. All or nothing per call.

    The lookups are one query each for the whole call (claims already made, workers, coverages with
    their plan years and terms); each new claim is then submitted through intake's path.
    """
    today = today or timezone.localdate()
    serials = [(s.serial or "").strip() for s in settlements]
    for row, facts in enumerate(settlements, start=1):
        problems = settlement_problems(facts)
        if problems:
            _refused(problems[0].code, _("结算流水号 %(serial)s：%(reason)s") % {"serial": facts.serial, "reason": problems[0].message},
                    row=row, field=problems[0].field or None)
    # Every decision lock of the call first, in one order (no deadlock), and before the serials already made
    # are read: a concurrent call with the same settlements waits here, then finds them made (idempotent).
    lock_workers_decisions(s.worker_id for s in settlements)
    made = dict(Claim.objects.filter(settlement_serial__in=set(serials)).values_list("settlement_serial", "pk"))
    fresh = [(row, s) for row, s in enumerate(settlements, start=1) if serials[row - 1] not in made]
    seen: dict[str, int] = {}
    for row, _facts in fresh:
        serial = serials[row - 1]
        if serial in seen:
            _refused("serial_repeated", _("结算流水号 %(serial)s 在本批中重复（第 %(first)s 行）") % {"serial": serial, "first": seen[serial]},
                    row=row, field="serial")
        seen[serial] = row
    if not fresh:
        return {serial: made[serial] for serial in serials}
    workers = Worker.objects.in_bulk({s.worker_id for _row, s in fresh})
    coverages = enrollment_queries.coverages_by_id(s.coverage_id for _row, s in fresh)
    with claims_of_coverages_read_once(s.coverage_id for _row, s in fresh):  # the year so far, one query
        _make_claims(actor=actor, fresh=fresh, workers=workers, coverages=coverages, made=made, today=today)
    record_event(actor=actor, action="claims_from_settlements", object_type="Claim", object_id="",
                 after={"created": len(fresh), "already": len(settlements) - len(fresh)})
    return {serial: made[serial] for serial in serials}


def _make_claims(*, actor: Actor, fresh: list[tuple[int, SettlementFacts]], workers: dict[int, Worker],
                 coverages: dict, made: dict[str, int], today: date) -> None:
    """Create and submit each new claim (the lookups are done); `made` gets serial -> claim id."""
    user = user_of(actor)
    card_on_file = use_card_on_file()
    for row, facts in fresh:
        worker, coverage = workers.get(facts.worker_id), coverages.get(facts.coverage_id)
        if worker is None:
            _refused("unknown_worker", _("结算流水号 %(serial)s：职工不存在") % {"serial": facts.serial}, row=row, field="worker_id")
        if coverage is None or coverage.worker_id != worker.pk:
            _refused("unknown_coverage", _("结算流水号 %(serial)s：保障凭证不存在或不属于该职工") % {"serial": facts.serial},
                    row=row, field="coverage_id")
        if coverage.plan_year.plan_id != PLAN_OF_TYPE[facts.claim_type]:
            _refused("coverage_wrong_plan", _("结算流水号 %(serial)s：保障凭证的方案与申领类型不符") % {"serial": facts.serial},
                    row=row, field="coverage_id")
        require_in_scope(actor, worker_id=worker.pk, league_code=worker.league_id, county_code=worker.county_id,
                         unit_id=worker.unit_id)
        try:
            with transaction.atomic():  # a concurrent import of the same serial loses here, with a clear error
                claim = Claim.objects.create(
                    worker=worker, coverage=coverage, plan_year_id=coverage.plan_year_id, channel=Claim.Channel.DATA,
                    league_id=coverage.league_id, county_id=coverage.county_id, unit_id=coverage.unit_id,
                    submitted_by=user, bank_confirmed_at=timezone.now() if card_on_file else None,
                    **claim_fields_of(facts))
        except IntegrityError as exc:
            raise Conflict("settlement_taken", _("结算流水号 %(serial)s 正由另一次导入生成申领，请稍后重试") % {"serial": facts.serial}) from exc
        claim.worker, claim.coverage, claim.plan_year = worker, coverage, coverage.plan_year
        try:
            submit_claim(actor=None, claim=claim, comment=_("由医保结算数据生成（结算流水号 %(serial)s）") % {"serial": facts.serial},
                         today=today)
        except ValidationFailed as exc:  # the claim's own checks (coverage, deadline, not covered): name the row
            raise ValidationFailed(exc.code, _("结算流水号 %(serial)s：%(reason)s") % {"serial": facts.serial, "reason": exc.message},
                                   field=exc.field, row=row) from exc
        made[facts.serial.strip()] = claim.pk


@transaction.atomic
def confirm_bank_card(*, actor: WorkerActor, claim: Claim) -> Claim:
    """The worker confirms on her phone that a claim made from data is paid to her card: it may be paid now.

    Only her own claim of channel 医保数据; confirming again changes nothing (the first time is kept).
    """
    if not isinstance(actor, WorkerActor):
        raise PermissionDenied(_("只有职工本人可以确认收款账户"))
    if actor.worker_id != claim.worker_id:
        raise NotFound()
    if claim.channel != Claim.Channel.DATA:
        raise Conflict("not_a_data_claim", _("只有由医保数据生成的申领需要确认收款账户"))
    if claim.status not in CARD_CONFIRMABLE_STATUSES:
        raise Conflict("claim_closed", _("申领已办结，不能再确认收款账户"))
    now = timezone.now()
    if Claim.objects.filter(pk=claim.pk, bank_confirmed_at__isnull=True).update(bank_confirmed_at=now, updated_at=now):
        record_event(actor=actor, action="confirm_bank_card", object_type="Claim", object_id=claim.pk,
                     after={"bank_confirmed_at": now.isoformat()})
    claim.refresh_from_db(fields=["bank_confirmed_at", "updated_at"])
    return claim
