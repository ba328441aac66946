"""Report pages: parse the filters, ask `queries.dashboard`, render (HTML, XLSX or PDF)."""
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from huzhu.core.errors import NotFound
from huzhu.core.params import id_param, year_param
from huzhu.regions.queries import regions_to_choose, scope_of

from . import annual, exports, queries


def _filters(request) -> queries.Filters:
    get = request.GET
    plan = get.get("plan", "")
    return queries.Filters(plan=plan if plan in queries.PLAN_LABELS else "",
                           year=year_param(get), region=get.get("region", "")[:6], unit=id_param(get, "unit"))


def _board(request) -> queries.Dashboard:
    try:
        return queries.dashboard(scope_of(request.user), _filters(request))
    except NotFound:
        raise Http404("不在您的管辖范围内") from None


def _chart_data(board: queries.Dashboard) -> dict:
    """The data island the ECharts script reads (numbers only, no markup)."""
    return {
        "years": [f.year for f in board.by_year], "covered": [f.covered for f in board.by_year],
        "cumulative": [f.cumulative for f in board.by_year],
        "benefit": [float(f.benefit_amount) for f in board.by_year],
        "beneficiaries": [f.beneficiaries for f in board.by_year],
        "children": [{"name": c.name, "covered": c.covered, "benefit": float(c.benefit_amount)}
                     for c in board.children[:30]],
        "statuses": [{"name": _(r.label), "value": r.claims} for r in board.statuses],
        "steps": [{"name": _(r.label), "median": r.median_days, "p90": r.p90_days} for r in board.steps],
        "diagnoses": [{"name": r.label, "value": r.claims} for r in board.diagnoses],
        "text": {"no_charts": _("图表组件未安装（ECharts），请参阅下方表格。"), "covered": _("参互人次"),
                 "cumulative": _("累计参互人次"), "benefit": _("补助金（元）"), "person_times": _("人次"),
                 "yuan": _("元"), "days": _("天"), "median": _("中位数"), "p90": _("90%分位"), "claims": _("件")},
        "tiers": [{"name": _(r.label), "value": r.claims, "amount": float(r.benefit_amount)} for r in board.tiers],
    }


@login_required
def dashboard(request):
    board = _board(request)
    actor_scope = scope_of(request.user)
    regions = regions_to_choose(actor_scope)
    query = request.GET.copy()
    return render(request, "reports/dashboard.html", {
        "board": board, "chart": _chart_data(board), "plans": {code: _(label) for code, label in queries.PLAN_LABELS.items()}, "regions": regions,
        "trail": queries.breadcrumbs(actor_scope, board.scope), "query": query.urlencode(),
        "child_label": _(exports.LEVEL_LABELS.get(board.child_level, "")) if board.child_level else "",
        "plan_label": _(queries.PLAN_LABELS.get(board.filters.plan, gettext_noop("全部项目"))),
    })


@login_required
def export(request, table: str):
    if table != "all" and table not in exports.TABLES:
        raise Http404("没有这张表")
    board = _board(request)
    names = list(exports.TABLES) if table == "all" else [table]
    filename = f"互助统计_{board.title}_{board.year or ''}_{table}.xlsx"
    return FileResponse(exports.workbook_file(board, names), as_attachment=True, filename=filename,
                        content_type=exports.XLSX_TYPE)


@login_required
def annual_report(request, year: int):
    filters = _filters(request)
    try:
        pdf = annual.render_annual_pdf(scope_of(request.user), year=year, plan=filters.plan)
    except NotFound:
        raise Http404("不在您的管辖范围内") from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{year}.pdf"'
    return response
