"""JSON API for units and workers: staff API token or browser session (security.auth.staff_auth)."""
from datetime import date

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from huzhu.regions.queries import scope_of
from huzhu.security.auth import staff_auth

from . import queries

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
@paginate(PageNumberPagination, page_size=50)
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
@paginate(PageNumberPagination, page_size=50)
def list_workers(request, q: str = "", county: str = "", unit: int | None = None):
    """Workers in the caller's scope by name, ID number (full, masked or last 4) or phone."""
    return queries.search_workers(scope_of(request.user), text=q, unit_id=unit, county_code=county)


@router.get("/workers/{worker_id}", response=WorkerOut)
def get_worker(request, worker_id: int):
    """One worker (ID number masked); 404 outside the caller's scope."""
    worker = queries.workers_in_scope(scope_of(request.user)).filter(pk=worker_id).first()
    if worker is None:
        raise Http404
    return worker
