"""Reads of risk findings and the post-audit sample, always filtered by the actor's region scope."""
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from huzhu.core.scopes import Scope

from . import rules
from .models import PostAuditDraw, PostAuditSample, RiskFinding

R = RiskFinding.Review
OUTCOME = PostAuditSample.Outcome
PAGE_ROLES = {"association", "office", "agency", "auditor"}
POST_AUDIT_DECIDERS = {"association"}  # who records a post-audit outcome (services holds the same rule)
TOP = 20


def findings_in_scope(scope: Scope) -> QuerySet[RiskFinding]:
    """Findings the scope may see (regions by the claim's league and county, copied on the row)."""
    return scope.filter(RiskFinding.objects.all())


def findings_of_claim(scope: Scope, claim_id: int) -> list[RiskFinding]:
    """A claim's findings, most severe first (the claim page's evidence card)."""
    order = {rules.HARD_STOP: 0, rules.NEEDS_REVIEW: 1, rules.INFO: 2}
    rows = list(findings_in_scope(scope).filter(claim_id=claim_id).select_related("reviewed_by"))
    return sorted(rows, key=lambda f: (order.get(f.severity, 9), f.code))


@dataclass(frozen=True)
class ClaimRisk:
    """What a queue row shows: the score, whether it blocks, and the evidence lines."""

    score: int
    blocks: bool
    lines: tuple[str, ...]

    @property
    def summary(self) -> str:
        return "；".join(self.lines)


def risk_by_claim(claim_ids: list[int], *, threshold: int) -> dict[int, ClaimRisk]:
    """Score and evidence of each listed claim (one query for a queue page); false alarms do not count."""
    grouped: dict[int, list[RiskFinding]] = defaultdict(list)
    for f in RiskFinding.objects.filter(claim_id__in=claim_ids).exclude(review=R.FALSE_ALARM).order_by("code"):
        grouped[f.claim_id].append(f)
    result = {}
    for claim_id, found in grouped.items():
        score, blocks = rules.score_of(found, threshold)
        result[claim_id] = ClaimRisk(score, blocks, tuple(f"{rules.CHECK_LABELS.get(f.code, f.code)}：{f.message}"
                                                          for f in found))
    return result


# The post-audit's outcome on a finding's claim stands for the verdict of a finding nobody reviewed: a recovery
# confirms it, "the approval was right" makes it a false alarm. A finding's own review comes first.
def _with_audit(qs: QuerySet[RiskFinding]) -> QuerySet[RiskFinding]:
    outcome = PostAuditSample.objects.filter(claim_id=OuterRef("claim_id")).values("outcome")[:1]
    return qs.annotate(audit_outcome=Subquery(outcome))


CONFIRMED = Q(review=R.CONFIRMED) | Q(review=R.OPEN, audit_outcome=OUTCOME.RECOVERY)
FALSE_ALARM = Q(review=R.FALSE_ALARM) | Q(review=R.OPEN, audit_outcome=OUTCOME.CONFIRMED)
OPEN = Q(review=R.OPEN) & (Q(audit_outcome__isnull=True) | Q(audit_outcome__in=[OUTCOME.PENDING, OUTCOME.RULE_CHANGE]))


def _verdict_counts() -> dict:
    return {"open": Count("pk", filter=OPEN), "confirmed": Count("pk", filter=CONFIRMED),
            "false_alarms": Count("pk", filter=FALSE_ALARM)}


def _counts(qs: QuerySet[RiskFinding], *keys: str) -> QuerySet:
    return _with_audit(qs).values(*keys).annotate(findings=Count("pk"), claims=Count("claim_id", distinct=True),
                                                  **_verdict_counts())


def _with_precision(rows) -> list[dict]:
    return [{**row, "precision": rules.precision(row["confirmed"], row["false_alarms"])} for row in rows]


