"""Demo data: close the books of the demo's past plan years (the real year close, reserve included)."""
from datetime import date

from huzhu.plans.models import PlanYear

from . import rules, services


def close_demo_years(*, years: list[int], today: date, actor=None) -> list[str]:
    """Close every plan year of `years` whose protection period has ended; the names of those closed."""
    closed = []
    for plan_year in (PlanYear.objects.filter(year__in=years, current_version__isnull=False)
                      .select_related("plan", "current_version").order_by("year", "plan_id")):
        if rules.period_has_ended(plan_year.terms.protection_end_on, today):
            services.close_plan_year(actor=actor, plan_year=plan_year, posted_on=today)
            closed.append(str(plan_year))
    return closed
