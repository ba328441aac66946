"""Enrollment pages: parse the request, call one service or query, render. Chinese UI, English through i18n."""
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.core.errors import DomainError
from huzhu.core.jobs import enqueue
from huzhu.core.params import id_param, ids_param, page_param, parse_date
from huzhu.core.views import act_and_redirect
from huzhu.members.queries import resolve_unit, units_in_scope, worker_for
from huzhu.plans import queries as plan_queries
from huzhu.regions.queries import counties_in_scope, scope_of
from huzhu.regions.roles import Role
from huzhu.security import worker_session

from . import certificates, queries, receipts, roster_files, rules, services
from .models import Enrollment, ImportJob
from .queries import imports as import_queries
from .services.workflow import ENROLLMENT, Action
from .tasks import commit_import_task, validate_import_task

WRITE_ROLES = {Role.UNIT, Role.AGENCY}
PAY_ROLES = {Role.AGENCY}
PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request, roles=None):
    scope = scope_of(request.user)
    if roles is not None and scope.role not in roles:
        raise HttpForbidden("您的角色无权执行此操作")
    return scope


def _parse_date(text: str, field: str, label: str) -> date:
    value = parse_date(text)
    if value is None:
        raise DomainError("invalid_date", _("%(label)s格式不正确，应为YYYY-MM-DD") % {"label": label}, field=field)
    return value


def _fail(request, exc: DomainError, target: str):
    messages.error(request, exc.message)
    return redirect(target)


@login_required
def index(request):
    scope = _scope(request)
    filters = {"plan_year_id": id_param(request.GET, "plan_year"), "text": request.GET.get("q", "").strip()[:100],
               "status": request.GET.get("status", "") if request.GET.get("status") in Enrollment.Status.values else "",
               "county_code": request.GET.get("county", "")[:6]}
    page = Paginator(queries.search_enrollments(scope, **filters), PAGE_SIZE).get_page(page_param(request.GET))
    search_query = urlencode({key: value for key, value in (
        ("plan_year", filters["plan_year_id"] or ""), ("status", filters["status"]), ("q", filters["text"]),
        ("county", filters["county_code"])) if value})
    can_write = scope.role in WRITE_ROLES
    return render(request, "enrollment/index.html", {
        "page": page, "enrollments": page, "can_write": can_write, "filters": filters, "search_query": search_query,
        "statuses": Enrollment.Status.choices, "all_plan_years": plan_queries.plan_years_with_terms(),
        "counties": counties_in_scope(scope),
        "plan_years": queries.enrollable_plan_years(on=timezone.localdate()),
    })


@login_required
@require_POST
def start(request):
    scope = _scope(request, WRITE_ROLES)
    if id_param(request.POST, "unit"):  # picked from the search list
        unit = get_object_or_404(units_in_scope(scope), pk=id_param(request.POST, "unit"))
    else:  # typed without JavaScript: a credit code or a name that means one unit
        unit, problem = resolve_unit(scope, request.POST.get("unit_text", "")[:100])
        if unit is None:
            messages.error(request, problem)
            return redirect("enrollment:index")
    plan_year = get_object_or_404(queries.open_plan_years_for_enrollment(), pk=request.POST.get("plan_year") or 0)
    if request.POST.get("renew"):
        return redirect(f"{reverse('enrollment:renew')}?unit={unit.pk}&plan_year={plan_year.pk}")
    return act_and_redirect(request, lambda: services.start_enrollment(actor=request.user, unit=unit, plan_year=plan_year),
                            back="enrollment:index", to=lambda enrollment: reverse("enrollment:detail", args=[enrollment.pk]))


@login_required
def renew(request):
    scope = _scope(request, WRITE_ROLES)
    source = request.POST if request.method == "POST" else request.GET
    unit = get_object_or_404(units_in_scope(scope), pk=id_param(source, "unit") or 0)
    plan_year = get_object_or_404(queries.open_plan_years_for_enrollment(), pk=id_param(source, "plan_year") or 0)
    if request.method == "POST":
        return act_and_redirect(
            request, lambda: services.renew_enrollment(actor=request.user, unit=unit, plan_year=plan_year),
            back="enrollment:index", to=lambda enrollment: reverse("enrollment:detail", args=[enrollment.pk]),
            done=lambda enrollment: _("已按上年度名单生成续互，共%(count)s人，请核对后提交") % {"count": enrollment.headcount})
    preview = queries.renewal_preview(unit, plan_year, on=timezone.localdate())
    return render(request, "enrollment/renew.html", {"preview": preview})