def by_check(scope: Scope, year: int) -> list[dict]:
    """Findings per check with their review counts and precision (confirmed / reviewed)."""
    rows = _with_precision(_counts(findings_in_scope(scope).filter(year=year), "code", "severity").order_by("code"))
    for row in rows:
        row["label"] = _(rules.CHECK_LABELS.get(row["code"], row["code"]))
    return sorted(rows, key=lambda r: list(rules.CHECK_LABELS).index(r["code"]) if r["code"] in rules.CHECK_LABELS else 99)


def by_region(scope: Scope, year: int) -> list[dict]:
    """Per league for the province, per county inside a league or county scope."""
    qs = findings_in_scope(scope).filter(year=year)
    if scope.is_province:
        rows = _counts(qs, "league_id", "league__name").order_by("-findings")
        return [{**r, "name": r["league__name"]} for r in _with_precision(rows)]
    rows = _counts(qs, "county_id", "county__name").order_by("-findings")
    return [{**r, "name": r["county__name"]} for r in _with_precision(rows)]


def by_hospital(scope: Scope, year: int) -> list[dict]:
    qs = findings_in_scope(scope).filter(year=year).exclude(hospital="")
    return _with_precision(_counts(qs, "hospital").order_by("-findings", "hospital")[:TOP])


def by_unit(scope: Scope, year: int) -> list[dict]:
    qs = findings_in_scope(scope).filter(year=year)
    return _with_precision(_counts(qs, "unit_id", "unit__name").order_by("-findings", "unit_id")[:TOP])


def by_clerk(scope: Scope, year: int) -> list[dict]:
    qs = findings_in_scope(scope).filter(year=year, clerk__isnull=False)
    rows = _counts(qs, "clerk_id", "clerk__username", "clerk__last_name", "clerk__first_name")
    return [{**r, "name": f"{r['clerk__last_name']}{r['clerk__first_name']}" or r["clerk__username"]}
            for r in _with_precision(rows.order_by("-findings", "clerk_id")[:TOP])]


def precision_by_month(scope: Scope, year: int) -> list[dict]:
    """Per check and month found: findings, reviewed, confirmed, false alarms, precision."""
    rows = _counts(findings_in_scope(scope).filter(year=year).annotate(month=TruncMonth("found_at")),
                   "code", "month").order_by("month", "code")
    result = []
    for row in _with_precision(rows):
        row["reviewed"] = row["confirmed"] + row["false_alarms"]
        row["label"] = _(rules.CHECK_LABELS.get(row["code"], row["code"]))
        result.append(row)
    return result


def precision_table(scope: Scope, year: int) -> dict:
    """`precision_by_month` pivoted for the page: a row per check, a cell per month."""
    rows = precision_by_month(scope, year)
    months = sorted({r["month"] for r in rows if r["month"]})
    cells: dict[str, dict] = defaultdict(dict)
    for r in rows:
        cells[r["code"]][r["month"]] = r
    table = [{"code": code, "label": _(label), "cells": [cells[code].get(m) for m in months]}
             for code, label in rules.CHECK_LABELS.items() if code in cells]
    return {"months": months, "rows": table}


def trend(scope: Scope, year: int) -> dict:
    """Findings per month and severity, and precision per month, for the chart."""
    rows = (_with_audit(findings_in_scope(scope).filter(year=year)).annotate(month=TruncMonth("found_at"))
            .values("month", "severity").annotate(n=Count("pk"), confirmed=Count("pk", filter=CONFIRMED),
                                                  false_alarms=Count("pk", filter=FALSE_ALARM))
            .order_by("month"))
    months = sorted({r["month"].strftime("%Y-%m") for r in rows if r["month"]})
    series = {sev: [0] * len(months) for sev in rules.POINTS}
    confirmed, reviewed = [0] * len(months), [0] * len(months)
    for r in rows:
        if not r["month"]:
            continue
        i = months.index(r["month"].strftime("%Y-%m"))
        series[r["severity"]][i] += r["n"]
        confirmed[i] += r["confirmed"]
        reviewed[i] += r["confirmed"] + r["false_alarms"]
    return {"months": months, "series": [{"name": rules.SEVERITY_LABELS[s], "data": v} for s, v in series.items()],
            "precision": [round(c / n * 100, 1) if n else None for c, n in zip(confirmed, reviewed, strict=True)]}


