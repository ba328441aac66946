"""Pages of partner hospitals (association): the registry, tokens, discharges, reimbursement batches, disputes."""
import io
from datetime import timedelta

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.core.errors import DomainError
from huzhu.core.spreadsheets import xlsx_row
from huzhu.regions.queries import scope_of

from . import queries, services
from .forms import (
    BatchForm,
    HospitalForm,
    PaidForm,
    ReasonForm,
    ResolveForm,
    StatementForm,
    StatusForm,
    TokenForm,
)
from .models import HospitalToken

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request, allowed=queries.may_read):
    scope = scope_of(request.user)
    if not allowed(scope):
        raise HttpForbidden(_("您的角色无权访问合作医院"))
    return scope


@login_required
def index(request):
    scope = _scope(request)
    return render(request, "hospitals/index.html", {
        "hospitals": queries.hospitals(scope), "may_write": queries.may_write(scope),
        "batches": queries.batches(scope)[:20], "disputes": queries.disputes(scope).count(),
        "failed": queries.failed_batches(scope).count()})


@login_required
def hospital_edit(request, pk: int | None = None):
    scope = _scope(request, queries.may_write)
    hospital = queries.hospital_for(scope, pk) if pk else None
    if request.method == "POST":
        form = HospitalForm(request.POST, editing=hospital is not None)
        if form.is_valid():
            try:
                if hospital is None:
                    hospital = services.register_hospital(actor=request.user, fields=form.cleaned_data)
                else:
                    services.update_hospital(actor=request.user, hospital=hospital, fields=form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("合作医院已保存"))
                return redirect("hospitals:detail", pk=hospital.pk)
    else:
        initial = None
        if hospital is not None:
            initial = {name: getattr(hospital, name) for name in ("code", "name", "bank_name", "account_name",
                                                                  "contact_name", "contact_phone")}
            initial.update(league=hospital.league_id, county=hospital.county_id or "")
        form = HospitalForm(initial=initial, editing=hospital is not None)
    return render(request, "hospitals/hospital_form.html", {"form": form, "hospital": hospital})


def _detail(request, hospital, *, new_token: str = "", token_form=None, batch_form=None, status=200):
    scope = scope_of(request.user)
    return render(request, "hospitals/detail.html", {
        "hospital": hospital, "may_write": queries.may_write(scope), "tokens": hospital.tokens.all(),
        "discharges": queries.discharges_of(hospital)[:50], "batches": queries.batches(scope, hospital)[:20],
        "new_token": new_token, "token_form": token_form or TokenForm(),
        "batch_form": batch_form or BatchForm(initial={"through": timezone.localdate() - timedelta(days=1)}),
        "status_form": StatusForm(initial={"status": hospital.status})}, status=status)


@login_required
def detail(request, pk: int):
    return _detail(request, queries.hospital_for(_scope(request), pk))


