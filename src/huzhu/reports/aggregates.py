"""Set-based aggregates of the enrollment and claims tables, at the grain of the summary tables.

`services.refresh_summaries` stores them per plan year; a unit's own dashboard runs them live
for its one unit (a few hundred rows at most). Each returns plain dicts keyed like the summary
models' fields, so both paths feed the same arithmetic in `queries`.
"""
from collections.abc import Sequence

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from huzhu.claims.models import Claim, ClaimStatusChange
from huzhu.enrollment.models import Coverage
from huzhu.members.models import MemberUnit

S = Claim.Status
DECIDED = (S.APPROVED, S.PAID)
# Review steps: the status a claim waits in, and the name of the step on the dashboards.
STEPS = {S.FIRST_REVIEW: "first_review", S.SECOND_REVIEW: "second_review", S.APPROVAL: "approval",
         S.APPROVED: "payment"}


def renamed(rows) -> list[dict]:
    """Rows with the `total_` prefix dropped (an annotation may not reuse a field's name)."""
    return [{k.removeprefix("total_"): v for k, v in row.items()} for row in rows]


def _where(queryset, plan_year_ids: Sequence[int], unit_id: int | None):
    queryset = queryset.filter(plan_year_id__in=list(plan_year_ids))
    return queryset.filter(unit_id=unit_id) if unit_id is not None else queryset


def unit_year_rows(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> list[dict]:
    """Per plan year and unit: covered, eligible headcount, contributions, claims and benefits."""
    rows: dict[tuple[int, int], dict] = {}
    coverages = (_where(Coverage.objects.filter(status=Coverage.Status.ACTIVE), plan_year_ids, unit_id)
                 .values("plan_year_id", "unit_id", "league_id", "county_id", "plan_year__plan_id")
                 .annotate(covered=Count("id"), total_contribution_amount=Sum("contribution_amount"),
                           total_subsidy_amount=Sum("subsidy_amount")))
    for row in renamed(coverages):
        plan = row.pop("plan_year__plan_id")
        rows[row["plan_year_id"], row["unit_id"]] = {**row, "plan": plan, "eligible": 0, "claims": 0, "decided": 0,
                                                     "beneficiaries": 0, "benefit_amount": 0, "paid_amount": 0}
    decided = Q(status__in=DECIDED)
    claims = (_where(Claim.objects.exclude(status=S.DRAFT), plan_year_ids, unit_id)
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
    return renamed(_where(Claim.objects.exclude(status=S.DRAFT), plan_year_ids, unit_id)
                    .values("plan_year_id", "league_id", "county_id", "claim_type", "status", "tier",
                            "straight_through")
                    .annotate(claims=Count("id"), total_benefit_amount=Sum("benefit_amount")))


def diagnosis_rows(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> list[dict]:
    """Approved claims by plan year, county and ICD-10 category."""
    return renamed(_where(Claim.objects.filter(status__in=DECIDED).exclude(diagnosis_code=""), plan_year_ids,
                           unit_id)
                    .annotate(category=Substr("diagnosis_code", 1, 3))
                    .values("plan_year_id", "league_id", "county_id", "category")
                    .annotate(claims=Count("id"), total_benefit_amount=Sum("benefit_amount")))


def _days_sql() -> str:
    """Whole days a step took, counting a begun day as a day (0 only for an instant decision)."""
    if connection.vendor == "postgresql":
        return "CEIL(EXTRACT(EPOCH FROM (s.next_at - s.at)) / 86400.0)::int"
    elapsed = "(julianday(s.next_at) - julianday(s.at))"
    return f"(CAST({elapsed} AS INTEGER) + ({elapsed} > CAST({elapsed} AS INTEGER)))"


def review_step_rows(plan_year_ids: Sequence[int], *, unit_id: int | None = None) -> list[dict]:
    """Histogram of days spent at each review step, per plan year and county.

    A step lasts from the move into its status to the next move of the claim. Automatic
    (straight-through) decisions are left out of the review steps: they are counted as the
    straight-through share instead; the payment step counts every approved claim.
    """
    claims, changes = Claim._meta.db_table, ClaimStatusChange._meta.db_table
    ids = list(plan_year_ids)
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    unit_sql = " AND c.unit_id = %s" if unit_id is not None else ""
    params = [*ids, *([unit_id] if unit_id is not None else []), *STEPS]
    sql = f"""
        SELECT c.plan_year_id, c.league_id, c.county_id, s.to_status, {_days_sql()} AS days, COUNT(*)
        FROM (SELECT claim_id, to_status, at,
                     LEAD(at) OVER (PARTITION BY claim_id ORDER BY at, id) AS next_at,
                     LEAD(actor_kind) OVER (PARTITION BY claim_id ORDER BY at, id) AS next_kind
              FROM {changes}
              WHERE claim_id IN (SELECT id FROM {claims} c WHERE c.plan_year_id IN ({marks}){unit_sql})) s
        JOIN {claims} c ON c.id = s.claim_id
        WHERE s.to_status IN ({", ".join(["%s"] * len(STEPS))}) AND s.next_at IS NOT NULL
          AND (s.to_status = 'approved' OR s.next_kind <> 'system')
        GROUP BY c.plan_year_id, c.league_id, c.county_id, s.to_status, days"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"plan_year_id": py, "league_id": league, "county_id": county, "step": STEPS[status],
                 "days": max(0, int(days)), "claims": count}
                for py, league, county, status, days, count in cursor.fetchall()]


def overdue_claims(queryset, today) -> int:
    """Open claims past their due date (the review clock ran out), counted live."""
    return queryset.filter(status__in=(S.SUBMITTED, S.FIRST_REVIEW, S.SECOND_REVIEW, S.APPROVAL),
                           due_on__lt=today).count()


