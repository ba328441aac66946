"""Writes of the reports app: rebuilding the summary tables. Idempotent; safe to run at any time."""
import time
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor
from huzhu.core.bulk import insert_rows
from huzhu.plans.models import PlanYear

from . import aggregates
from .models import ClaimFigures, DiagnosisFigures, ReviewStepFigures, SummaryRefresh, UnitYearFigures

# (model, aggregate, the fields stored, in insert order)
TABLES = (
    (UnitYearFigures, aggregates.unit_year_rows,
     ("plan_year_id", "unit_id", "league_id", "county_id", "covered", "eligible", "contribution_amount",
      "subsidy_amount", "claims", "decided", "beneficiaries", "benefit_amount", "paid_amount")),
    (ClaimFigures, aggregates.claim_rows,
     ("plan_year_id", "league_id", "county_id", "claim_type", "status", "tier", "straight_through", "claims",
      "benefit_amount")),
    (DiagnosisFigures, aggregates.diagnosis_rows,
     ("plan_year_id", "league_id", "county_id", "category", "claims", "benefit_amount")),
    (ReviewStepFigures, aggregates.review_step_rows,
     ("plan_year_id", "league_id", "county_id", "step", "days", "claims")),
)


def _db_rows(model, fields: tuple[str, ...], rows: Iterable[dict]):
    """Rows in database form: SQLite gets decimals as text; None sums become 0."""
    from django.db import connection

    native = connection.vendor == "postgresql"
    for row in rows:
        values = []
        for name in fields:
            value = row.get(name)
            if value is None:
                value = 0
            if name.endswith("_amount") and not native:
                value = str(value)
            values.append(value)
        yield values


@transaction.atomic
def refresh_plan_year(*, actor: Actor, plan_year: PlanYear) -> int:
    """Rebuild one plan year's summary rows from the claims and enrollment tables; returns rows written."""
    started = time.monotonic()
    written = 0
    for model, aggregate, fields in TABLES:
        model.objects.filter(plan_year=plan_year).delete()
        # An `_id` name is a ForeignKey's, whose column is set.
        columns = [model._meta.get_field(name.removesuffix("_id")).column if name.endswith("_id") else name  # type: ignore[union-attr]
                   for name in fields]
        written += insert_rows(model._meta.db_table, columns,  # type: ignore[arg-type]  # as above
                               _db_rows(model, fields, aggregate([plan_year.pk])))
    seconds = time.monotonic() - started
    SummaryRefresh.objects.update_or_create(plan_year=plan_year, defaults={
        "refreshed_at": timezone.now(), "seconds": seconds, "rows": written})
    record_event(actor=actor, action="refresh_report_summaries", object_type="PlanYear", object_id=plan_year.pk,
                 after={"rows": written, "seconds": round(seconds, 2)})
    return written


def refresh_summaries(*, actor: Actor, plan_years: Iterable[PlanYear] | None = None,
                      progress: Callable[[str], None] | None = None) -> int:
    """Rebuild the summaries of the given plan years (default: all), one transaction per plan year."""
    years = list(plan_years) if plan_years is not None else list(
        PlanYear.objects.select_related("plan").order_by("year", "plan_id"))
    written = 0
    for plan_year in years:
        rows = refresh_plan_year(actor=actor, plan_year=plan_year)
        written += rows
        if progress:
            progress(f"{plan_year}: {rows:,} 行汇总")
    return written
