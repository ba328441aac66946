"""Risk pages: the scope's findings by check, region, hospital, unit and clerk, with trends; a finding's review;
the post-audit sample's queue and outcomes."""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huzhu.claims import queries as claims_queries
from huzhu.core.errors import DomainError
from huzhu.core.params import page_param, year_param
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
        "chart": _chart(scope, year), "labels": rules.CHECK_LABELS,
        "post_audit": queries.post_audit_by_month(scope, year)})


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


# --- the post-audit sample (事后抽查) ---------------------------------------------------------------
def _post_audit_scope(request):
    scope = scope_of(request.user)
    if scope.role not in queries.PAGE_ROLES:
        raise DjangoPermissionDenied
    return scope


@login_required
@require_GET
def post_audit(request):
    """The post-audit queue: samples in the viewer's region, filtered by month, outcome and county, 30 a page."""
    scope = _post_audit_scope(request)
    month = rules.parse_month(request.GET.get("month"))
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in queries.OUTCOME.values else ""
    counties = queries.post_audit_counties(scope)
    county = request.GET.get("county", "")
    county = county if county in {code for code, _name in counties} else ""
    samples = queries.post_audit_queue(scope, month=month, outcome=outcome, county=county)
    page = Paginator(samples, queries.QUEUE_PAGE_SIZE).get_page(page_param(request.GET))
    threshold = services.risk_settings().score_threshold
    for sample in page:
        sample.stratum_label = rules.stratum_label(sample.stratum, threshold, _)
    due = rules.previous_month(timezone.localdate())
    may_draw = scope.role in services.POST_AUDIT_DRAWERS
    return render(request, "risk/post_audit.html", {
        "page": page, "months": queries.post_audit_months(), "month": month, "outcome": outcome, "county": county,
        "counties": counties, "outcomes": queries.OUTCOME.choices,
        "search_query": urlencode({k: v for k, v in (("month", month.strftime("%Y-%m") if month else ""),
                                                     ("outcome", outcome), ("county", county)) if v}),
        "may_draw": may_draw, "due_month": due, "due_drawn": may_draw and queries.is_drawn(due),
        "share": _share_shown() if may_draw else None})


def _share_shown():
    """The configured share, or the refusal's words when the setting is wrong (the draw itself refuses it)."""
    try:
        return services.post_audit_share()
    except DomainError as error:
        return error.message


@login_required
@require_POST
def draw_post_audit(request):
    """The association draws the sample of last month's automatic approvals (again: the same draw)."""
    scope = _post_audit_scope(request)
    if scope.role not in services.POST_AUDIT_DRAWERS:
        raise DjangoPermissionDenied
    today = timezone.localdate()
    month = rules.previous_month(today)
    drawn_before = queries.is_drawn(month)
    return act_and_redirect(
        request, lambda: services.draw_post_audit(actor=request.user, month=month, today=today),
        to=lambda draw: f"{reverse('risk:post_audit')}?{urlencode({'month': draw.month.strftime('%Y-%m')})}",
        back=reverse("risk:post_audit"),
        done=lambda draw: (_("%(month)s 的样本此前已抽取") if drawn_before else
                           _("已抽取 %(month)s 的事后抽查样本：%(sampled)s 件（自动审批 %(candidates)s 件）")) % {
            "month": draw.month.strftime("%Y-%m"), "sampled": draw.samples.count(), "candidates": draw.candidates})


@login_required
@require_GET
def post_audit_detail(request, pk: int):
    """A sample: the claim's summary (through claims' queries), its findings, and the outcome form."""
    scope = _post_audit_scope(request)
    sample = queries.post_audit_sample(scope, pk)
    claim = claims_queries.claim_with_worker(scope, sample.claim_id)
    threshold = services.risk_settings().score_threshold
    return render(request, "risk/post_audit_detail.html", {
        "sample": sample, "claim": claim, "stratum_label": rules.stratum_label(sample.stratum, threshold, _),
        "findings": queries.findings_of_claim(scope, sample.claim_id), "labels": rules.CHECK_LABELS,
        "may_decide": scope.role in services.POST_AUDIT_DECIDERS and sample.outcome == queries.OUTCOME.PENDING,
        "outcomes": [c for c in queries.OUTCOME.choices if c[0] != queries.OUTCOME.PENDING]})


@login_required
@require_POST
def post_audit_outcome(request, pk: int):
    """The association records a sample's outcome (once)."""
    scope = _post_audit_scope(request)
    if scope.role not in services.POST_AUDIT_DECIDERS:
        raise DjangoPermissionDenied
    sample = queries.post_audit_sample(scope, pk)
    here = reverse("risk:post_audit_detail", kwargs={"pk": pk})
    return act_and_redirect(
        request, lambda: services.record_post_audit_outcome(
            actor=request.user, sample=sample, outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""), amount=request.POST.get("amount") or None),
        to=here, done=lambda result: _("申领 #%(number)s 的抽查结论已记录：%(outcome)s") % {
            "number": result.claim_id, "outcome": result.get_outcome_display()})
