"""The annual report of a plan year as a Chinese PDF (WeasyPrint, Noto CJK), with hand-made SVG charts."""
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from huzhu.audit.queries import latest_chain_checkpoint
from huzhu.core.scopes import Scope

from . import charts, exports, queries


def annual_context(scope: Scope, *, year: int, plan: str = "", today: date | None = None) -> dict:
    """The figures and charts of the report, for the actor's scope."""
    board = queries.dashboard(scope, queries.Filters(plan=plan, year=year), today=today)
    years = board.by_year
    svg = {
        "covered": charts.bar_chart("逐年参互人次与累计", [str(f.year) for f in years], [f.covered for f in years],
                                    line=[f.cumulative for f in years], line_label="累计"),
        "benefit": charts.bar_chart("逐年补助金（元）", [str(f.year) for f in years],
                                    [float(f.benefit_amount) for f in years], color=charts.COLORS[2]),
        "regions": charts.horizontal_bars(f"{year}年各{exports.LEVEL_LABELS.get(board.child_level, '区划')}参互人次",
                                          [c.name for c in board.children[:15]], [c.covered for c in board.children[:15]],
                                          color=charts.COLORS[1]),
        "diagnoses": charts.horizontal_bars(f"{year}年主要疾病（受益件数）", [d.label for d in board.diagnoses],
                                            [d.claims for d in board.diagnoses], color=charts.COLORS[3]),
    }
    today = today or timezone.localdate()
    reporting_on = min(today, date(year, 12, 31))
    tables = [exports.TABLES[name](board) for name in ("years", "regions", "statuses", "review", "diagnoses", "tiers")]
    fund = queries.fund_rows(scope, year=year, plan=plan)
    return {"board": board, "year": year, "plan_label": queries.PLAN_LABELS.get(plan, "全部项目"),
            "title": f"职工互助保障{year}年度报告", "charts": {k: mark_safe(v) for k, v in svg.items()},  # noqa: S308 — built from escaped text
            "tables": tables, "fund": exports.fund_table(fund) if fund else None,
            "prior_year_benefit_amount": sum((r.prior_year_benefit_amount for r in fund), Decimal(0)),
            "today": today, "reporting_on": reporting_on,
            "unearned_amount": queries.unearned_contributions(scope, year=year, plan=plan, on=reporting_on),
            # The printed checkpoint is one more copy of the chain head outside the database.
            "audit_checkpoint": latest_chain_checkpoint()}


def render_annual_pdf(scope: Scope, *, year: int, plan: str = "", today: date | None = None) -> bytes:
    """The annual report of a plan year as PDF bytes."""
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):  # the annual report is a Chinese document
        html = render_to_string("reports/annual.html", annual_context(scope, year=year, plan=plan, today=today))
    return HTML(string=html).write_pdf()
