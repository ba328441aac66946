"""JSON API for claims.

Staff and unit contacts (`router`, staff_auth): the work queue, a claim with its steps and history,
desk filing, documents, resubmission and review decisions. Workers (`me_router`, worker_auth, at
/api/v1/me/claims): their own claims — start, upload documents, submit, follow, supplement.
Both doors call the same services; the services decide what the scheme's rules allow.
"""
from datetime import date, datetime
from decimal import Decimal

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from huzhu.core.errors import NotFound, PermissionDenied, ValidationFailed
from huzhu.core.pagination import Pages
from huzhu.members.queries import worker_by_id_number
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role
from huzhu.security.auth import staff_auth, worker_auth
from huzhu.security.services import record_personal_data_view

from . import queries, services, workflow
from .models import Claim

router = Router(tags=["claims"], auth=staff_auth)
me_router = Router(tags=["me"], auth=worker_auth)
INTAKE_ROLES = {Role.AGENCY, Role.UNIT, Role.ASSOCIATION}
REVIEW_ROLES = set(workflow.LEVEL_ROLE.values())


class ClaimStepOut(Schema):
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


class DocumentOut(Schema):
    id: int
    kind: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime

    @staticmethod
    def resolve_content_type(document) -> str:
        return document.file.content_type

    @staticmethod
    def resolve_size(document) -> int:
        return document.file.size

    @staticmethod
    def resolve_sha256(document) -> str:
        return document.file.sha256


class ClaimOut(Schema):
    id: int
    worker_id: int
    claim_type: str
    status: str
    status_label: str
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

    @staticmethod
    def resolve_status_label(claim) -> str:
        return str(Claim.Status(claim.status).label)


class ClaimDetailOut(ClaimOut):
    steps: list[ClaimStepOut]
    history: list[StatusChangeOut]
    documents: list[DocumentOut]

    @staticmethod
    def resolve_steps(claim) -> list[dict]:
        return claim.explanation

    @staticmethod
    def resolve_history(claim) -> list:
        return list(claim.status_changes.all())

    @staticmethod
    def resolve_documents(claim) -> list:
        return list(claim.documents.all())


class InvoiceIn(Schema):
    code: str
    number: str
    check_code: str
    amount: Decimal


class EventIn(Schema):
    """The event and its settlement: the facts a claim is decided on."""

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

    def claim_fields(self) -> dict:
        fields = self.dict(exclude={"invoices", "id_number"})
        return {**fields, "invoices": [invoice.dict() for invoice in self.invoices]}


class ClaimIn(EventIn):
    id_number: str


class ReviewIn(Schema):
    decision: str  # pass / return / reject
    comment: str = ""
    missing_items: list[str] = []
    reason_code: str = ""


class SubmitIn(Schema):
    comment: str = ""


def _require_role(request, roles: set[str]) -> None:
    if scope_of(request.user).role not in roles:
        raise PermissionDenied()


def _detail(request, claim_id: int) -> Claim:
    return queries.claim_for(scope_of(request.user), claim_id)


# --- staff and unit contacts ---------------------------------------------------------------------

@router.get("/", response=list[ClaimOut])
@paginate(Pages)
def list_claims(request, status: str = ""):
    """The caller's work queue (or every claim of a status) in scope."""
    scope = scope_of(request.user)
    return queries.recent_claims(scope, status=status) if status else queries.claims_awaiting_review(scope)


@router.get("/{claim_id}", response=ClaimDetailOut)
def get_claim(request, claim_id: int):
    """One claim with its steps, documents and history; 404 outside the caller's scope. The view is logged."""
    claim = _detail(request, claim_id)
    record_personal_data_view(actor=request.user, worker=claim.worker, view="api.claims.get_claim", request=request)
    return claim


