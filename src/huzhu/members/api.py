"""JSON API for units and workers: staff API token or browser session (security.auth.staff_auth).

Workers (`me_router`, worker_auth, at /me/): their consent to medical-insurance data matching —
`GET /me/data-consent`, `POST /me/data-consent` (give), `POST /me/data-consent/withdraw`.
"""
from datetime import date, datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from huzhu.core.actors import WorkerActor
from huzhu.core.errors import PermissionDenied
from huzhu.core.pagination import Pages
from huzhu.core.params import ApiId
from huzhu.regions.queries import scope_of
from huzhu.security.auth import staff_auth, worker_auth
from huzhu.security.services import record_personal_data_view

from . import queries, services
from .views import REGISTRARS

router = Router(tags=["members"], auth=staff_auth)
me_router = Router(tags=["me"], auth=worker_auth)


class UnitOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    league: str
    county: str
    eligible_headcount: int
    female_headcount: int

    @staticmethod
    def resolve_league(unit) -> str:
        return unit.league_id

    @staticmethod
    def resolve_county(unit) -> str:
        return unit.county_id


class WorkerOut(Schema):
    id: int
    name: str
    id_number_masked: str
    gender: str
    birth_on: date
    kind: str
    unit_id: int | None
    county: str

    @staticmethod
    def resolve_county(worker) -> str:
        return worker.county_id


@router.get("/units", response=list[UnitOut])
@paginate(Pages)
def list_units(request, q: str = "", county: str = ""):
    """Member units in the caller's scope, searchable by name or credit code."""
    return queries.search_units(scope_of(request.user), text=q, county_code=county)


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request, unit_id: int):
    """One unit; 404 outside the caller's scope."""
    unit = queries.units_in_scope(scope_of(request.user)).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    return unit


@router.get("/workers", response=list[WorkerOut])
@paginate(Pages)
def list_workers(request, q: str = "", county: str = "", unit: ApiId | None = None):
    """Workers in the caller's scope by name, ID number (full, masked or last 4) or phone."""
    return queries.search_workers(scope_of(request.user), text=q, unit_id=unit, county_code=county)


class WorkerIn(Schema):
    """A worker joining a unit's roster (the ID number is checked, encrypted and never shown again in full)."""

    unit_id: int
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=30)
    phone: str = Field("", max_length=20)
    kind: Literal["employee", "gig"] = "employee"
    started_on: date | None = None
    ethnicity: str = Field("", max_length=10)


@router.get("/workers/{worker_id}", response=WorkerOut)
def get_worker(request, worker_id: int):
    """One worker (ID number masked); 404 outside the caller's scope. The view is logged (access log)."""
    worker = queries.workers_in_scope(scope_of(request.user)).filter(pk=worker_id).first()
    if worker is None:
        raise Http404
    record_personal_data_view(actor=request.user, worker=worker, view="api.members.get_worker", request=request)
    return worker


@router.post("/workers", response={201: WorkerOut})
def register_worker(request, payload: WorkerIn):
    """Add a worker to the roster of a unit in scope (unit contacts: their own unit)."""
    scope = scope_of(request.user)
    if scope.role not in REGISTRARS:
        raise PermissionDenied()
    unit = queries.unit_for(scope, payload.unit_id)
    worker = services.register_worker(actor=request.user, unit=unit,
                                      **payload.dict(exclude={"unit_id"}))
    return Status(201, worker)


class ConsentRecordOut(Schema):
    source: str
    given_at: datetime
    withdrawn_at: datetime | None
    withdrawn_source: str


class DataConsentOut(Schema):
    """Whether the worker consents now (and since when, through which door), and every earlier consent."""

    consenting: bool
    source: str | None
    given_at: datetime | None
    history: list[ConsentRecordOut]


def _consent_status(worker_id: int) -> dict:
    current = queries.data_consent_of(worker_id)
    return {"consenting": current is not None, "source": current.source if current else None,
            "given_at": current.given_at if current else None,
            "history": list(queries.data_consent_history(worker_id))}


@me_router.get("/data-consent", response=DataConsentOut)
def my_data_consent(request):
    """The signed-in worker's consent to having her medical-insurance settlements matched (免申即享).

    `source` is the door it came through: roster (her unit's roster), unit (the unit's declaration),
    worker (herself), desk (a paper form at the county desk).
    """
    return _consent_status(request.auth.pk)


@me_router.post("/data-consent", response=DataConsentOut)
def give_my_data_consent(request):
    """Consent (source worker); consenting again while a consent is open changes nothing. Audited."""
    services.give_data_consent(actor=WorkerActor(request.auth.pk), worker_ids=[request.auth.pk], source="worker")
    return _consent_status(request.auth.pk)


@me_router.post("/data-consent/withdraw", response=DataConsentOut)
def withdraw_my_data_consent(request):
    """Withdraw the open consent, whichever door gave it: from now on no settlement of hers is matched. Audited."""
    services.withdraw_data_consent(actor=WorkerActor(request.auth.pk), worker=request.auth, source="worker")
    return _consent_status(request.auth.pk)
