"""Writes of the reports app: rebuilding the summary tables, the weekly service-level digests. Idempotent; safe to
run at any time."""
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from huzhu.audit.services import record_event
from huzhu.core.actors import Actor
from huzhu.core.bulk import insert_rows
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.plans.models import PlanYear
from huzhu.regions import queries as region_queries
from huzhu.regions.roles import Role

from . import aggregates, service_levels
from .models import (
    ClaimFigures,
    DiagnosisFigures,
    ReviewStepFigures,
    ServiceDigest,
    SummaryRefresh,
    UnitYearFigures,
)

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


def request_refresh(*, actor) -> None:
    """Record that `actor` asked for the summaries to be rebuilt now (the adapter then enqueues the job)."""
    record_event(actor=actor, action="request_report_refresh", object_type="SummaryRefresh", object_id="all",
                 after={"requested_at": timezone.now().isoformat()})


# --- the weekly service-level digest -----------------------------------------------------------------

@dataclass(frozen=True)
class DigestTarget:
    """An office the digest goes to: its scope, the division it is stored under (None: the province), its name."""

    scope: Scope
    region_code: str | None
    name: str
    role: str


@dataclass
class DigestRun:
    composed: int = 0
    sent: int = 0           # emails sent (one per office with recipients)
    already_sent: int = 0   # digests of the week sent by an earlier run
    without_recipients: int = 0


def digest_targets() -> list[DigestTarget]:
    """The association, every league office and every county agency point."""
    targets = [DigestTarget(PROVINCE, None, gettext_noop("协会"), Role.ASSOCIATION)]
    targets += [DigestTarget(Scope("league", office.league_id, role=Role.OFFICE), office.league_id, office.name,
                             Role.OFFICE) for office in region_queries.offices()]
    targets += [DigestTarget(Scope("county", point.county_id, role=Role.AGENCY), point.county_id, point.name,
                             Role.AGENCY) for point in region_queries.agency_points()]
    return targets


def week_of(day: date) -> date:
    """The Monday of the week holding `day`."""
    return day - timedelta(days=day.weekday())


def digest_text(name: str, content: dict) -> tuple[str, str]:
    """The digest's email subject and body, in Chinese."""
    share = content["within_share"]
    within = f"{Decimal(share) * 100:.1f}%" if share is not None else "—"
    levels = "、".join(f"{row['label']} {row['overdue']} 件" for row in content["overdue_by_level"] if row["overdue"])
    median = content["review_median"]
    lines = [
        f"{name}：",
        "",
        f"{content['week_start']} 至 {content['week_end']} 服务时效周报",
        "",
        f"本周审结申领 {content['decided']} 件，其中按期办结（在办结期限内）{content['within']} 件，按期办结率 {within}。",
        f"材料齐全至审结用时中位数：{'—' if median is None else f'{median} 个工作日'}。",
        f"本周新受理申领 {content['submitted']} 件，退回补正 {content['supplements']} 件。",
        f"截至 {content['as_of']}，已超期未办结 {content['overdue']} 件{('（' + levels + '）') if levels else ''}。",
        "",
        "明细与超期申领清单请登录互助系统，在“统计报表 › 服务时效”页面查看。",
        "",
        "（本邮件由系统每周一自动发送，请勿直接回复。）",
    ]
    return f"【职工互助保障】服务时效周报 {content['week_start']} — {name}", "\n".join(lines)


def send_service_digests(*, actor: Actor, week_start: date, today: date) -> DigestRun:
    """Compose each office's digest of the week from Monday `week_start` and mail it once to its active staff with an
    email address. A digest already sent is not sent again; one whose sending failed is sent by the next run."""
    run = DigestRun()
    for target in digest_targets():
        found = ServiceDigest.objects.filter(region_id=target.region_code, week_start=week_start).first()
        if found is not None and found.sent_at is not None:
            run.already_sent += 1
            continue
        if found is None:
            content = service_levels.digest_content(target.scope, week_start, today=today)
            found, created = ServiceDigest.objects.get_or_create(region_id=target.region_code, week_start=week_start,
                                                                 defaults={"content": content})
            run.composed += created
        # claim the digest before mailing (a second run at the same moment finds it taken)
        if not ServiceDigest.objects.filter(pk=found.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
            run.already_sent += 1
            continue
        recipients = region_queries.staff_emails(roles=[target.role], division_code=target.region_code)
        if recipients:
            subject, body = digest_text(target.name, found.content)
            try:
                EmailMessage(subject, body, to=recipients).send()
            except Exception:
                ServiceDigest.objects.filter(pk=found.pk).update(sent_at=None)  # the next run tries again
                raise
            run.sent += 1
        else:
            run.without_recipients += 1
        ServiceDigest.objects.filter(pk=found.pk).update(recipients=recipients)
    record_event(actor=actor, action="send_service_digests", object_type="ServiceDigest",
                 object_id=week_start.isoformat(), after=asdict(run))
    return run
