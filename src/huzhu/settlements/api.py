"""JSON API of the settlement feed (association staff): upload a file as an import job, poll it, read its errors."""
from datetime import datetime

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from huzhu.core.api_schemas import BackgroundJobOut
from huzhu.core.errors import PermissionDenied
from huzhu.core.jobs import enqueue
from huzhu.core.pagination import Pages
from huzhu.regions.queries import scope_of
from huzhu.security.auth import staff_auth

from . import queries, services
from .tasks import run_settlement_import_task

router = Router(tags=["settlements"], auth=staff_auth)


class SettlementImportOut(BackgroundJobOut):
    """A settlement import: poll until `running` is false; the counts are the outcomes of its rows."""

    id: int
    agreement_id: int
    file_name: str
    source: str
    mode: str
    percent: int
    total: int
    done: int
    matched_through: int
    error_count: int
    duplicate_count: int
    matched_count: int
    unmatched_count: int
    ambiguous_count: int
    not_consented_count: int
    no_coverage_count: int
    outside_count: int
    reversal_count: int
    refused_count: int
    claims_created: int
    message: str
    created_at: datetime


class SettlementErrorOut(Schema):
    row: int
    serial: str
    id_number_masked: str
    field: str
    reason: str

    @staticmethod
    def resolve_row(row) -> int:
        return row.row_no

    @staticmethod
    def resolve_id_number_masked(row) -> str:
        return row.id_masked

    @staticmethod
    def resolve_field(row) -> str:
        return row.error_field

    @staticmethod
    def resolve_reason(row) -> str:
        return row.error_reason


def _scope(request):
    scope = scope_of(request.user)
    if not queries.may_read(scope):
        raise PermissionDenied(_("您的角色无权访问医保结算数据"))
    return scope


@router.post("/imports", response={202: SettlementImportOut})
def import_settlements(request, file: File[UploadedFile], agreement: Form[int | None] = None,
                       mode: Form[str] = "valid"):
    """Upload a settlement file (CSV/XLSX with the contract's header); it is imported in the background."""
    _scope(request)
    job = services.create_settlement_import(actor=request.user, file_name=file.name or "", upload=file,
                                            agreement_id=agreement, mode=mode, source="api")
    enqueue(run_settlement_import_task, job.pk, request.user.pk)
    return Status(202, job)


@router.get("/imports/{import_id}", response=SettlementImportOut)
def get_settlement_import(request, import_id: int):
    """A settlement import's progress and outcome counts."""
    return queries.import_for(_scope(request), import_id)


@router.get("/imports/{import_id}/errors", response=list[SettlementErrorOut])
@paginate(Pages)
def list_settlement_errors(request, import_id: int):
    """The file's bad rows: row number, serial, field and reason (no full ID number), in file order."""
    return queries.error_rows(queries.import_for(_scope(request), import_id))
