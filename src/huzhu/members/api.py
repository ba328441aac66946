"""JSON API for units and workers: staff API token or browser session (security.auth.staff_auth)."""
from datetime import date
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from huzhu.core.errors import PermissionDenied
from huzhu.core.pagination import Pages
from huzhu.core.params import ApiId
from huzhu.regions.queries import scope_of
from huzhu.security.auth import staff_auth
from huzhu.security.services import record_personal_data_view

from . import queries, services
from .views import REGISTRARS

router = Router(tags=["members"], auth=staff_auth)


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