@router.post("/", response={201: ClaimDetailOut})
def file_claim(request, payload: ClaimIn):
    """File and submit a claim for a worker in scope (documents may follow; missing ones send it to supplement)."""
    _require_role(request, INTAKE_ROLES)
    worker = worker_by_id_number(scope_of(request.user), payload.id_number)
    if worker is None:
        raise NotFound("您的管辖范围内没有这个身份证号的职工")
    claim = services.file_claim(actor=request.user, worker=worker, **payload.claim_fields())
    return Status(201, _detail(request, claim.pk))


@router.post("/{claim_id}/documents", response={201: ClaimDetailOut})
def upload_claim_document(request, claim_id: int, kind: Form[str], file: File[UploadedFile]):
    """Attach one scan (JPEG/PNG/HEIC/PDF) of a kind to a claim in scope."""
    _require_role(request, INTAKE_ROLES | REVIEW_ROLES)
    claim = _detail(request, claim_id)
    services.attach_document(actor=request.user, claim=claim, kind=kind, upload=file)
    return Status(201, _detail(request, claim_id))


@router.post("/{claim_id}/submit", response=ClaimDetailOut)
def submit_claim(request, claim_id: int, payload: SubmitIn):
    """Submit a draft or resubmit a claim returned for supplement."""
    _require_role(request, INTAKE_ROLES)
    services.submit_claim(actor=request.user, claim=_detail(request, claim_id), comment=payload.comment)
    return _detail(request, claim_id)


@router.post("/{claim_id}/review", response=ClaimDetailOut)
def review_claim(request, claim_id: int, payload: ReviewIn):
    """Pass, return for supplement or reject at the claim's current level."""
    _require_role(request, REVIEW_ROLES)
    claim = _detail(request, claim_id)
    if payload.decision == "pass":
        services.pass_review(actor=request.user, claim=claim, comment=payload.comment)
    elif payload.decision == "return":
        services.return_for_supplement(actor=request.user, claim=claim, missing_items=payload.missing_items,
                                       comment=payload.comment)
    elif payload.decision == "reject":
        services.reject_claim(actor=request.user, claim=claim, reason_code=payload.reason_code, comment=payload.comment)
    else:
        raise ValidationFailed("invalid_decision", "审核结论应为 pass（通过）、return（退回补正）或 reject（不予补助）",
                               field="decision")
    return _detail(request, claim_id)


# --- the worker's own claims ---------------------------------------------------------------------

def _own(request, claim_id: int) -> Claim:
    return queries.claim_of_worker(request.auth.pk, claim_id)


@me_router.get("/claims", response=list[ClaimOut])
@paginate(Pages)
def my_claims(request):
    """The signed-in worker's claims, newest first."""
    return queries.claims_of_worker(request.auth.pk)


@me_router.get("/claims/{claim_id}", response=ClaimDetailOut)
def my_claim(request, claim_id: int):
    """One own claim: status, what is missing, the benefit and how it was computed."""
    return _own(request, claim_id)


@me_router.post("/claims", response={201: ClaimDetailOut})
def start_my_claim(request, payload: EventIn):
    """Start a claim as a draft: upload the documents next, then submit."""
    claim = services.create_claim(actor=services.WorkerActor(request.auth.pk), worker=request.auth,
                                  **payload.claim_fields())
    return Status(201, _own(request, claim.pk))


@me_router.post("/claims/{claim_id}/documents", response={201: ClaimDetailOut})
def upload_my_document(request, claim_id: int, kind: Form[str], file: File[UploadedFile]):
    """Upload one photo or PDF of a document to an own draft or a claim returned for supplement."""
    services.attach_document(actor=services.WorkerActor(request.auth.pk), claim=_own(request, claim_id), kind=kind,
                             upload=file)
    return Status(201, _own(request, claim_id))


@me_router.post("/claims/{claim_id}/submit", response=ClaimDetailOut)
def submit_my_claim(request, claim_id: int, payload: SubmitIn):
    """Submit an own draft, or resubmit after supplementing what the reviewer asked for."""
    services.submit_claim(actor=services.WorkerActor(request.auth.pk), claim=_own(request, claim_id),
                          comment=payload.comment)
    return _own(request, claim_id)

