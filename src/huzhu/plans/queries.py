"""Reads of plans and terms."""
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from huzhu.core.errors import ValidationFailed

from .models import Plan, PlanYear, TermsVersion
from .terms import PlanYearTerms

PUBLISHED = (PlanYear.Status.OPEN, PlanYear.Status.CLOSED)


def open_plan_years() -> QuerySet[PlanYear]:
    """Plan years that are open, with their plan and current terms."""
    return PlanYear.objects.filter(status=PlanYear.Status.OPEN).select_related("plan", "current_version")


def plan_years_with_terms() -> QuerySet[PlanYear]:
    """Every plan year that has terms (open or closed), newest first: the choices of a list's year filter."""
    return PlanYear.objects.filter(current_version__isnull=False).select_related("plan").order_by("-year", "plan_id")


def plan_year(plan_code: str, year: int) -> PlanYear | None:
    """One plan year with its current terms, or None."""
    return (PlanYear.objects.select_related("plan", "current_version")
            .filter(plan_id=plan_code, year=year, current_version__isnull=False).first())


def plans_with_years() -> QuerySet[Plan]:
    """Every plan with all its years (any status) and their current versions, for configuration."""
    years = PlanYear.objects.select_related("current_version", "current_version__created_by").order_by("-year")
    return Plan.objects.prefetch_related(Prefetch("years", queryset=years)).order_by("code")


def any_plan_year(plan_code: str, year: int) -> PlanYear | None:
    """One plan year in any status (drafts too), or None."""
    return PlanYear.objects.select_related("plan", "current_version").filter(plan_id=plan_code, year=year).first()


def versions_of(plan_year: PlanYear) -> QuerySet[TermsVersion]:
    """A plan year's terms versions, newest first, with who published them."""
    return plan_year.versions.select_related("created_by").order_by("-number")


def published_plans() -> QuerySet[Plan]:
    """Plans with their open and closed years (never drafts), newest year first, for the public."""
    years = (PlanYear.objects.filter(status__in=PUBLISHED, current_version__isnull=False)
             .select_related("current_version").order_by("-year"))
    return (Plan.objects.filter(years__status__in=PUBLISHED).distinct()
            .prefetch_related(Prefetch("years", queryset=years, to_attr="published_years")).order_by("code"))


def published_plan_year(plan_code: str, year: int) -> PlanYear | None:
    """An open or closed plan year with its current terms, or None (drafts are not public)."""
    return (PlanYear.objects.select_related("plan", "current_version")
            .filter(plan_id=plan_code, year=year, status__in=PUBLISHED, current_version__isnull=False).first())


def current_terms(plan_code: str, year: int) -> PlanYearTerms:
    """The plan year's current terms; ValidationFailed naming `plan` or `year` when there are none."""
    found = plan_year(plan_code, year)
    if found is None:
        if not Plan.objects.filter(code=plan_code).exists():
            raise ValidationFailed("unknown_plan", _("plan：没有项目 %(plan)s") % {"plan": plan_code}, field="plan")
        raise ValidationFailed("unknown_plan_year", _("year：项目 %(plan)s 没有 %(year)s 年度方案") % {
            "plan": plan_code, "year": year}, field="year")
    return found.terms


def plan_choices() -> list[tuple[str, str]]:
    """(code, name) of every plan, for filter lists."""
    return list(Plan.objects.order_by("code").values_list("code", "name"))
