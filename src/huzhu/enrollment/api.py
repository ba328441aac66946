"""JSON API for enrollment.

Staff and unit contacts (`router`, staff_auth): enrollments of a plan year — start (or renew),
add and remove workers, submit, record the payment (county clerks), and roster files imported as
jobs whose progress the caller polls. Workers (`me_router`, worker_auth): `GET /me/coverage`.
"""
from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from huzhu.core.api_schemas import BackgroundJobOut
from huzhu.core.errors import NotFound, PermissionDenied
from huzhu.core.jobs import enqueue
from huzhu.core.money import format_yuan
from huzhu.core.pagination import Pages
from huzhu.core.params import ApiId
from huzhu.members.queries import unit_for
from huzhu.regions.queries import scope_of
from huzhu.security.auth import staff_auth, worker_auth

from . import queries, services
from .models import Coverage
from .queries import imports as import_queries
from .tasks import commit_import_task, validate_import_task
from .views import PAY_ROLES, WRITE_ROLES

router = Router(tags=["enrollment"], auth=staff_auth)
me_router = Router(tags=["me"], auth=worker_auth)


def _money(value) -> str:
    return format_yuan(value)


class PlanYearOut(Schema):
    id: int
    plan: str
    plan_name: str
    year: int
    status: str

    @staticmethod
    def resolve_plan(plan_year) -> str:
        return plan_year.plan_id

    @staticmethod
    def resolve_plan_name(plan_year) -> str:
        return plan_year.plan.name


class EnrollmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    plan_year_id: int
    plan: str
    year: int
    kind: str
    is_renewal: bool
    status: str
    status_label: str
    headcount: int
    contribution_amount: str
    subsidy_amount: str
    due_amount: str
    paid_amount: str
    paid_on: date | None
    bank_reference: str
    created_at: datetime

    @staticmethod
    def resolve_unit_name(enrollment) -> str:
        return enrollment.unit.name

    @staticmethod
    def resolve_plan(enrollment) -> str:
        return enrollment.plan_year.plan_id

    @staticmethod
    def resolve_year(enrollment) -> int:
        return enrollment.plan_year.year

    @staticmethod
    def resolve_status_label(enrollment) -> str:
        return enrollment.get_status_display()

    @staticmethod
    def resolve_contribution_amount(enrollment) -> str:
        return _money(enrollment.contribution_amount)

    @staticmethod
    def resolve_subsidy_amount(enrollment) -> str:
        return _money(enrollment.subsidy_amount)

    @staticmethod
    def resolve_due_amount(enrollment) -> str:
        return _money(enrollment.due_amount)

    @staticmethod
    def resolve_paid_amount(enrollment) -> str:
        return _money(enrollment.paid_amount)


class CoverageOut(Schema):
    """A coverage (保障凭证): who, which plan year, valid when, its certificate number."""

    id: int
    worker_id: int
    worker_name: str
    id_number_masked: str
    plan: str
    plan_name: str
    year: int
    unit_name: str
    status: str
    status_label: str
    certificate_no: str | None
    starts_on: date | None
    ends_on: date | None
    consecutive_years: int

    @staticmethod
    def resolve_worker_name(coverage) -> str:
        return coverage.worker.name

    @staticmethod
    def resolve_id_number_masked(coverage) -> str:
        return coverage.worker.id_number_masked

    @staticmethod
    def resolve_plan(coverage) -> str:
        return coverage.plan_year.plan_id

    @staticmethod
    def resolve_plan_name(coverage) -> str:
        return coverage.plan_year.plan.name

    @staticmethod
    def resolve_year(coverage) -> int:
        return coverage.plan_year.year

    @staticmethod
    def resolve_unit_name(coverage) -> str:
        return coverage.unit.name

    @staticmethod
    def resolve_status_label(coverage) -> str:
        return coverage.get_status_display()


