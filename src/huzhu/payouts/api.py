"""JSON API for payout batches: list, totals, build, approve, mark sent (staff token or session).

Bank files and return files are handled on the pages (they carry clear account numbers).
"""
from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from huzhu.core.money import format_yuan
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role
from huzhu.security.auth import staff_auth

from . import queries, rules, services

router = Router(tags=["payouts"], auth=staff_auth)
READERS = {Role.ASSOCIATION, Role.AUDITOR}


def _scope(request, roles=READERS):
    scope = scope_of(request.user)
    if scope.role not in roles:
        raise HttpError(403, "forbidden")
    return scope


class BatchOut(Schema):
    id: int
    number: str
    status: str
    filters: dict
    payout_count: int
    total: str
    paid_count: int
    paid: str
    failed_count: int
    failed: str
    created_by: str
    approved_by: str | None
    created_at: datetime
    sent_on: date | None

    @staticmethod
    def resolve_total(batch) -> str:
        return format_yuan(batch.total_amount)

    @staticmethod
    def resolve_paid(batch) -> str:
        return format_yuan(batch.paid_amount)

    @staticmethod
    def resolve_failed(batch) -> str:
        return format_yuan(batch.failed_amount)

    @staticmethod
    def resolve_created_by(batch) -> str:
        return batch.created_by.username

    @staticmethod
    def resolve_approved_by(batch) -> str | None:
        return batch.approved_by.username if batch.approved_by else None


class GroupOut(Schema):
    label: str
    count: int
    amount: str


class BatchDetailOut(BatchOut):
    by_plan: list[GroupOut]
    by_league: list[GroupOut]


class BatchIn(Schema):
    plan: str = ""
    league: str = ""
    county: str = ""
    approved_from: date | None = None
    approved_to: date | None = None


class SentIn(Schema):
    sent_on: date


def _groups(groups) -> list[dict]:
    return [{"label": g.label, "count": g.count, "amount": format_yuan(g.amount)} for g in groups]


def _detail(scope, pk: int):
    batch = queries.batch_for(scope, pk)
    breakdown = queries.batch_breakdown(batch)
    batch.by_plan, batch.by_league = _groups(breakdown["plan"]), _groups(breakdown["league"])
    return batch


@router.get("/batches", response=list[BatchOut])
@paginate(PageNumberPagination, page_size=50)
def list_batches(request, status: str = ""):
    """Payout batches, newest first, optionally of one status."""
    batches = queries.batches(_scope(request))
    return batches.filter(status=status) if status else batches


@router.get("/batches/{batch_id}", response=BatchDetailOut)
def get_batch(request, batch_id: int):
    """One batch with its totals per plan and per league."""
    return _detail(_scope(request), batch_id)


@router.post("/batches", response={201: BatchDetailOut})
def build_batch(request, payload: BatchIn):
    """Build a draft batch from the approved unpaid claims matching the filters."""
    scope = _scope(request, {Role.ASSOCIATION})
    batch = services.build_batch(actor=request.user, scope=scope, filters=rules.BatchFilters(**payload.dict()))
    return Status(201, _detail(scope, batch.pk))


@router.post("/batches/{batch_id}/approve", response=BatchDetailOut)
def approve_batch(request, batch_id: int):
    """The checker (not the maker) approves a draft batch."""
    scope = _scope(request, {Role.ASSOCIATION})
    services.approve_batch(actor=request.user, batch=queries.batch_for(scope, batch_id))
    return _detail(scope, batch_id)


@router.post("/batches/{batch_id}/sent", response=BatchDetailOut)
def mark_sent(request, batch_id: int, payload: SentIn):
    """Record that the exported bank file went to the bank on `sent_on`."""
    scope = _scope(request, {Role.ASSOCIATION})
    services.mark_batch_sent(actor=request.user, batch=queries.batch_for(scope, batch_id), sent_on=payload.sent_on)
    return _detail(scope, batch_id)
