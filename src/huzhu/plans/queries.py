"""Reads of plans and terms."""
from django.db.models import QuerySet

from .models import PlanYear


def open_plan_years() -> QuerySet[PlanYear]:
    """Plan years that are open, with their plan and current terms."""
    return PlanYear.objects.filter(status=PlanYear.Status.OPEN).select_related("plan", "current_version")


def plan_year(plan_code: str, year: int) -> PlanYear | None:
    """One plan year with its current terms, or None."""
    return (PlanYear.objects.select_related("plan", "current_version")
            .filter(plan_id=plan_code, year=year, current_version__isnull=False).first())
