"""Report pages: parse the filters, ask `queries.dashboard`, render (HTML, XLSX or PDF)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from huzhu.core.errors import NotFound
from huzhu.core.jobs import enqueue
from huzhu.core.params import id_param, year_param
from huzhu.core.replica import reads_from_replica
from huzhu.regions.queries import regions_to_choose, scope_of
from huzhu.regions.roles import Role

from . import annual, exports, queries, service_levels, services
from .tasks import refresh_summaries_task

# The association may rebuild the nightly summaries from the dashboard (a whole-province job).
REFRESH_ROLES = {Role.ASSOCIATION}
# Who reads the service levels (服务时效) of their scope.
SERVICE_LEVEL_ROLES = {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.AUDITOR}


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
@reads_from_replica
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
        "may_refresh": actor_scope.role in REFRESH_ROLES,
    })


@login_required
@require_POST
def refresh(request):
    """The association rebuilds the summaries now instead of waiting for the night (audited, in the background)."""
    if scope_of(request.user).role not in REFRESH_ROLES:
        raise PermissionDenied
    with transaction.atomic():
        services.request_refresh(actor=request.user)
        enqueue(refresh_summaries_task)
    messages.success(request, _("已开始重新汇总，通常一两分钟完成；完成后刷新本页即可看到最新数字。"))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/reports/") and "//" not in back else reverse("reports:dashboard"))


@login_required
@reads_from_replica
def export(request, table: str):
    if table != "all" and table not in exports.TABLES:
        raise Http404("没有这张表")
    board = _board(request)
    names = list(exports.TABLES) if table == "all" else [table]
    filename = f"互助统计_{board.title}_{board.year or ''}_{table}.xlsx"
    return FileResponse(exports.workbook_file(board, names), as_attachment=True, filename=filename,
                        content_type=exports.XLSX_TYPE)


@login_required
@reads_from_replica
def annual_report(request, year: int):
    filters = _filters(request)
    try:
        pdf = annual.render_annual_pdf(scope_of(request.user), year=year, plan=filters.plan)
    except NotFound:
        raise Http404("不在您的管辖范围内") from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{year}.pdf"'
    return response


@login_required
@reads_from_replica
def service_levels_page(request):
    """服务时效: by county and review level, for the actor's scope (narrowed to a league or county if asked)."""
    actor_scope = scope_of(request.user)
    if actor_scope.role not in SERVICE_LEVEL_ROLES or actor_scope.is_none or actor_scope.is_unit:
        raise PermissionDenied
    try:
        view = queries.view_scope(actor_scope, region=request.GET.get("region", "")[:6])
    except NotFound:
        raise Http404("不在您的管辖范围内") from None
    today = timezone.localdate()
    period = service_levels.period_of(request.GET.get("period", ""), today)
    return render(request, "reports/service_levels.html", {
        "figures": service_levels.service_levels(view, period, today=today), "title": queries.title_of(view),
        "periods": service_levels.period_choices(today), "regions": regions_to_choose(actor_scope),
        "region": view.code if request.GET.get("region") else "",
        "digest": service_levels.latest_digest(view),
    })
