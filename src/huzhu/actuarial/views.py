"""Actuarial pages: the association runs studies, auditors read them; everybody else gets 403."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from huzhu.core.errors import DomainError
from huzhu.core.params import page_param, parse_integer, year_param
from huzhu.core.views import act_and_redirect
from huzhu.plans.forms import TermsForm
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role

from . import charts, queries, reports, services
from .ibnr import GRAINS, METHODS
from .models import Study
from .tasks import run_study_task

VIEW_ROLES = {Role.ASSOCIATION, Role.AUDITOR}
PLANS = (("hospitalization", gettext_lazy("住院互助")), ("women_health", gettext_lazy("女性馨康")))


def _scope(request, *, write: bool = False):
    scope = scope_of(request.user)
    if scope.role not in VIEW_ROLES or (write and scope.role != Role.ASSOCIATION):
        raise HttpForbidden("您的角色无权使用精准测算" if not write else "审计人员只能查看测算结果")
    return scope


def _years(request) -> list[int]:
    return sorted({y for y in map(parse_integer, request.POST.getlist("years")) if y is not None})


def _percent(text: str | None):
    text = (text or "").strip().rstrip("%")
    if not text:
        return None
    try:
        return float(text) / 100
    except ValueError:
        return text  # the schema reports it


def _blank_none(text: str | None):
    text = (text or "").strip().replace(",", "")
    return text or None


def _inputs_from_form(kind: str, post) -> dict:
    data: dict = {"plan": post.get("plan") or "hospitalization"}
    if kind in ("experience", "reserve") and _blank_none(post.get("as_of")):
        data["as_of"] = post.get("as_of")  # the valuation date: an open year's exposure counts to it
    if kind == "experience":
        data.update(years=[y for y in map(parse_integer, post.getlist("years")) if y is not None])
        if _percent(post.get("confidence")) is not None:
            data["confidence"] = _percent(post.get("confidence"))
    elif kind == "ibnr":
        data.update(year=_blank_none(post.get("year")), grain=post.get("grain") or "OMDM")
        if _blank_none(post.get("as_of")):
            data["as_of"] = post.get("as_of")
        if _percent(post.get("expected_loss_ratio")) is not None:
            data["expected_loss_ratio"] = _percent(post.get("expected_loss_ratio"))
        if post.getlist("regulatory_methods"):
            data["regulatory_methods"] = post.getlist("regulatory_methods")
        for name in ("bootstrap_simulations", "seed"):
            if _blank_none(post.get(name)) is not None:
                data[name] = _blank_none(post.get(name))
    elif kind == "pricing":
        data["years"] = [int(y) for y in post.getlist("years") if y.isdigit()]
        for name in ("prior_burning_cost", "cost_factor", "whatif_study"):
            if _blank_none(post.get(name)) is not None:
                data[name] = _blank_none(post.get(name))
        for name in ("trend", "benefit_share"):
            if _percent(post.get(name)) is not None:
                data[name] = _percent(post.get(name))
    elif kind == "reserve":
        data.update(years=[y for y in map(parse_integer, post.getlist("years")) if y is not None],
                    parameter_uncertainty=post.get("parameter_uncertainty") is not None)
        for name in ("next_exposure", "contribution_amount", "reserve_amount", "simulations", "seed", "cost_factor"):
            if _blank_none(post.get(name)) is not None:
                data[name] = _blank_none(post.get(name))
        for name in ("target_loss_ratio", "shortfall_probability", "benefit_share"):
            if _percent(post.get(name)) is not None:
                data[name] = _percent(post.get(name))
    return data


@login_required
def index(request):
    scope = _scope(request)
    plan_years = list(queries.study_plan_years())
    today = timezone.localdate()
    # IBNR is asked of a year whose protection period has begun: the latest such year, never next year's
    begun = [p.year for p in plan_years if p.current_version and p.terms.protection_start_on <= today]
    return render(request, "actuarial/index.html", {
        "ibnr_year": max(begun, default=None),
        "studies": Paginator(queries.studies(scope), 50).get_page(page_param(request.GET)), "may_run": scope.role == Role.ASSOCIATION, "plans": PLANS,
        "whatif_studies": queries.finished_whatif_studies(scope)[:50],
        "years": sorted({p.year for p in plan_years}), "plan_years": plan_years, "grains": [(code, _(name)) for code, name in GRAINS.items()],
        "methods": [(code, _(name), code in ("chain_ladder", "bornhuetter_ferguson")) for code, name in METHODS.items()],
    })


@login_required
@require_POST
def create(request, kind: str):
    _scope(request, write=True)
    if kind not in ("experience", "ibnr", "reserve", "pricing"):
        raise Http404
    try:
        study = services.create_study(actor=request.user, kind=kind, data=_inputs_from_form(kind, request.POST),
                                      title=request.POST.get("title", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("actuarial:index")
    _queue_run(study)
    return redirect("actuarial:detail", pk=study.pk)


@login_required
@require_http_methods(["GET", "POST"])
def whatif(request):
    scope = _scope(request, write=True)
    source = request.POST if request.method == "POST" else request.GET
    plan = source.get("plan") or "hospitalization"
    base_year = year_param(source, "base_year")
    plan_years = [p for p in queries.study_plan_years() if p.plan_id == plan]
    if not plan_years:
        raise Http404("尚无年度方案")
    base = next((p for p in plan_years if p.year == base_year), plan_years[-1])
    form = TermsForm(base.current_version.document, request.POST if request.method == "POST" else None)
    chosen = _years(request) if request.method == "POST" else [p.year for p in plan_years if p.year <= base.year]
    if request.method == "POST" and form.is_valid():
        try:
            study = services.create_study(
                actor=request.user, kind="whatif", title=request.POST.get("title", ""),
                data={"plan": plan, "years": chosen, "base_year": base.year, "terms": form.document})
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            _queue_run(study)
            return redirect("actuarial:detail", pk=study.pk)
    return render(request, "actuarial/whatif_form.html", {
        "form": form, "plan": plan, "base": base, "plan_years": plan_years, "chosen": chosen, "scope": scope,
        "title": request.POST.get("title", ""), "plans": PLANS})


def _queue_run(study: Study) -> None:
    """Run a study that was just saved, once its row is committed (inline without a broker)."""
    transaction.on_commit(lambda: run_study_task.delay(study.pk))


def _study(request, pk: int) -> Study:
    return get_object_or_404(queries.studies(_scope(request)), pk=pk)


@login_required
def detail(request, pk: int):
    study = _study(request, pk)
    return render(request, "actuarial/detail.html", {
        "study": study, "results": study.results, "charts": _page_charts(study) if study.status == Study.Status.DONE else [], "inputs": reports.input_rows(study), "may_run": scope_of(request.user).role == Role.ASSOCIATION})


def _page_charts(study: Study) -> dict:
    """The study's charts for ECharts, their words in the page's language (the PDF keeps Chinese)."""
    def translate(text: str) -> str:
        return _(text) if text else text  # gettext("") would be the catalogue's header

    return {"text": {"no_charts": _("图表组件未安装（ECharts），请参阅下方表格。"), "low": _("区间下限"),
                     "high": _("区间上限")},
            "charts": [{**chart, "title": charts.chart_title(chart, translate),
                        "series": [(translate(name), values) for name, values in chart["series"]],
                        "labels": [translate(label) for label in chart["labels"]],
                        "marker_label": translate(chart.get("marker_label", ""))}
                       for chart in charts.chart_series(study.kind, study.results)]}


@login_required
def progress(request, pk: int):
    """The progress line a running study's page polls (htmx); a finished study reloads the page."""
    study = _study(request, pk)
    response = render(request, "actuarial/_progress.html", {"study": study})
    if not study.is_running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def rerun(request, pk: int):
    _scope(request, write=True)
    study = _study(request, pk)
    return act_and_redirect(request, lambda: run_study_task.delay(study.pk, True),
                            to=reverse("actuarial:detail", kwargs={"pk": study.pk}))


@login_required
def pdf(request, pk: int):
    study = _study(request, pk)
    if study.status != Study.Status.DONE:
        raise Http404("测算尚未完成")
    response = HttpResponse(reports.render_pdf(study), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="actuarial-{study.pk}.pdf"'
    return response


@login_required
def xlsx(request, pk: int):
    study = _study(request, pk)
    if study.status != Study.Status.DONE:
        raise Http404("测算尚未完成")
    response = HttpResponse(reports.render_xlsx(study),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="actuarial-{study.pk}.xlsx"'
    return response
