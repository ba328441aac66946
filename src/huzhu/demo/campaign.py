"""Demo campaign for the next plan year: most units renew on days spread over the window so far,
a few join, targets for some leagues, snapshots back to the window's start, some outreach."""
import random
from datetime import date, timedelta

from huzhu.campaign import queries, services
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.enrollment import queries as enrollment_queries
from huzhu.enrollment.services import enroll_and_pay
from huzhu.members.models import MemberUnit, Worker
from huzhu.plans.models import PlanYear
from huzhu.regions.models import Division

RENEWAL_RATE = 0.7  # by today; the rest are the follow-up list
NEW_RATE = 0.3      # of the units that did not enroll last year


def run_demo_campaign(*, seed: int, today: date, plan_code: str = "hospitalization") -> str:
    """Fill the campaign of the plan year whose window holds `today`; does nothing if it has enrollments."""
    plan_year = queries.plan_year_for(plan_code, None, today=today)
    if plan_year is None or enrollment_queries.has_enrollments(plan_year):
        return "参互推进演示数据已存在或没有处于参互期的年度方案，跳过。"
    previous = PlanYear.objects.get(plan_id=plan_code, year=plan_year.year - 1)
    window = queries.window_of(plan_year)
    last_day = min(today, window.closes_on)
    days = [window.opens_on + timedelta(days=n) for n in range((last_day - window.opens_on).days + 1)]
    rng = random.Random(seed * 104729 + plan_year.year)
    covered_before = set(enrollment_queries.paid_enrollments(previous).values_list("unit_id", flat=True))
    by_day: dict[date, list[int]] = {}
    for unit_id in MemberUnit.objects.order_by("pk").values_list("pk", flat=True):
        if rng.random() < (RENEWAL_RATE if unit_id in covered_before else NEW_RATE):
            by_day.setdefault(rng.choice(days), []).append(unit_id)
    workers: dict[int, list[int]] = {}
    for pk, unit_id in Worker.objects.filter(unit__isnull=False).order_by("pk").values_list("pk", "unit_id"):
        workers.setdefault(unit_id, []).append(pk)
    covered = 0
    for day in sorted(by_day):
        units = MemberUnit.objects.in_bulk(by_day[day])
        batches = [(units[u], workers.get(u, [])) for u in sorted(units) if workers.get(u)]
        covered += enroll_and_pay(actor=None, plan_year=plan_year, batches=batches, paid_on=day,
                                  leave_out_below_threshold=True).covered
    last = queries.last_year_figures(plan_year, list(Division.objects.filter(level="league").values_list("pk", flat=True)))
    services.set_targets(actor=SYSTEM_ACTOR, plan_year=plan_year, targets=[
        services.TargetInput(code, units + max(1, units // 20), people + max(5, people // 20))
        for code, (units, people) in sorted(last.items())[:6]])
    for day in days[:-1]:
        services.take_snapshot(actor=None, plan_year=plan_year, on=day)
    kinds = ["briefing", "training", "mine", "enterprise", "school", "community", "hotline"]
    leagues = list(Division.objects.filter(level="league").values_list("pk", flat=True))
    for n in range(40):
        league = rng.choice(leagues)
        reached = list(MemberUnit.objects.filter(league_id=league).order_by("?").values_list("pk", flat=True)[:5])
        services.record_outreach(actor=SYSTEM_ACTOR, held_on=rng.choice(days[:-1] or days),
                                 kind=rng.choice(kinds), place=f"演示活动地点{n + 1}",
                                 audience_size=rng.randint(20, 400), materials_count=rng.randint(0, 600),
                                 unit_ids=reached, league_code=league, today=today)
    return f"参互推进演示：{plan_year} 已参互 {covered:,} 人，{len(days) - 1} 天快照，40 场宣传活动"
