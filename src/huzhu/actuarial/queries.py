"""Reads for the studies: set-based, scope-filtered, streamed in chunks into columns (NumPy/pandas).

Every function reads a whole plan year with one query (joins, no query per row) and returns
plain arrays, so the calculations in experience/ibnr/rerating/simulation never touch the ORM.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from huzhu.claims.models import Claim
from huzhu.claims.workflow import DECIDED_STATUSES
from huzhu.core.money import quantize_money
from huzhu.core.scopes import Scope
from huzhu.enrollment.models import Coverage
from huzhu.ledger import queries as ledger_queries
from huzhu.plans.models import PlanYear
from huzhu.plans.vectorized import EVENT_CODES, GENDER_CODES, KIND_CODES, NO_END, NO_START
from huzhu.regions.models import Division

from . import experience
from .models import Study
from .rerating import ClaimFacts

CHUNK = 20_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
Progress = Callable[[int], None]


def studies(scope: Scope) -> QuerySet[Study]:
    """Saved studies, newest first; they concern the whole scheme, so only province scopes see them."""
    qs = Study.objects.select_related("plan", "created_by")
    return qs if scope.level == "province" else qs.none()


def finished_whatif_studies(scope: Scope, plan_code: str | None = None) -> QuerySet[Study]:
    """Finished what-if studies (newest first), whose re-rating can feed next year's price."""
    qs = studies(scope).filter(kind=Study.Kind.WHATIF, status=Study.Status.DONE)
    return qs.filter(plan_id=plan_code) if plan_code else qs


def plan_years_of(plan_code: str, years: Iterable[int]) -> list[PlanYear]:
    """The plan years asked for that have terms, in year order."""
    return list(PlanYear.objects.filter(plan_id=plan_code, year__in=list(years), current_version__isnull=False)
                .select_related("plan", "current_version").order_by("year"))


def study_plan_years() -> QuerySet[PlanYear]:
    return PlanYear.objects.filter(current_version__isnull=False).select_related("plan").order_by("plan_id", "year")


def _stream(qs: QuerySet, names: Sequence[str]) -> dict[str, list]:
    """The values of `names`, streamed in chunks (server-side cursor on PostgreSQL), as lists."""
    columns: dict[str, list] = {name: [] for name in names}
    appends = [columns[name].append for name in names]
    for row in qs.values_list(*names).iterator(chunk_size=CHUNK):
        for append, value in zip(appends, row):
            append(value)
    return columns


def _days(values: list, fill: int) -> np.ndarray:
    """Epoch days of dates (None becomes `fill`)."""
    epoch = EPOCH_ORDINAL
    return np.array([fill if value is None else value.toordinal() - epoch for value in values], dtype=np.int64)


def _local_days(values: list) -> np.ndarray:
    """Epoch days, in local time, of aware datetimes (None becomes NaT as -1)."""
    offset = timezone.localtime(timezone.now()).utcoffset() or timedelta()  # Asia/Shanghai has no daylight saving
    stamps = np.array([v.replace(tzinfo=None) if isinstance(v, datetime) else None for v in values],
                      dtype="datetime64[s]") + np.timedelta64(int(offset.total_seconds()), "s")
    days = stamps.astype("datetime64[D]")
    return np.where(np.isnat(days), -1, days.astype(np.int64))


def _fen(values: list) -> np.ndarray:
    """Integer fen of Decimal yuan amounts (two places, so rounding the float is exact)."""
    return np.rint(np.array([0 if v is None else v for v in values], dtype=np.float64) * 100).astype(np.int64)


def _codes(values: list, table: dict[str, int]) -> np.ndarray:
    return np.array([table.get(v, -1) for v in values], dtype=np.int64)


def division_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=set(codes)).values_list("code", "name"))