def totals(scope: Scope, year: int) -> dict:
    qs = _with_audit(findings_in_scope(scope).filter(year=year))
    return qs.aggregate(findings=Count("pk"), claims=Count("claim_id", distinct=True), **_verdict_counts())


# --- the post-audit sample (事后抽查) ---------------------------------------------------------------
QUEUE_PAGE_SIZE = 30


def samples_in_scope(scope: Scope) -> QuerySet[PostAuditSample]:
    """Post-audit samples the scope may see (by the claim's league and county, copied on the row)."""
    if scope.is_unit or scope.is_none:
        return PostAuditSample.objects.none()
    return scope.filter(PostAuditSample.objects.all())


def post_audit_queue(scope: Scope, *, month=None, outcome: str = "", county: str = "") -> QuerySet[PostAuditSample]:
    """The queue: samples in scope, filtered by month (a date in it), outcome and county; pending first."""
    qs = samples_in_scope(scope).select_related("draw", "county", "decided_by")
    if month is not None:
        qs = qs.filter(draw__month=month.replace(day=1))
    if outcome in OUTCOME.values:
        qs = qs.filter(outcome=outcome)
    if county:
        qs = qs.filter(county_id=county)
    return qs.order_by("-draw__month", "county_id", "claim_id")


def post_audit_sample(scope: Scope, pk: int) -> PostAuditSample:
    """One sample in scope, or 404."""
    return get_object_or_404(samples_in_scope(scope).select_related("draw", "county", "decided_by"), pk=pk)


def post_audit_months() -> list:
    """The months drawn, newest first (the queue's filter)."""
    return list(PostAuditDraw.objects.order_by("-month").values_list("month", flat=True))


def post_audit_counties(scope: Scope) -> list[tuple[str, str]]:
    """(code, name) of the counties with samples in scope (the queue's filter)."""
    return list(samples_in_scope(scope).values_list("county_id", "county__name").distinct().order_by("county_id"))


def is_drawn(month) -> bool:
    return PostAuditDraw.objects.filter(month=month.replace(day=1)).exists()


def post_audit_by_month(scope: Scope, year: int) -> list[dict]:
    """Per month drawn in the year: sampled, decided, confirmed, recoveries, rule changes, and the recoveries on
    claims no check had flagged (missed) with the detection miss rate (missed ÷ recoveries); one query."""
    flagged = RiskFinding.objects.filter(claim_id=OuterRef("claim_id"))
    rows = (samples_in_scope(scope).filter(draw__month__year=year).annotate(flagged=Exists(flagged))
            .values("draw__month", "draw__share", "draw__candidates")
            .annotate(sampled=Count("pk"), decided=Count("pk", filter=~Q(outcome=OUTCOME.PENDING)),
                      confirmed=Count("pk", filter=Q(outcome=OUTCOME.CONFIRMED)),
                      recoveries=Count("pk", filter=Q(outcome=OUTCOME.RECOVERY)),
                      rule_changes=Count("pk", filter=Q(outcome=OUTCOME.RULE_CHANGE)),
                      missed=Count("pk", filter=Q(outcome=OUTCOME.RECOVERY, flagged=False)))
            .order_by("-draw__month"))
    return [{**row, "month": row["draw__month"],
             "miss_rate": row["missed"] / row["recoveries"] if row["recoveries"] else None} for row in rows]


def pending_post_audit_count(scope: Scope) -> int:
    return samples_in_scope(scope).filter(outcome=OUTCOME.PENDING).count()
