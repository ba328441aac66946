"""Consecutive years kept equal to the enrollment history, and stale figures brought back in line."""
from datetime import date

from huzhu.enrollment import services
from huzhu.enrollment.models import Coverage
from huzhu.enrollment.services.history import recompute_all_consecutive_years
from huzhu.plans.models import PlanYear

from .conftest import staff_unit


def test_recomputing_all_years_repairs_stale_figures_and_keeps_a_gap_a_new_start(plan_years):
    unit, (steady, gap) = staff_unit(2)
    for year, paid_on, who in ((2025, date(2024, 11, 1), [steady, gap]), (2026, date(2025, 11, 1), [steady]),
                               (2027, date(2026, 11, 1), [steady, gap])):
        services.enroll_and_pay(actor=None, check_participation=False, plan_year=plan_years[("hospitalization", year)],
                                batches=[(unit, [w.pk for w in who])], paid_on=paid_on)
    Coverage.objects.update(consecutive_years=1)  # as rows stored before the rule was kept up to date
    changed = recompute_all_consecutive_years(PlanYear.objects.values_list("pk", "plan_id", "year"))
    years = {(c.worker_id, c.plan_year.year): c.consecutive_years for c in Coverage.objects.select_related("plan_year")}
    assert years == {(steady.pk, 2025): 1, (steady.pk, 2026): 2, (steady.pk, 2027): 3,
                     (gap.pk, 2025): 1, (gap.pk, 2027): 1}
    assert changed == 2
