"""Set-based aggregates of the enrollment and claims tables, at the grain of the summary tables.

`services.refresh_summaries` stores them per plan year; a unit's own dashboard runs them live
for its one unit (a few hundred rows at most). Each returns plain dicts keyed like the summary
models' fields, so both paths feed the same arithmetic in `queries`.
"""
from collections.abc import Sequence

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from huzhu.claims import queries as claim_queries
from huzhu.claims.workflow import DECIDED_STATUSES, Status
from huzhu.enrollment import queries as enrollment_queries
from huzhu.members.models import MemberUnit

S = Status
# Review steps: the status a claim waits in, and the name of the step on the dashboards.
STEPS = {S.FIRST_REVIEW: "first_review", S.SECOND_REVIEW: "second_review", S.EXPERT_REVIEW: "expert_review",
         S.APPROVAL: "approval", S.APPROVED: "payment"}


def renamed(rows) -> list[dict]:
    """Rows with the `total_` prefix dropped (an annotation may not reuse a field's name)."""
    return [{k.removeprefix("total_"): v for k, v in row.items()} for row in rows]


def unit_year_rows(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> list[dict]:
    """Per plan year and unit: covered, eligible headcount, contributions, claims and benefits."""
    rows: dict[tuple[int, int], dict] = {}
    coverages = (enrollment_queries.active_coverages_of_years(plan_year_ids, unit_id=unit_id)
                 .values("plan_year_id", "unit_id", "league_id", "county_id", "plan_year__plan_id")
                 .annotate(covered=Count("id"), total_contribution_amount=Sum("contribution_amount"),
                           total_subsidy_amount=Sum("subsidy_amount")))
    for row in renamed(coverages):
        plan = row.pop("plan_year__plan_id")
        rows[row["plan_year_id"], row["unit_id"]] = {**row, "plan": plan, "eligible": 0, "claims": 0, "decided": 0,
                                                     "beneficiaries": 0, "benefit_amount": 0, "paid_amount": 0}
    decided = Q(status__in=DECIDED_STATUSES)
    claims = (claim_queries.claims_past_draft_of_years(plan_year_ids, unit_id=unit_id)
              .values("plan_year_id", "unit_id", "league_id", "county_id", "plan_year__plan_id")
              .annotate(claims=Count("id"), decided=Count("id", filter=decided),
                        beneficiaries=Count("id", filter=decided & Q(benefit_amount__gt=0)),
                        total_benefit_amount=Sum("benefit_amount", filter=decided),
                        paid_amount=Sum("benefit_amount", filter=Q(status=S.PAID))))
    for row in renamed(claims):
        plan = row.pop("plan_year__plan_id")
        key = row["plan_year_id"], row["unit_id"]
        target = rows.setdefault(key, {**row, "plan": plan, "covered": 0, "eligible": 0, "contribution_amount": 0,
                                       "subsidy_amount": 0})
        for name in ("claims", "decided", "beneficiaries", "benefit_amount", "paid_amount"):
            target[name] = row[name] or 0
    # DOMAIN: participation = enrolled / eligible headcount (the women's plan counts the unit's female staff)
    unit_ids = sorted({unit for _, unit in rows})
    heads = {}
    for start in range(0, len(unit_ids), 5000):
        heads.update({pk: (eligible, female) for pk, eligible, female in MemberUnit.objects.filter(
            pk__in=unit_ids[start:start + 5000]).values_list("pk", "eligible_headcount", "female_headcount")})
    for (_, unit), row in rows.items():
        eligible, female = heads.get(unit, (0, 0))
        row["eligible"] = female if row["plan"] == "women_health" else eligible
    return list(rows.values())


def claim_rows(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> list[dict]:
    """Claims by plan year, county, type, status, tier and straight-through: count and benefit."""
    return renamed(claim_queries.claims_past_draft_of_years(plan_year_ids, unit_id=unit_id)
                    .values("plan_year_id", "league_id", "county_id", "claim_type", "status", "tier",
                            "straight_through")
                    .annotate(claims=Count("id"), total_benefit_amount=Sum("benefit_amount")))


def diagnosis_rows(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> list[dict]:
    """Approved claims by plan year, county and ICD-10 category."""
    return renamed(claim_queries.decided_claims_of_years(plan_year_ids, unit_id=unit_id).exclude(diagnosis_code="")
                    .annotate(category=Substr("diagnosis_code", 1, 3))
                    .values("plan_year_id", "league_id", "county_id", "category")
                    .annotate(claims=Count("id"), total_benefit_amount=Sum("benefit_amount")))


def review_step_rows(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> list[dict]:
    """Histogram of days spent at each review step, per plan year and county.

    A step lasts from the move into its status to the next move of the claim. Automatic
    (straight-through) decisions are left out of the review steps: they are counted as the
    straight-through share instead; the payment step counts every approved claim.
    """
    return [{"plan_year_id": py, "league_id": league, "county_id": county, "step": STEPS[status],
             "days": max(0, int(days)), "claims": count}
            for py, league, county, status, days, count in claim_queries.review_step_days(plan_year_ids, list(STEPS),
                                                                                           unit_id=unit_id)]


def overdue_claims(scope, plan_year_ids: Sequence[int], today) -> int:
    """Claims under review past their due date (the review clock ran out), counted live."""
    return claim_queries.overdue_claim_count(scope, plan_year_ids, today)