def coverage_frame(scope: Scope, plan_year: PlanYear, *, as_of: date | None = None) -> pd.DataFrame:
    """One row per active coverage of the plan year: exposure in person-years and the study dimensions.

    `exposure` counts the covered days up to the valuation date `as_of` (an open year pro rata);
    `period_exposure` the whole protection period, the basis of next year's person-years.
    """
    terms = plan_year.terms
    qs = scope.filter(Coverage.objects.filter(plan_year=plan_year, status=Coverage.Status.ACTIVE))
    columns = _stream(qs, ["pk", "starts_on", "ends_on", "contribution_amount", "league_id",
                           "worker__gender", "worker__birth_on", "worker__kind", "unit__sector"])
    start_day = (terms.protection_start_on - date(1970, 1, 1)).days
    end_day = (terms.protection_end_on - date(1970, 1, 1)).days
    starts = _days(columns["starts_on"], start_day)
    # DOMAIN: a leaver stays covered to the end of the period (left_on ends no coverage)
    ends = _days(columns["ends_on"], end_day)
    # DOMAIN: age is taken at enrollment: the coverage start, never before the period start
    ages = experience.ages_on(np.array(columns["worker__birth_on"], dtype="datetime64[D]"),
                              np.maximum(starts, start_day).astype("datetime64[D]"))
    names = division_names(columns["league_id"])
    return pd.DataFrame({
        "coverage_id": np.array(columns["pk"], dtype=np.int64),
        "exposure": experience.exposure_years(starts, ends, start_day, end_day,
                                              None if as_of is None else (as_of - date(1970, 1, 1)).days),
        "period_exposure": experience.exposure_years(starts, ends, start_day, end_day),
        "contribution_fen": _fen(columns["contribution_amount"]),
        "league": [names.get(code, code) for code in columns["league_id"]],
        "age_band": experience.age_band(ages),
        "gender": [experience.GENDER_LABELS.get(g, g) for g in columns["worker__gender"]],
        "sector": [s or "未填行业" for s in columns["unit__sector"]],
        "kind": [experience.KIND_LABELS.get(k, k) for k in columns["worker__kind"]],
    })


def paid_claims_frame(scope: Scope, plan_year: PlanYear, *, as_of: date | None = None) -> pd.DataFrame:
    """Decided claims of the plan year with a benefit (events up to `as_of`): coverage and benefit in fen."""
    qs = scope.filter(Claim.objects.filter(plan_year=plan_year, status__in=DECIDED_STATUSES, benefit_amount__gt=0))
    if as_of is not None:
        qs = qs.annotate(event_on=Coalesce("admitted_on", "period_start_on", "diagnosed_on")).filter(event_on__lte=as_of)
    columns = _stream(qs, ["coverage_id", "benefit_amount"])
    return pd.DataFrame({"coverage_id": np.array(columns["coverage_id"], dtype=np.int64),
                         "benefit_fen": _fen(columns["benefit_amount"])})


FACT_COLUMNS = ("worker_id", "claim_type", "admitted_on", "discharged_on", "period_start_on", "period_end_on",
                "diagnosed_on", "policy_self_pay_amount", "coverage__consecutive_years", "worker__gender",
                "worker__birth_on", "worker__kind", "coverage__starts_on", "coverage__ends_on",
                "diagnosis_code", "procedure", "benefit_amount")


def claim_facts(scope: Scope, plan_year: PlanYear) -> ClaimFacts:
    """The plan year's decided claims as engine columns, in the order they were decided (as the engine saw them)."""
    qs = scope.filter(Claim.objects.filter(plan_year=plan_year, status__in=DECIDED_STATUSES)).order_by(
        "approved_at", "submitted_at", "pk")
    columns = _stream(qs, FACT_COLUMNS)
    count = len(columns["worker_id"])
    admitted, period_start = _days(columns["admitted_on"], -1), _days(columns["period_start_on"], -1)
    start = np.where(admitted >= 0, admitted, np.where(period_start >= 0, period_start, _days(columns["diagnosed_on"], 0)))
    end_raw = np.maximum(_days(columns["discharged_on"], -1), _days(columns["period_end_on"], -1))
    end = np.where(end_raw >= 0, end_raw, start)
    coverage_end = _days(columns["coverage__ends_on"], NO_END)
    event_type = _codes(columns["claim_type"], EVENT_CODES)
    diagnosis = np.array(columns["diagnosis_code"], dtype=object)
    procedures = event_type == EVENT_CODES["procedure"]
    diagnosis[procedures] = np.array(columns["procedure"], dtype=object)[procedures]
    workers = np.array(columns["worker_id"], dtype=np.int64)
    paid_tiers = np.full(count, "", dtype=object)
    if plan_year.plan_id == "women_health" and count:
        earlier = _earlier_tiers(plan_year)
        paid_tiers = np.array([earlier.get(w, "") for w in workers.tolist()], dtype=object)
    return ClaimFacts(
        worker=workers, event_type=event_type, start_day=start, end_day=end,
        self_pay_fen=_fen(columns["policy_self_pay_amount"]),
        consecutive_years=np.array(columns["coverage__consecutive_years"], dtype=np.int64),
        gender=_codes(columns["worker__gender"], GENDER_CODES), birth_day=_days(columns["worker__birth_on"], 0),
        worker_kind=_codes(columns["worker__kind"], KIND_CODES),
        coverage_start_day=_days(columns["coverage__starts_on"], NO_START), coverage_end_day=coverage_end,
        diagnosis=diagnosis, paid_tiers=paid_tiers, benefit_fen=_fen(columns["benefit_amount"]))


