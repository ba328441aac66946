"""Reads of regions and the actor's scope."""
from django.db.models import QuerySet

from huzhu.core.actors import SystemActor, WorkerActor
from huzhu.core.scopes import NO_SCOPE, Level, Scope

from .models import ADMINISTRATOR_ROLES, AgencyPoint, Division, Office, Role, StaffProfile


def scope_of(user) -> Scope:
    """The region scope of an actor: the one place it is derived (services call it on their `actor=`).

    A staff user's comes from their staff profile; the system actor carries its own; a worker acting
    on her own record has no region (her services check that the record is hers).
    The three administrators (三员) get no region at all: their role opens their own pages, and
    every business query filtered by their scope is empty. The break-glass superuser without a
    profile is treated as the system administrator, never as a business role.
    """
    if isinstance(user, SystemActor):
        return user.scope
    if isinstance(user, WorkerActor):
        return Scope("none", role="worker")
    if user is None or not user.is_authenticated:
        return NO_SCOPE
    profile: StaffProfile | None = getattr(user, "staff", None)
    if profile is None:
        return Scope("none", role=Role.ADMIN) if user.is_superuser else NO_SCOPE
    if profile.role in ADMINISTRATOR_ROLES:
        return Scope("none", role=profile.role)
    if profile.role == Role.UNIT:
        return Scope("unit", str(profile.unit_id), role=profile.role) if profile.unit_id else NO_SCOPE
    if profile.division_id is None:
        return Scope("province", role=profile.role)
    level: Level = "league" if profile.division_id.endswith("00") else "county"
    return Scope(level, profile.division_id, role=profile.role)


def leagues() -> QuerySet[Division]:
    """The league-level divisions, in code order."""
    return Division.objects.filter(level=Division.Level.LEAGUE)


def counties(league_code: str | None = None) -> QuerySet[Division]:
    """County-level divisions, optionally of one league."""
    qs = Division.objects.filter(level=Division.Level.COUNTY)
    return qs.filter(parent_id=league_code) if league_code else qs


def counties_in_scope(scope: Scope) -> QuerySet[Division]:
    """The counties an actor may filter by: all, their league's, their own; none for a unit contact."""
    if scope.is_unit:
        return Division.objects.none()
    return scope.filter(counties(), league="parent_id", county="code")


def agency_points_with_region() -> QuerySet[AgencyPoint]:
    """Every agency point with its county and office, for the public 'nearest agency point' list."""
    return AgencyPoint.objects.select_related("county", "office", "office__league").order_by("county_id")


def regions_to_choose(scope: Scope) -> list[tuple[str, str, str]]:
    """(code, name, level) of the regions a province or league actor may pick on a dashboard; none below."""
    if scope.is_province:
        return list(Division.objects.filter(level__in=["league", "county"]).values_list("code", "name", "level"))
    if scope.is_league:
        return [(scope.code, Division.objects.get(code=scope.code).name, "league"), *(
            Division.objects.filter(parent_id=scope.code).values_list("code", "name", "level"))]
    return []


def offices() -> QuerySet[Office]:
    """Every office (办事处), in league order."""
    return Office.objects.order_by("league_id")


def agency_points() -> QuerySet[AgencyPoint]:
    """Every agency point (代办点), in county order."""
    return AgencyPoint.objects.order_by("county_id")


def staff_emails(*, roles, division_code: str | None) -> list[str]:
    """The email addresses of the active staff of these roles at a division (None: the province's), by username."""
    return list(StaffProfile.objects.filter(role__in=list(roles), division_id=division_code, user__is_active=True)
                .exclude(user__email="").order_by("user__username").values_list("user__email", flat=True))
