"""Demo enrollments: most units enroll their workers for 2026, paid before the period starts."""
import random
from datetime import date

from huzhu.enrollment.services import enroll_and_pay
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear

PAID_ON = date(2025, 11, 15)  # for 2026; other years pay on the same day of their enrollment window
HOSPITALIZATION_RATE = 0.92  # share of units that enroll (DOMAIN: ~1.1M of the workforce a year)
WOMEN_HEALTH_RATE = 0.6


def enroll_demo_units(*, seed: int, year: int = 2026, chunk: int = 500) -> int:
    """Enroll and pay for a deterministic share of units in both plans; returns person-times covered."""
    rng = random.Random(seed * 7919 + year)
    hospitalization = PlanYear.objects.get(plan_id="hospitalization", year=year)
    women = PlanYear.objects.get(plan_id="women_health", year=year)
    covered = 0
    unit_ids = list(MemberUnit.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(unit_ids), chunk):
        units = MemberUnit.objects.in_bulk(unit_ids[start:start + chunk])
        workers: dict[int, list[tuple[int, str]]] = {}
        for pk, unit_id, gender in (Worker.objects.filter(unit_id__in=units).order_by("pk")
                                    .values_list("pk", "unit_id", "gender")):
            workers.setdefault(unit_id, []).append((pk, gender))
        hosp_batches, women_batches = [], []
        for unit_id in sorted(units):
            people = workers.get(unit_id, [])
            if rng.random() < HOSPITALIZATION_RATE:
                hosp_batches.append((units[unit_id], [pk for pk, _ in people]))
            if rng.random() < WOMEN_HEALTH_RATE:
                women_batches.append((units[unit_id], [pk for pk, g in people if g == "F"]))
        paid_on = PAID_ON.replace(year=year - 1)
        covered += enroll_and_pay(actor=None, plan_year=hospitalization, batches=hosp_batches, paid_on=paid_on,
                                  leave_out_below_threshold=True).covered
        covered += enroll_and_pay(actor=None, plan_year=women, batches=women_batches, paid_on=paid_on,
                                  leave_out_below_threshold=True).covered
    return covered