class OwnCoverageOut(CoverageOut):
    """A worker's own coverage; `status` is its standing today (enrollment.rules.coverage_standing)."""

    @staticmethod
    def resolve_status(coverage) -> str:
        return coverage.standing

    @staticmethod
    def resolve_status_label(coverage) -> str:
        return str(Coverage.Standing(coverage.standing).label)


class ImportJobOut(BackgroundJobOut):
    """A roster import's progress: poll it until `status` is validated (then commit) or done/failed."""

    id: int
    enrollment_id: int
    file_name: str
    policy: str
    total: int
    done: int
    percent: int
    valid_count: int
    error_count: int
    imported_count: int
    new_worker_count: int
    message: str


class RowErrorOut(Schema):
    row: int
    field: str
    reason: str
    name: str
    id_number_masked: str

    @staticmethod
    def resolve_row(row) -> int:
        return row.row_no

    @staticmethod
    def resolve_field(row) -> str:
        return row.error_field

    @staticmethod
    def resolve_reason(row) -> str:
        return row.error


class StartIn(Schema):
    unit_id: int
    plan_year_id: int
    renew: bool = False


class WorkersIn(Schema):
    worker_ids: list[ApiId]


class PaymentIn(Schema):
    amount: str
    paid_on: date
    bank_reference: str


class CommitIn(Schema):
    policy: str  # "all": only when every row is valid; "valid_only": the valid rows


def _scope(request, roles=None):
    scope = scope_of(request.user)
    if roles is not None and scope.role not in roles:
        raise PermissionDenied()
    return scope


@router.get("/plan-years", response=list[PlanYearOut])
@paginate(Pages)
def list_open_plan_years(request):
    """Plan years open for enrollment."""
    return queries.open_plan_years_for_enrollment().order_by("plan_id", "year")


@router.get("/enrollments", response=list[EnrollmentOut])
@paginate(Pages)
def list_enrollments(request, status: str = "", unit: ApiId | None = None):
    """Enrollments in the caller's scope, newest first."""
    qs = queries.enrollments_in_scope(_scope(request))
    if status:
        qs = qs.filter(status=status)
    return qs.filter(unit_id=unit) if unit else qs


@router.post("/enrollments", response={201: EnrollmentOut})
def start_enrollment(request, payload: StartIn):
    """Open a draft enrollment for a unit in scope (annual, mid-year, or `renew` from last year's list)."""
    scope = _scope(request, WRITE_ROLES)
    unit = unit_for(scope, payload.unit_id)
    plan_year = queries.open_plan_years_for_enrollment().filter(pk=payload.plan_year_id).first()
    if plan_year is None:
        raise NotFound(_("该年度方案不存在或未开放参互"))
    start = services.renew_enrollment if payload.renew else services.start_enrollment
    enrollment = start(actor=request.user, unit=unit, plan_year=plan_year)
    return Status(201, queries.enrollment_for(scope, enrollment.pk))


@router.get("/enrollments/{enrollment_id}", response=EnrollmentOut)
def get_enrollment(request, enrollment_id: int):
    """One enrollment in scope with its headcount and amounts."""
    return queries.enrollment_for(_scope(request), enrollment_id)


@router.get("/enrollments/{enrollment_id}/coverages", response=list[CoverageOut])
@paginate(Pages)
def list_enrollment_coverages(request, enrollment_id: int):
    """The workers an enrollment covers (ID numbers masked)."""
    enrollment = queries.enrollment_for(_scope(request), enrollment_id)
    return queries.coverages_of(enrollment).select_related("plan_year__plan", "unit")


def _act(request, enrollment_id: int, action, roles=WRITE_ROLES):
    scope = _scope(request, roles)
    enrollment = queries.enrollment_for(scope, enrollment_id)
    action(scope, enrollment)
    return queries.enrollment_for(scope, enrollment_id)


