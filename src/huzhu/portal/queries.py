"""Public reads for the portal: nothing here is scoped, because nothing here is private."""
from django.db.models import QuerySet

from huzhu.regions.models import AgencyPoint, Division
from huzhu.regions.queries import agency_points_with_region, counties, leagues


def agency_point_choices(league_code: str = "") -> tuple[QuerySet[Division], QuerySet[Division]]:
    """The leagues, and the counties of the chosen league (every county when none is chosen)."""
    return leagues(), counties(league_code or None).select_related("parent")


def agency_points_near(*, league_code: str = "", county_code: str = "") -> QuerySet[AgencyPoint]:
    """The agency point of a county, or every agency point of a league; nothing when neither is chosen."""
    points = agency_points_with_region()
    if county_code:
        return points.filter(county_id=county_code)
    if league_code:
        return points.filter(county__parent_id=league_code)
    return points.none()
