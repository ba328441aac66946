"""Plan-year configuration pages (association; auditors read only): parse, call one service, render."""
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.core.errors import DomainError
from huzhu.core.params import int_param
from huzhu.core.views import act_and_redirect
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role

from . import queries, services, workflow
from .diff import diff_documents
from .forms import TermsForm, TermsJsonForm
from .rules import claim_deadline

READ_ROLES = {Role.ASSOCIATION, Role.AUDITOR}
WRITE_ROLES = {Role.ASSOCIATION}


def can_change_plans(user) -> bool:
    return scope_of(user).role in WRITE_ROLES


def _allowed(*, write: bool):
    """Only the association changes plan years; auditors and administrators may read them."""
    roles = WRITE_ROLES if write else READ_ROLES

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if scope_of(request.user).role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)
        return wrapper
    return decorator


def _plan_year_or_404(plan: str, year: int):
    found = queries.any_plan_year(plan, year)
    if found is None:
        raise Http404
    return found


@_allowed(write=False)
def index(request):
    plans = queries.plans_with_years()
    existing = {(y.plan_id, y.year) for p in plans for y in p.years.all()}
    return render(request, "plans/index.html", {
        "plans": plans, "existing": existing, "can_change": can_change_plans(request.user),
    })


@_allowed(write=False)
def year_detail(request, plan: str, year: int):
    plan_year = _plan_year_or_404(plan, year)
    versions = list(queries.versions_of(plan_year))
    terms = plan_year.terms if plan_year.current_version_id else None
    return render(request, "plans/year_detail.html", {
        "plan_year": plan_year, "terms": terms, "versions": versions,
        "claim_deadline_on": claim_deadline(terms) if terms else None,
        "next_year_exists": queries.any_plan_year(plan, year + 1) is not None,
        "can_change": can_change_plans(request.user), "actions": workflow.PLAN_YEAR.actions_from(plan_year.status),
    })


@_allowed(write=True)
def new_version(request, plan: str, year: int):
    plan_year = _plan_year_or_404(plan, year)
    if workflow.PLAN_YEAR.transition_for(plan_year.status, workflow.Action.REVISE) is None:
        messages.error(request, _("%(year)s 已结算，条款不能再修改。") % {"year": plan_year})
        return redirect("plans:year_detail", plan=plan, year=year)
    mode = request.POST.get("mode") or request.GET.get("mode") or "form"
    base = plan_year.current_version.document
    based_on = plan_year.current_version.number
    data = request.POST if request.method == "POST" else None
    form = TermsJsonForm(base, data) if mode == "json" else TermsForm(base, data)
    reason = request.POST.get("reason", "")
    reason_error = ""
    if data is not None and form.is_valid():
        try:
            version = services.publish_terms(actor=request.user, plan_code=plan, year=year, document=form.document,
                                             reason=reason, based_on=int_param(request.POST, "based_on", based_on))
        except DomainError as exc:
            if exc.field == "reason":
                reason_error = exc.message
            else:
                messages.error(request, exc.message)
        else:
            messages.success(request, _("已发布第 %(number)s 版条款。") % {"number": version.number})
            return redirect("plans:year_detail", plan=plan, year=year)
    return render(request, "plans/new_version.html", {
        "plan_year": plan_year, "form": form, "mode": mode, "reason": reason, "reason_error": reason_error,
        "based_on": based_on, "reason_required": plan_year.status == plan_year.Status.OPEN,
    })


@_allowed(write=False)
def version_diff(request, plan: str, year: int):
    plan_year = _plan_year_or_404(plan, year)
    versions = {v.number: v for v in queries.versions_of(plan_year)}
    if not versions:
        raise Http404
    after = int_param(request.GET, "to", max(versions))
    before = int_param(request.GET, "from", after - 1)
    if after not in versions or before not in versions:
        raise Http404
    return render(request, "plans/version_diff.html", {
        "plan_year": plan_year, "before": versions[before], "after": versions[after],
        "changes": diff_documents(versions[before].document, versions[after].document),
        "versions": sorted(versions.values(), key=lambda v: v.number),
    })


def _transition(request, plan: str, year: int, action, done: str):
    plan_year = _plan_year_or_404(plan, year)
    return act_and_redirect(request, lambda: action(actor=request.user, plan_year=plan_year), done=done,
                            to=reverse("plans:year_detail", kwargs={"plan": plan, "year": year}))


@require_POST
@_allowed(write=True)
def open_year(request, plan: str, year: int):
    return _transition(request, plan, year, services.open_plan_year,
                       _("方案已开放；此后修改条款须填写原因并生成新版本。"))


@require_POST
@_allowed(write=True)
def close_year(request, plan: str, year: int):
    return _transition(request, plan, year, services.close_plan_year, _("方案已结算，条款不能再修改。"))


@require_POST
@_allowed(write=True)
def copy_year(request, plan: str, year: int):
    source = _plan_year_or_404(plan, year)
    return act_and_redirect(
        request, lambda: services.copy_plan_year(actor=request.user, source=source),
        back=reverse("plans:year_detail", kwargs={"plan": plan, "year": year}),
        to=lambda version: reverse("plans:year_detail", kwargs={"plan": plan, "year": version.plan_year.year}),
        done=_("已按 %(year)s 年度条款创建 %(next)s 年度草案。") % {"year": year, "next": year + 1})
