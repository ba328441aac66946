"""Risk pages: the scope's findings by check, region, hospital, unit and clerk, with trends; a finding's review."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.core.params import year_param
from huzhu.core.views import act_and_redirect
from huzhu.regions.queries import scope_of

from . import queries, rules, services


def claim_queue_risk(scope, claim_ids: list[int]) -> dict[int, queries.ClaimRisk]:
    """The claims queue's risk column (registered with claims), for staff who may see risk."""
    if scope.role not in queries.PAGE_ROLES:
        return {}
    return queries.risk_by_claim(claim_ids, threshold=services.risk_settings().score_threshold)


def claim_page_risk(scope, claim) -> dict:
    """The claim's risk findings with their evidence, for staff who may see risk (not unit contacts)."""
    if scope.role not in queries.PAGE_ROLES:
        return {}
    findings = queries.findings_of_claim(scope, claim.pk)
    risk = queries.risk_by_claim([claim.pk], threshold=services.risk_settings().score_threshold).get(claim.pk)
    return {"risk_findings": findings, "risk": risk, "may_review_risk": scope.role in services.REVIEWER_ROLES}


def _year(request) -> int:
    return year_param(request.GET, default=timezone.localdate().year)


@login_required
def index(request):
    """The risk page of the viewer's scope for a plan year."""
    scope = scope_of(request.user)
    if scope.role not in queries.PAGE_ROLES:
        raise DjangoPermissionDenied
    year = _year(request)
    return render(request, "risk/index.html", {
        "year": year, "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "totals": queries.totals(scope, year), "checks": queries.by_check(scope, year),
        "regions": queries.by_region(scope, year), "region_level": _("盟市") if scope.is_province else _("旗县"),
        "hospitals": queries.by_hospital(scope, year), "units": queries.by_unit(scope, year),
        "clerks": queries.by_clerk(scope, year), "monthly": queries.precision_table(scope, year),
        "chart": _chart(scope, year), "labels": rules.CHECK_LABELS})


def _chart(scope, year: int) -> dict:
    """The trend chart's data with its words in the page's language (the script has no catalogue)."""
    chart = queries.trend(scope, year)
    for series in chart["series"]:
        series["name"] = _(series["name"])
    chart["text"] = {"no_charts": _("图表组件未安装（ECharts），请参阅下方表格。"), "empty": _("暂无风险提示。"),
                     "precision": _("准确率"), "findings_axis": _("提示数"), "precision_axis": _("准确率 %")}
    return chart


@login_required
@require_POST
def review(request, pk: int):
    """The association marks a finding confirmed or a false alarm (from the claim page)."""
    finding = get_object_or_404(queries.findings_in_scope(scope_of(request.user)), pk=pk)
    return act_and_redirect(
        request, lambda: services.review_finding(actor=request.user, finding=finding,
                                                 verdict=request.POST.get("verdict", ""), note=request.POST.get("note", "")),
        to=reverse("claims:detail", kwargs={"pk": finding.claim_id}),
        done=lambda result: _("风险提示“%(check)s”已标记为%(review)s") % {
            "check": _(rules.CHECK_LABELS.get(finding.code, finding.code)), "review": finding.get_review_display()})
