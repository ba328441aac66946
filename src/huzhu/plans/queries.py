"""Reads of plans and terms."""
from django.db.models import QuerySet

from huzhu.core.errors import ValidationFailed

from .models import Plan, PlanYear
from .terms import PlanYearTerms


def open_plan_years() -> QuerySet[PlanYear]:
    """Plan years that are open, with their plan and current terms."""
    return PlanYear.objects.filter(status=PlanYear.Status.OPEN).select_related("plan", "current_version")


def plan_year(plan_code: str, year: int) -> PlanYear | None:
    """One plan year with its current terms, or None."""
    return (PlanYear.objects.select_related("plan", "current_version")
            .filter(plan_id=plan_code, year=year, current_version__isnull=False).first())


def current_terms(plan_code: str, year: int) -> PlanYearTerms:
    """The plan year's current terms; ValidationFailed naming `plan` or `year` when there are none."""
    found = plan_year(plan_code, year)
    if found is None:
        if not Plan.objects.filter(code=plan_code).exists():
            raise ValidationFailed("unknown_plan", f"plan：没有项目 {plan_code}", field="plan")
        raise ValidationFailed("unknown_plan_year", f"year：项目 {plan_code} 没有 {year} 年度方案", field="year")
    return found.terms
