"""The claim workflow, declared once: every allowed move, who may make it, at which review level.

`services.transition_claim` is the only code that changes `Claim.status`; it looks the move up
here. Actors are staff roles (regions.Role), "worker" (the claimant on the phone page) or
"system" (automatic steps: routing, straight-through decisions).
"""
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from huzhu.core import workflow as core_workflow
from huzhu.regions.models import Role

from .models import Claim

# The vocabulary other apps name claims' statuses and types with (they never import claims.models).
Status, ClaimType, Channel = Claim.Status, Claim.Type, Claim.Channel
S = Status
WORKER, SYSTEM = "worker", "system"
INTAKE, COUNTY, LEAGUE, EXPERT, ASSOCIATION = "intake", "county", "league", "expert", "association"
# Who may bring a claim in: the worker, their unit contact, the county desk, the association.
SUBMITTERS = frozenset({WORKER, Role.UNIT, Role.AGENCY, Role.ASSOCIATION})
# Review levels and the staff role that works at each.
LEVEL_ROLE = {COUNTY: Role.AGENCY, LEAGUE: Role.OFFICE, EXPERT: Role.EXPERT, ASSOCIATION: Role.ASSOCIATION}
# In the order a claim meets them; expert review (医学专家评审) only for the claims that need it.
REVIEW_LEVEL_OF_STATUS = {S.FIRST_REVIEW: COUNTY, S.SECOND_REVIEW: LEAGUE, S.EXPERT_REVIEW: EXPERT,
                          S.APPROVAL: ASSOCIATION}
# The statuses, named by meaning; other apps use these sets instead of listing statuses of their own.
# Open: submitted and not decided yet (back with the worker for supplement included).
OPEN_STATUSES = (S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.EXPERT_REVIEW, S.APPROVAL, S.SUPPLEMENT)
# Under review: open and waiting on the scheme, not on the worker (what can be overdue on the dashboards).
UNDER_REVIEW_STATUSES = (S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.EXPERT_REVIEW, S.APPROVAL)
# Decided: a benefit was granted (approved, paid); it counts against the year's accumulators.
DECIDED_STATUSES = (S.APPROVED, S.PAID)
# Closed by review: decided, or refused (不予补助) — the population of the review KPIs.
CLOSED_BY_REVIEW_STATUSES = (S.APPROVED, S.PAID, S.REJECTED)
# Standing: open or decided, the claims the fund may owe (not draft, withdrawn or refused).
STANDING_STATUSES = OPEN_STATUSES + DECIDED_STATUSES
# Not paid yet and still standing: a claim made from data may have its bank card confirmed.
CARD_CONFIRMABLE_STATUSES = OPEN_STATUSES + (S.APPROVED,)
# Never filed: a draft, or withdrawn before a decision (its invoices released).
NOT_FILED_STATUSES = (S.DRAFT, S.WITHDRAWN)


class Action(TextChoices):
    SUBMIT = "submit", _("提交申领")
    ROUTE = "route", _("材料齐全，转初审")
    PASS_FIRST = "pass_first", _("初审通过")
    PASS_SECOND = "pass_second", _("复审通过")
    TO_EXPERT = "to_expert", _("复审通过，送专家评审")
    GIVE_OPINION = "give_opinion", _("专家意见已出具")
    APPROVE = "approve", _("审批通过")
    RETURN = "return", _("退回补正")
    RESUBMIT = "resubmit", _("补正后重新提交")
    REJECT = "reject", _("不予补助")
    WITHDRAW = "withdraw", _("撤回申领")
    PAY = "pay", _("已支付")
    REVERSE = "reverse", _("医保结算冲销")
    CANCEL_AT_HOSPITAL = "hospital_cancel", _("医院撤销出院结算")


@dataclass(frozen=True)
class Transition(core_workflow.Transition):
    """The core transition (core/workflow.py) with the review level the move is a step of."""

    level: str = ""  # "" for submitter and system moves


def _review(to: str, level: str) -> Transition:
    return Transition(to, frozenset({LEVEL_ROLE[level], SYSTEM}), level=level)


def _by_reviewer(level: str, to: str) -> Transition:
    return Transition(to, frozenset({LEVEL_ROLE[level]}), level=level)