def _earlier_tiers(plan_year: PlanYear) -> dict[int, str]:
    """Women's tiers each worker was paid in earlier plan years (DOMAIN: once per worker for life)."""
    rows = (Claim.objects.filter(plan_year__plan_id=plan_year.plan_id, plan_year__year__lt=plan_year.year,
                                 status__in=DECIDED_STATUSES, benefit_amount__gt=0)
            .exclude(tier="").values_list("worker_id", "tier"))
    tiers: dict[int, str] = {}
    for worker, tier in rows.iterator(chunk_size=CHUNK):
        tiers[worker] = tiers.get(worker, "") + tier
    return tiers


def coverage_count(scope: Scope, plan_year: PlanYear) -> int:
    return scope.filter(Coverage.objects.filter(plan_year=plan_year, status=Coverage.Status.ACTIVE)).count()


def development_rows(scope: Scope, plan_code: str, *, as_of: date) -> dict[str, np.ndarray]:
    """Every reported claim of the plan: event day, reported day, paid day (-1 unpaid) and amount in fen.

    Withdrawn, rejected and draft claims are left out; a claim in review counts at its estimate.
    """
    qs = scope.filter(Claim.objects.filter(plan_year__plan_id=plan_code, submitted_at__isnull=False)
                      .exclude(status__in=(Claim.Status.DRAFT, Claim.Status.WITHDRAWN, Claim.Status.REJECTED)))
    qs = qs.annotate(event_on=Coalesce("admitted_on", "period_start_on", "diagnosed_on"),
                     paid_at=Max("status_changes__at", filter=Q(status_changes__to_status=Claim.Status.PAID)))
    columns = _stream(qs, ["event_on", "submitted_at", "paid_at", "benefit_amount", "status"])
    reported = _local_days(columns["submitted_at"])
    paid = _local_days(columns["paid_at"])
    paid = np.where(np.array(columns["status"], dtype=object) == Claim.Status.PAID, paid, -1)
    limit = (as_of - date(1970, 1, 1)).days
    keep = reported <= limit
    return {"event_day": _days(columns["event_on"], 0)[keep], "reported_day": reported[keep],
            "paid_day": np.where(paid <= limit, paid, -1)[keep], "amount_fen": _fen(columns["benefit_amount"])[keep]}


def contribution_rows(scope: Scope, plan_code: str) -> dict[str, np.ndarray]:
    """The plan's active coverages, grouped by their days and fee: contributions in fen, first and last day."""
    fen, starts, ends = [], [], []
    for plan_year in PlanYear.objects.filter(plan_id=plan_code, current_version__isnull=False).select_related(
            "current_version"):
        terms = plan_year.terms
        qs = scope.filter(Coverage.objects.filter(plan_year=plan_year, status=Coverage.Status.ACTIVE))
        groups = qs.values_list("starts_on", "ends_on", "contribution_amount").annotate(people=Count("pk")).order_by()
        for starts_on, ends_on, amount, people in groups:
            fen.append(int(round(amount * 100)) * people)
            # DOMAIN: a coverage runs from its start (never before the period) to the period's end
            starts.append(max(starts_on or terms.protection_start_on, terms.protection_start_on))
            ends.append(ends_on or terms.protection_end_on)
    return {"contribution_fen": np.array(fen, dtype=np.int64), "start_day": _days(starts, 0),
            "end_day": _days(ends, 0)}


def ledger_figures(plan_year: PlanYear) -> dict[str, Decimal]:
    """The ledger's benefits expense, payable, paid and total reserve of the plan year."""
    position = ledger_queries.fund_position(plan_year)
    figures = {"benefits": position.benefits_amount, "payable": position.payable_amount,
               "paid": position.benefits_amount - position.payable_amount, "reserve": position.reserve_amount,
               "contributions": position.total_contributions_amount}
    return {key: quantize_money(value) for key, value in figures.items()}


def total_reserve(plan_code: str) -> Decimal:
    """The total reserve (总准备金) built up over the plan's years."""
    return sum((ledger_queries.fund_position(year).reserve_amount
                for year in PlanYear.objects.filter(plan_id=plan_code, current_version__isnull=False)), Decimal("0.00"))