@login_required
@require_POST
def status(request, pk: int):
    hospital = queries.hospital_for(_scope(request, queries.may_write), pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.set_hospital_status(actor=request.user, hospital=hospital, status=form.cleaned_data["status"])
        messages.success(request, _("合作状态已改为“%(status)s”") % {"status": hospital.get_status_display()})
    return redirect("hospitals:detail", pk=pk)


@login_required
@require_POST
def token_issue(request, pk: int):
    hospital = queries.hospital_for(_scope(request, queries.may_write), pk)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, plain = services.issue_token(actor=request.user, hospital=hospital, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:  # shown once, on this page, never stored
            return _detail(request, hospital, new_token=plain)
    return _detail(request, hospital, token_form=form, status=422)


@login_required
@require_POST
def token_revoke(request, pk: int):
    scope = _scope(request, queries.may_write)
    token = get_object_or_404(HospitalToken.objects.select_related("hospital"), pk=pk)
    queries.hospital_for(scope, token.hospital_id)
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, _("令牌 %(prefix)s… 已吊销") % {"prefix": token.prefix})
    return redirect("hospitals:detail", pk=token.hospital_id)


@login_required
@require_POST
def batch_build(request, pk: int):
    hospital = queries.hospital_for(_scope(request, queries.may_write), pk)
    form = BatchForm(request.POST)
    if form.is_valid():
        try:
            batch = services.build_batch(actor=request.user, hospital=hospital, through=form.cleaned_data["through"])
        except DomainError as exc:
            form.add_error("through", exc.message)
        else:
            return redirect("hospitals:batch", pk=batch.pk)
    return _detail(request, hospital, batch_form=form, status=422)


def _batch_page(request, batch, *, statement_form=None, paid_form=None, reason_form=None, status=200):
    scope = scope_of(request.user)
    return render(request, "hospitals/batch.html", {
        "batch": batch, "lines": queries.batch_lines(batch), "may_write": queries.may_write(scope),
        "statement_form": statement_form or StatementForm(), "paid_form": paid_form or PaidForm(),
        "reason_form": reason_form or ReasonForm()}, status=status)


@login_required
def batch(request, pk: int):
    return _batch_page(request, queries.batch_for(_scope(request), pk))


@login_required
def batch_lines(request, pk: int):
    record = queries.batch_for(_scope(request), pk)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("垫付明细"))
    sheet.append([_("结算流水号"), _("互助补助金"), _("姓名"), _("身份证号（脱敏）"), _("入院日期"), _("出院日期"), _("结算日期"),
                  _("互助结算单号")])
    for line in queries.batch_lines(record).iterator(chunk_size=2000):
        sheet.append(xlsx_row(sheet, [line.serial, line.benefit_amount, line.patient_name, line.id_masked,
                                      line.admitted_on, line.discharged_on, line.settled_on, f"HZD{line.pk:010d}"]))
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="hospital-batch-{record.pk}.xlsx"'
    return response


def _money_step(request, pk: int, form_class, step, form_key: str, done: str):
    record = queries.batch_for(_scope(request, queries.may_write), pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            step(record, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done)
            return redirect("hospitals:batch", pk=pk)
    record.refresh_from_db()
    return _batch_page(request, record, status=422, **{form_key: form})


@login_required
@require_POST
def batch_statement(request, pk: int):
    def step(record, data):
        upload = data["file"]
        services.import_statement(actor=request.user, batch=record, file_name=upload.name, content=upload.read())
    return _money_step(request, pk, StatementForm, step, "statement_form", _("对账单已导入"))


@login_required
@require_POST
def batch_paid(request, pk: int):
    return _money_step(request, pk, PaidForm, lambda record, data: services.mark_batch_paid(
        actor=request.user, batch=record, paid_on=data["paid_on"]), "paid_form", _("已记为付款"))


@login_required
@require_POST
def batch_failed(request, pk: int):
    return _money_step(request, pk, ReasonForm, lambda record, data: services.mark_batch_failed(
        actor=request.user, batch=record, reason=data["reason"]), "reason_form", _("已记为付款失败，明细可重新结算"))


@login_required
@require_POST
def batch_cancel(request, pk: int):
    return _money_step(request, pk, ReasonForm, lambda record, data: services.cancel_batch(
        actor=request.user, batch=record, reason=data["reason"]), "reason_form", _("批次已作废"))


@login_required
def disputes(request):
    scope = _scope(request)
    return render(request, "hospitals/disputes.html", {
        "lines": queries.disputes(scope)[:200], "failed": queries.failed_batches(scope)[:50],
        "may_write": queries.may_write(scope), "form": ResolveForm()})


@login_required
@require_POST
def dispute_resolve(request, pk: int):
    line = queries.discharge_for(_scope(request, queries.may_write), pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_dispute(actor=request.user, discharge=line, note=form.cleaned_data["note"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("争议已处理，该笔可列入下一批次"))
    else:
        messages.error(request, _("请填写处理说明"))
    return redirect("hospitals:disputes")