TRANSITIONS: dict[tuple[str, str], Transition] = {
    # The system submits the claims it makes from medical-insurance settlements (免申即享).
    (S.DRAFT, Action.SUBMIT): Transition(S.SUBMITTED, SUBMITTERS | {SYSTEM}, level=INTAKE),
    (S.SUPPLEMENT, Action.RESUBMIT): Transition(S.SUBMITTED, SUBMITTERS, level=INTAKE),
    (S.SUBMITTED, Action.ROUTE): Transition(S.FIRST_REVIEW, frozenset({SYSTEM})),
    (S.SUBMITTED, Action.RETURN): Transition(S.SUPPLEMENT, frozenset({SYSTEM})),
    (S.FIRST_REVIEW, Action.PASS_FIRST): _review(S.SECOND_REVIEW, COUNTY),
    (S.SECOND_REVIEW, Action.PASS_SECOND): _review(S.APPROVAL, LEAGUE),
    # A claim that needs expert review (claim.expert_required) passes the league to the expert, never around her.
    (S.SECOND_REVIEW, Action.TO_EXPERT): _review(S.EXPERT_REVIEW, LEAGUE),
    # The expert gives an opinion with reasons and the claim goes on to the association, which decides: the expert
    # neither approves, returns nor rejects (and no automatic step passes her).
    (S.EXPERT_REVIEW, Action.GIVE_OPINION): _by_reviewer(EXPERT, S.APPROVAL),
    (S.APPROVAL, Action.APPROVE): _review(S.APPROVED, ASSOCIATION),
    (S.FIRST_REVIEW, Action.RETURN): _by_reviewer(COUNTY, S.SUPPLEMENT),
    (S.SECOND_REVIEW, Action.RETURN): _by_reviewer(LEAGUE, S.SUPPLEMENT),
    (S.APPROVAL, Action.RETURN): _by_reviewer(ASSOCIATION, S.SUPPLEMENT),
    (S.FIRST_REVIEW, Action.REJECT): _by_reviewer(COUNTY, S.REJECTED),
    (S.SECOND_REVIEW, Action.REJECT): _by_reviewer(LEAGUE, S.REJECTED),
    (S.APPROVAL, Action.REJECT): _by_reviewer(ASSOCIATION, S.REJECTED),
    (S.APPROVED, Action.PAY): Transition(S.PAID, frozenset({SYSTEM, Role.ASSOCIATION})),
    # Withdrawal by the submitter while nothing is decided (services checks it is the submitter).
    **{(status, Action.WITHDRAW): Transition(S.WITHDRAWN, SUBMITTERS)
       for status in (S.DRAFT, S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.EXPERT_REVIEW, S.APPROVAL, S.SUPPLEMENT)},
    # The bureau reversed the settlement a claim was made from: an unpaid claim is cancelled (its
    # approval entry reversed in the ledger); a paid one stays paid and a recovery is opened instead.
    **{(status, Action.REVERSE): Transition(S.WITHDRAWN, frozenset({SYSTEM, Role.ASSOCIATION}))
       for status in (S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.EXPERT_REVIEW, S.APPROVAL, S.SUPPLEMENT,
                       S.APPROVED)},
    # A partner hospital cancels, the same day, a stay it settled at discharge (the benefit came off the bill
    # and goes back on it): the claim is withdrawn and its ledger entries reversed (claims/services/at_discharge.py).
    (S.PAID, Action.CANCEL_AT_HOSPITAL): Transition(S.WITHDRAWN, frozenset({SYSTEM})),
}

REJECT_REASONS = {
    "not_covered": _("不属于保障范围"),
    "not_eligible": _("不符合参保条件"),
    "late": _("超过申领期限"),
    "documents_invalid": _("材料不真实或无效"),
    "duplicate": _("重复申领"),
    "other": _("其他原因"),
}


def transition_for(status: str, action: str) -> Transition | None:
    """The allowed move from `status` by `action`, or None."""
    return TRANSITIONS.get((status, action))


def actions_from(status: str) -> list[str]:
    """Every action the table allows from a status (for pages and tests)."""
    return [action for (origin, action) in TRANSITIONS if origin == status]


def level_of_submitter(role: str) -> str:
    """A county clerk's desk intake is the county's first review (初审 at the window); others only intake."""
    return COUNTY if role == Role.AGENCY else INTAKE