@router.post("/enrollments/{enrollment_id}/workers", response=EnrollmentOut)
def add_workers(request, enrollment_id: int, payload: WorkersIn):
    """Add workers of the unit's roster to a draft; refused naming who cannot join and why."""
    return _act(request, enrollment_id, lambda scope, e: services.add_workers(
        actor=request.user, enrollment=e, worker_ids=payload.worker_ids))


@router.post("/enrollments/{enrollment_id}/workers/remove", response=EnrollmentOut)
def remove_workers(request, enrollment_id: int, payload: WorkersIn):
    """Take workers out of a draft."""
    return _act(request, enrollment_id, lambda scope, e: services.remove_workers(
        actor=request.user, enrollment=e, worker_ids=payload.worker_ids))


@router.post("/enrollments/{enrollment_id}/submit", response=EnrollmentOut)
def submit_enrollment(request, enrollment_id: int):
    """Submit a draft for payment (the annual enrollment must meet the participation threshold)."""
    return _act(request, enrollment_id, lambda scope, e: services.submit_enrollment(
        actor=request.user, enrollment=e))


@router.post("/enrollments/{enrollment_id}/payment", response=EnrollmentOut)
def record_payment(request, enrollment_id: int, payload: PaymentIn):
    """County clerks: record the unit's payment; coverages start and get their certificate numbers."""
    return _act(request, enrollment_id, lambda scope, e: services.record_payment(
        actor=request.user, enrollment=e, amount=payload.amount, paid_on=payload.paid_on,
        bank_reference=payload.bank_reference), roles=PAY_ROLES)


@router.post("/enrollments/{enrollment_id}/imports", response={202: ImportJobOut})
def import_roster(request, enrollment_id: int, file: File[UploadedFile]):
    """Upload a roster file (xlsx/csv) for a draft: it is validated in the background; poll the job."""
    scope = _scope(request, WRITE_ROLES)
    enrollment = queries.enrollment_for(scope, enrollment_id)
    job = services.create_import_job(actor=request.user, enrollment=enrollment,
                                     file_name=file.name or "", upload=file)
    enqueue(validate_import_task, job.pk)
    return Status(202, job)


@router.get("/imports/{job_id}", response=ImportJobOut)
def get_import_job(request, job_id: int):
    """A roster import's progress and counts."""
    return import_queries.import_job_for(_scope(request), job_id)


@router.get("/imports/{job_id}/errors", response=list[RowErrorOut])
@paginate(Pages)
def list_import_errors(request, job_id: int):
    """The file's bad rows: row number, field and reason, in file order."""
    return import_queries.import_error_rows(import_queries.import_job_for(_scope(request), job_id))


@router.post("/imports/{job_id}/commit", response={202: ImportJobOut})
def commit_import(request, job_id: int, payload: CommitIn):
    """Import a validated job's rows (all, or the valid ones) in one transaction, in the background."""
    scope = _scope(request, WRITE_ROLES)
    job = import_queries.import_job_for(scope, job_id)
    services.check_import_commit(job=job, policy=payload.policy)
    enqueue(commit_import_task, job.pk, payload.policy, request.user.pk)
    return Status(202, job)


@router.post("/imports/{job_id}/discard", response=ImportJobOut)
def discard_import(request, job_id: int):
    """Drop a job that is not imported: nothing reaches the enrollment."""
    scope = _scope(request, WRITE_ROLES)
    return services.discard_import(actor=request.user, job=import_queries.import_job_for(scope, job_id))


@me_router.get("/coverage", response=list[OwnCoverageOut])
@paginate(Pages)
def my_coverage(request):
    """The signed-in worker's coverages: plans, validity dates and certificate numbers, newest year first.

    `status` is where each stands today, as /me/ shows it (active, expired, not_started, pending):
    last year's paid coverage reads "expired", not "active".
    """
    coverages = []
    for own in queries.own_coverages(request.auth.pk):
        own.coverage.standing = own.standing  # read by OwnCoverageOut, like an annotation
        coverages.append(own.coverage)
    return coverages