@login_required
def detail(request, pk: int):
    scope = _scope(request)
    enrollment = queries.enrollment_for(scope, pk)
    actions = ENROLLMENT.actions_from(enrollment.status)
    is_draft = Action.EDIT in actions
    can_write = scope.role in WRITE_ROLES
    today = timezone.localdate()
    return render(request, "enrollment/detail.html", {
        "enrollment": enrollment, "terms": enrollment.plan_year.terms,
        "participation": queries.participation_for(enrollment),
        "coverages": queries.coverages_of(enrollment),
        "candidates": queries.roster_candidates(enrollment, on=today) if is_draft and can_write else [],
        "jobs": import_queries.import_jobs_of(enrollment)[:10],
        "can_write": can_write and bool(actions), "actions": actions if can_write else [],
        "can_pay": scope.role in PAY_ROLES and Action.PAY in actions,
        "is_draft": is_draft, "today": today,
        "can_record_leaving": can_write and enrollment.status == Enrollment.Status.PAID,
        "payment_reference": rules.payment_reference(enrollment.pk),
    })


def _enrollment_action(request, pk: int, action, success: str | Callable[[Any], str], roles=WRITE_ROLES):
    # `success` is a message, or builds one from what `action` returned (translated when the request runs).
    scope = _scope(request, roles)
    enrollment = queries.enrollment_for(scope, pk)
    return act_and_redirect(request, lambda: action(scope, enrollment), done=success,
                            to=reverse("enrollment:detail", args=[enrollment.pk]))


@login_required
@require_POST
def add_workers(request, pk: int):
    ids = ids_param(request.POST, "worker")
    return _enrollment_action(request, pk, lambda scope, e: services.add_workers(
        actor=request.user, enrollment=e, worker_ids=ids), lambda count: _("已加入%(count)s人") % {"count": count})


@login_required
@require_POST
def remove_workers(request, pk: int):
    ids = ids_param(request.POST, "worker")
    return _enrollment_action(request, pk, lambda scope, e: services.remove_workers(
        actor=request.user, enrollment=e, worker_ids=ids), lambda count: _("已移出%(count)s人") % {"count": count})


@login_required
@require_POST
def submit(request, pk: int):
    return _enrollment_action(request, pk, lambda scope, e: services.submit_enrollment(
        actor=request.user, enrollment=e), _("已提交，等待代办点登记缴费"))


@login_required
@require_POST
def withdraw(request, pk: int):
    return _enrollment_action(request, pk, lambda scope, e: services.withdraw_enrollment(
        actor=request.user, enrollment=e), _("已撤回为草稿"))


@login_required
@require_POST
def cancel(request, pk: int):
    return _enrollment_action(request, pk, lambda scope, e: services.cancel_enrollment(
        actor=request.user, enrollment=e, reason=request.POST.get("reason", "")), _("已撤销"))


@login_required
@require_POST
def pay(request, pk: int):
    def action(scope, enrollment):
        return services.record_payment(
            actor=request.user, enrollment=enrollment, amount=request.POST.get("amount", ""),
            paid_on=_parse_date(request.POST.get("paid_on", ""), "paid_on", _("缴费日期")),
            bank_reference=request.POST.get("bank_reference", ""))
    return _enrollment_action(request, pk, action, _("已登记缴费，保障凭证已生成"), roles=PAY_ROLES)


@login_required
@require_POST
def hire(request, pk: int):
    def action(scope, enrollment):
        started = request.POST.get("started_on", "")
        return services.add_new_hire(
            actor=request.user, enrollment=enrollment, name=request.POST.get("name", ""),
            id_number=request.POST.get("id_number", ""), phone=request.POST.get("phone", ""),
            started_on=_parse_date(started, "started_on", _("入职日期")) if started else None).name
    return _enrollment_action(request, pk, action,
                              lambda name: _("已登记新职工%(name)s并加入本次参互") % {"name": name})


@login_required
@require_POST
def leave(request, pk: int, worker_pk: int):
    def action(scope, enrollment):
        worker = worker_for(scope, worker_pk)
        services.record_leaving(actor=request.user, worker=worker,
                                left_on=_parse_date(request.POST.get("left_on", ""), "left_on", _("离职日期")))
        return worker.name
    return _enrollment_action(request, pk, action,
                              lambda name: _("已登记%(name)s离职，保障持续到保障期末") % {"name": name})


