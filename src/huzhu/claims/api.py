"""JSON API for claims: status for staff in scope, filing and review decisions (session auth for now)."""
from datetime import date, datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status
from ninja.security import django_auth

from huzhu.core.errors import NotFound
from huzhu.members.queries import worker_by_id_number
from huzhu.regions.queries import scope_of

from . import queries, services

router = Router(tags=["claims"], auth=django_auth)


class StepOut(Schema):
    name: str
    label: str
    amount: str


class StatusChangeOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor_kind: str
    at: datetime
    comment: str
    reason_code: str
    missing_items: list[str]


class ClaimOut(Schema):
    id: int
    worker_id: int
    claim_type: str
    status: str
    channel: str
    event_on: date | None
    benefit: str | None
    straight_through: bool
    missing_items: list[str]
    due_on: date | None
    terms_version_id: int | None

    @staticmethod
    def resolve_benefit(claim) -> str | None:
        return f"{claim.benefit_amount:.2f}" if claim.benefit_amount is not None else None


class ClaimDetailOut(ClaimOut):
    steps: list[StepOut]
    history: list[StatusChangeOut]

    @staticmethod
    def resolve_steps(claim) -> list[dict]:
        return claim.explanation

    @staticmethod
    def resolve_history(claim) -> list:
        return list(claim.status_changes.all())


class InvoiceIn(Schema):
    code: str
    number: str
    check_code: str
    amount: Decimal


class ClaimIn(Schema):
    id_number: str
    claim_type: str
    hospital: str = ""
    admitted_on: date | None = None
    discharged_on: date | None = None
    period_start_on: date | None = None
    period_end_on: date | None = None
    diagnosed_on: date | None = None
    diagnosis_code: str = ""
    procedure: str = ""
    worker_deceased: bool = False
    amounts: dict[str, Decimal] = {}
    invoices: list[InvoiceIn] = []


class ReviewIn(Schema):
    decision: str  # pass / return / reject
    comment: str = ""
    missing_items: list[str] = []
    reason_code: str = ""


@router.get("/", response=list[ClaimOut])
@paginate(PageNumberPagination, page_size=50)
def list_claims(request, status: str = ""):
    """The caller's work queue (or every claim of a status) in scope."""
    scope = scope_of(request.user)
    return queries.recent_claims(scope, status=status) if status else queries.claims_awaiting_review(scope)


@router.get("/{claim_id}", response=ClaimDetailOut)
def get_claim(request, claim_id: int):
    """One claim with its steps and history; 404 outside the caller's scope."""
    return queries.claim_for(scope_of(request.user), claim_id)


@router.post("/", response={201: ClaimDetailOut})
def file_claim(request, payload: ClaimIn):
    """File and submit a claim (documents are added on the page; a claim without them is returned for supplement)."""
    worker = worker_by_id_number(scope_of(request.user), payload.id_number)
    if worker is None:
        raise NotFound("您的管辖范围内没有这个身份证号的职工")
    fields = payload.dict(exclude={"id_number", "invoices"})
    claim = services.file_claim(actor=request.user, worker=worker,
                                invoices=[invoice.dict() for invoice in payload.invoices], **fields)
    return Status(201, queries.claim_for(scope_of(request.user), claim.pk))


@router.post("/{claim_id}/review", response=ClaimDetailOut)
def review_claim(request, claim_id: int, payload: ReviewIn):
    """Pass, return for supplement or reject at the claim's current level."""
    claim = queries.claim_for(scope_of(request.user), claim_id)
    if payload.decision == "pass":
        services.pass_review(actor=request.user, claim=claim, comment=payload.comment)
    elif payload.decision == "return":
        services.return_for_supplement(actor=request.user, claim=claim, missing_items=payload.missing_items,
                                       comment=payload.comment)
    else:
        services.reject_claim(actor=request.user, claim=claim, reason_code=payload.reason_code, comment=payload.comment)
    return queries.claim_for(scope_of(request.user), claim_id)