@login_required
@require_POST
def upload(request, pk: int):
    scope = _scope(request, WRITE_ROLES)
    enrollment = queries.enrollment_for(scope, pk)
    upload_file = request.FILES.get("file")
    try:
        job = services.create_import_job(actor=request.user, enrollment=enrollment,
                                         file_name=upload_file.name if upload_file else "", upload=upload_file)
    except DomainError as exc:
        return _fail(request, exc, reverse("enrollment:detail", args=[pk]))
    enqueue(validate_import_task, job.pk)
    return redirect("enrollment:import_job", job.pk)


@login_required
def import_job(request, pk: int):
    job = import_queries.import_job_for(_scope(request), pk)
    return render(request, "enrollment/import_job.html", _job_context(job))


@login_required
def import_progress(request, pk: int):
    job = import_queries.import_job_for(_scope(request), pk)
    return render(request, "enrollment/_import_status.html", _job_context(job))


def _job_context(job: ImportJob) -> dict:
    return {"job": job, "enrollment": job.enrollment,
            "errors": import_queries.import_error_sample(job) if job.error_count else [],
            "error_fields": import_queries.import_error_summary(job) if job.error_count else [],
            "preview": import_queries.import_preview(job) if job.status == ImportJob.Status.VALIDATED else []}


@login_required
@require_POST
def import_commit(request, pk: int):
    scope = _scope(request, WRITE_ROLES)
    job = import_queries.import_job_for(scope, pk)
    policy = request.POST.get("policy", "")
    if job.status == ImportJob.Status.VALIDATED:
        if policy == ImportJob.Policy.ALL_OR_NOTHING and job.error_count:
            messages.error(request, _("文件中有%(count)s行错误，不能全部导入") % {"count": job.error_count})
        else:
            enqueue(commit_import_task, job.pk, policy, request.user.pk)
    return redirect("enrollment:import_job", job.pk)


@login_required
@require_POST
def import_discard(request, pk: int):
    scope = _scope(request, WRITE_ROLES)
    job = import_queries.import_job_for(scope, pk)
    return act_and_redirect(request, lambda: services.discard_import(actor=request.user, job=job),
                            to=reverse("enrollment:detail", args=[job.enrollment_id]),
                            done=_("已放弃本次导入，未导入任何数据。请修正名册后重新上传"))


@login_required
def import_errors(request, pk: int):
    job = import_queries.import_job_for(_scope(request), pk)
    response = HttpResponse(roster_files.error_report_xlsx(import_queries.import_errors(job)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="errors-{job.pk}.xlsx"'
    return response


@login_required
def template(request, fmt: str):
    content, kind = (roster_files.template_csv(), "text/csv") if fmt == "csv" else (roster_files.template_xlsx(), XLSX)
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="roster-template.{fmt}"'
    return response


@login_required
def receipt(request, pk: int):
    enrollment = queries.enrollment_for(_scope(request), pk)
    if enrollment.status != Enrollment.Status.PAID:
        messages.error(request, _("缴费登记后才能下载参互回执"))
        return redirect("enrollment:detail", pk)
    response = HttpResponse(receipts.render_receipt(enrollment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{enrollment.pk}.pdf"'
    return response


@worker_session.worker_required
def my_coverage(request):
    """The signed-in worker's coverages (phone page) with their standing today; signing in needs the SMS code."""
    return render(request, "enrollment/my_coverage.html", {"coverages": queries.own_coverages(request.worker_id)})


@worker_session.worker_required
def my_certificate(request, pk: int):
    """The electronic certificate (电子保障凭证) of one own coverage, with the QR code of its public check."""
    own = queries.own_coverage(request.worker_id, pk)
    if not own.has_certificate:
        raise Http404
    url = request.build_absolute_uri(reverse("verify_certificate", args=[certificates.certificate_token(
        own.coverage.certificate_no)]))
    return render(request, "enrollment/my_certificate.html",
                  {"own": own, "coverage": own.coverage, "verify_url": url, "qr_svg": certificates.qr_svg(url)})


@worker_session.worker_required
def my_receipt(request, pk: int):
    """The worker's contribution receipt (互助金缴费凭证) of one paid coverage, as a PDF."""
    own = queries.own_coverage(request.worker_id, pk)
    if not own.has_certificate:
        raise Http404
    response = HttpResponse(receipts.render_coverage_receipt(own.coverage), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{own.coverage.certificate_no}.pdf"'
    return response


def verify_certificate(request, token: str):
    """Public: anyone who scans a certificate sees whether it is valid, with a masked name only."""
    verification = certificates.verify(token)
    response = render(request, "enrollment/verify_certificate.html", {"verification": verification},
                      status=200 if verification.is_known else 404)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response
