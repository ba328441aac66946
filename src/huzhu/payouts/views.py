"""Payout pages (association; auditors and admins read): parse, call one query or service, render."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huzhu.claims import services as claim_services
from huzhu.core.errors import DomainError, ValidationFailed
from huzhu.core.money import display_yuan
from huzhu.core.params import page_param
from huzhu.core.views import act_and_redirect
from huzhu.members import services as member_services
from huzhu.regions.queries import scope_of
from huzhu.regions.roles import Role

from . import bank_files, queries, rules, services
from .forms import (
    BankAccountForm,
    BankFileTemplateForm,
    BatchFilterForm,
    ColumnFormSet,
    RecoveryCloseForm,
    ReturnFileForm,
    SentForm,
    column_initial,
    columns_of,
)
from .models import PayoutBatch
from .workflow import BATCH
from .workflow import BatchAction as A

MANAGERS = {Role.ASSOCIATION}
READERS = queries.BATCH_READERS
PAGE_SIZE = 50
B = PayoutBatch.Status


def _scope(request, roles=READERS):
    scope = scope_of(request.user)
    if scope.role not in roles:
        raise PermissionDenied
    return scope


@login_required
@require_GET
def batch_list(request):
    scope = _scope(request)
    status = request.GET.get("status", "")
    batches = queries.batches(scope)
    if status in B.values:
        batches = batches.filter(status=status)
    page = Paginator(batches, 25).get_page(page_param(request.GET))
    return render(request, "payouts/batch_list.html", {
        "page": page, "status": status, "statuses": B.choices, "may_manage": scope.role in MANAGERS,
        "failed_queue": queries.failed_queue_size(scope),
    })


@login_required
def batch_new(request):
    scope = _scope(request, MANAGERS)
    form = BatchFilterForm(request.POST if request.method == "POST" else request.GET or None)
    totals = groups = None
    if form.is_bound and form.is_valid():
        if request.method == "POST":
            try:
                batch = services.build_batch(actor=request.user, filters=form.filters())
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("已生成%(batch)s：%(count)s 笔，合计 %(amount)s 元，请由另一位工作人员复核") % {
                    "batch": batch, "count": batch.payout_count, "amount": display_yuan(batch.total_amount)})
                return redirect("payouts:batch_detail", pk=batch.pk)
        totals, groups = queries.ready_totals(scope, form.filters())
    return render(request, "payouts/batch_new.html", {
        "form": form, "totals": totals, "groups": groups,
        "missing_accounts": queries.claims_missing_bank_account(scope).count(),
    })


@login_required
@require_GET
def batch_detail(request, pk: int):
    scope = _scope(request)
    batch = queries.batch_for(scope, pk)
    return _render_detail(request, scope, batch)


def _render_detail(request, scope, batch, *, report=None, status=200):
    may_manage = scope.role in MANAGERS
    actions = set(BATCH.actions_from(batch.status)) if may_manage else set()
    page = Paginator(queries.payouts_of(batch), PAGE_SIZE).get_page(page_param(request.GET))
    templates = list(queries.bank_file_templates(scope, active_only=True)) if may_manage else []
    return render(request, "payouts/batch_detail.html", {
        "batch": batch, "page": page, "breakdown": queries.batch_breakdown(batch),
        "may_manage": may_manage, "may_approve": A.APPROVE in actions and batch.created_by_id != request.user.pk,
        "awaits_checker": A.APPROVE in actions,
        "may_cancel": A.CANCEL in actions, "may_export": A.EXPORT in actions,
        "may_send": A.SEND in actions, "may_import": A.IMPORT_RETURN in actions,
        "sent_form": SentForm(), "return_form": ReturnFileForm(templates=templates), "report": report,
        "imports": batch.return_imports.select_related("imported_by")[:20],
        "return_headers": rules.RETURN_FILE_HEADERS, "templates": templates,
    }, status=status)


def _batch_action(request, pk: int, action, success: str):
    scope = _scope(request, MANAGERS)
    batch = queries.batch_for(scope, pk)
    return act_and_redirect(request, lambda: action(scope, batch), to=reverse("payouts:batch_detail", kwargs={"pk": pk}),
                            done=success)


@login_required
@require_POST
def batch_approve(request, pk: int):
    return _batch_action(request, pk, lambda scope, batch: services.approve_batch(actor=request.user, batch=batch),
                         _("批次已复核，可以导出银行文件"))


@login_required
@require_POST
def batch_cancel(request, pk: int):
    reason = request.POST.get("reason", "")
    return _batch_action(request, pk, lambda scope, batch: services.cancel_batch(actor=request.user, batch=batch,
                                                                                 reason=reason),
                         _("批次已作废，其中的申领可重新生成批次"))


@login_required
@require_POST
def batch_sent(request, pk: int):
    form = SentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写正确的送银行日期"))
        return redirect("payouts:batch_detail", pk=pk)
    return _batch_action(request, pk, lambda scope, batch: services.mark_batch_sent(
        actor=request.user, batch=batch, sent_on=form.cleaned_data["sent_on"]), _("已标记为送银行，等待银行回盘"))


@login_required
@require_GET
def bank_file(request, pk: int, file_format: str):
    scope = _scope(request, MANAGERS)
    batch = queries.batch_for(scope, pk)
    if file_format not in ("csv", "xlsx"):
        raise PermissionDenied
    try:
        services.record_bank_file_export(actor=request.user, batch=batch, file_format=file_format)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("payouts:batch_detail", pk=pk)
    name = f"bank-file-{batch.number}.{file_format}"
    rows = bank_files.bank_file_rows(batch)
    if file_format == "csv":
        response = StreamingHttpResponse(bank_files.csv_chunks(rules.BANK_FILE_HEADERS, rows),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = bank_files.xlsx_file("银行代发", rules.BANK_FILE_HEADERS, rows, text_columns=(2, 5),
                                  money_columns=(4,))
    return FileResponse(spool, as_attachment=True, filename=name, content_type=bank_files.XLSX_TYPE)


def _download(request, batch, *, file_format: str, layout: str, make):
    """Audit the export first (refused: back to the batch with the reason), then send the file `make` builds."""
    try:
        services.record_bank_file_export(actor=request.user, batch=batch, file_format=file_format, layout=layout)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("payouts:batch_detail", pk=batch.pk)
    made = make()
    if made.chunks is not None:
        response = StreamingHttpResponse(made.chunks, content_type=made.content_type)
        response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
        return response
    return FileResponse(made.spool, as_attachment=True, filename=made.file_name, content_type=made.content_type)


@login_required
@require_GET
def bank_file_in_layout(request, pk: int, template_pk: int):
    scope = _scope(request, MANAGERS)
    batch = queries.batch_for(scope, pk)
    template = queries.bank_file_template_for(scope, template_pk)
    return _download(request, batch, file_format=template.file_type, layout=template.name,
                     make=lambda: bank_files.template_file(batch, template))


@login_required
@require_GET
def pain001(request, pk: int):
    scope = _scope(request, MANAGERS)
    batch = queries.batch_for(scope, pk)
    return _download(request, batch, file_format="pain.001", layout="ISO 20022 pain.001.001.09",
                     make=lambda: bank_files.pain001_file(batch, debtor=bank_files.debtor(), created_at=timezone.now(),
                                                          execution_on=timezone.localdate()))


@login_required
@require_POST
def batch_return(request, pk: int):
    scope = _scope(request, MANAGERS)
    batch = queries.batch_for(scope, pk)
    templates = queries.bank_file_templates(scope, active_only=True)
    form = ReturnFileForm(request.POST, request.FILES, templates=templates)
    if not form.is_valid():
        messages.error(request, _("请选择银行回盘文件"))
        return redirect("payouts:batch_detail", pk=pk)
    upload = form.cleaned_data["file"]
    if upload.size > bank_files.MAX_RETURN_FILE_BYTES:
        messages.error(request, _("回盘文件过大"))
        return redirect("payouts:batch_detail", pk=pk)
    template = templates.get(pk=form.cleaned_data["template"]) if form.cleaned_data["template"] else None
    try:
        report = services.import_return_file(actor=request.user, batch=batch, file_name=upload.name,
                                             content=upload.read(), template=template)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("payouts:batch_detail", pk=pk)
    if not report.applied:
        return _render_detail(request, scope, batch, report=report, status=422)
    text = _("回盘已导入：新记已付款 %(paid)s 笔，支付失败 %(failed)s 笔") % {"paid": report.paid, "failed": report.failed}
    if report.unchanged:
        text += _("，%(count)s 笔此前已导入（未重复处理）") % {"count": report.unchanged}
    if report.pending:
        text += _("，%(count)s 笔银行仍在处理中") % {"count": report.pending}
    messages.success(request, text + (_("；本批次已全部对账") if report.reconciled else ""))
    return redirect("payouts:batch_detail", pk=pk)


@login_required
@require_GET
def failed_queue(request):
    scope = _scope(request)
    return render(request, "payouts/failed_queue.html", {
        "payouts": Paginator(queries.failed_payouts_to_resolve(scope), PAGE_SIZE).get_page(page_param(request.GET)),
        "missing": Paginator(queries.claims_missing_bank_account(scope), PAGE_SIZE).get_page(
            page_param(request.GET, "missing_page")),
        "unconfirmed": Paginator(queries.claims_waiting_for_bank_confirmation(scope), PAGE_SIZE).get_page(
            page_param(request.GET, "unconfirmed_page")),
        "recoveries": Paginator(queries.open_recoveries(scope), PAGE_SIZE).get_page(
            page_param(request.GET, "recovery_page")),
        "may_manage": scope.role in MANAGERS, "form": BankAccountForm(), "recovery_form": RecoveryCloseForm(),
    })


@login_required
@require_POST
def resolve_payout(request, pk: int):
    scope = _scope(request, MANAGERS)
    payout = queries.payout_for(scope, pk)
    form = BankAccountForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return act_and_redirect(
        request, lambda: services.resolve_failed_payout(
            actor=request.user, payout=payout, bank_name=data.get("bank_name", ""),
            bank_account=data.get("bank_account", ""), note=data.get("note", "")),
        to="payouts:failed_queue", failed=lambda error: f"{payout.reference}：{error.message}",
        done=lambda result: _("%(reference)s 已处理，申领 #%(number)s 可进入新的支付批次") % {
            "reference": payout.reference, "number": payout.claim_id})


@login_required
@require_POST
def claim_bank_account(request, pk: int):
    scope = _scope(request, MANAGERS)
    claim = queries.claim_for(scope, pk)
    form = BankAccountForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return act_and_redirect(
        request, lambda: member_services.change_bank_account(
            actor=request.user, worker=claim.worker, bank_name=data.get("bank_name", ""),
            bank_account=data.get("bank_account", ""), reason=data.get("note") or f"申领 #{claim.pk} 支付前补录银行账户"),
        to="payouts:failed_queue",
        failed=lambda error: _("申领 #%(number)s：%(message)s") % {"number": claim.pk, "message": error.message},
        done=lambda result: _("已补录%(name)s的银行账户，申领 #%(number)s 可进入支付批次") % {
            "name": claim.worker.name, "number": claim.pk})


@login_required
@require_POST
def close_recovery(request, pk: int):
    scope = _scope(request, MANAGERS)
    recovery = queries.open_recovery_for(scope, pk)
    form = RecoveryCloseForm(request.POST)

    def close():
        if not form.is_valid():
            name, errors = next(iter(form.errors.items()))
            raise ValidationFailed("invalid_form", f"{form.fields[name].label}：{errors[0]}", field=name)
        data = form.cleaned_data
        return claim_services.close_recovery(actor=request.user, recovery=recovery, outcome=data["outcome"],
                                             closed_on=data["closed_on"] or timezone.localdate(), note=data["note"])

    return act_and_redirect(
        request, close, to="payouts:failed_queue",
        failed=lambda error: _("申领 #%(number)s：%(message)s") % {"number": recovery.claim_id, "message": error.message},
        done=lambda result: _("申领 #%(number)s 的应追回补助金 %(amount)s 元已办结：%(status)s") % {
            "number": recovery.claim_id, "amount": display_yuan(result.amount), "status": result.get_status_display()})


# ---------------------------------------------------------------- bank-file templates


@login_required
@require_GET
def bank_templates(request):
    scope = _scope(request)
    return render(request, "payouts/bank_templates.html", {
        "templates": queries.bank_file_templates(scope), "may_manage": scope.role in MANAGERS,
    })


@login_required
def bank_template_edit(request, pk: int | None = None):
    scope = _scope(request, MANAGERS)
    template = queries.bank_file_template_for(scope, pk) if pk is not None else None
    if request.method == "POST":
        form = BankFileTemplateForm(request.POST, instance=template)
        columns = ColumnFormSet(request.POST, prefix="columns")
        if form.is_valid() and columns.is_valid():
            values = services.bank_templates.TemplateValues(**{
                name: form.cleaned_data[name] for name in services.bank_templates.PLAIN_FIELDS},
                columns=columns_of(columns))
            try:
                saved = services.save_bank_file_template(actor=request.user, template=template, values=values)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("模板“%(name)s”已保存") % {"name": saved.name})
                return redirect("payouts:bank_templates")
        else:
            messages.error(request, _("请更正标出的栏目"))
        status = 422
    else:
        form = BankFileTemplateForm(instance=template)
        columns = ColumnFormSet(prefix="columns", initial=column_initial(template))
        status = 200
    return render(request, "payouts/bank_template_form.html", {
        "form": form, "columns": columns, "template": template, "may_manage": True,
    }, status=status)


@login_required
@require_POST
def bank_template_copy(request, pk: int):
    scope = _scope(request, MANAGERS)
    template = queries.bank_file_template_for(scope, pk)
    return act_and_redirect(
        request, lambda: services.copy_bank_file_template(actor=request.user, template=template),
        to=lambda copy: reverse("payouts:bank_template_edit", kwargs={"pk": copy.pk}), back="payouts:bank_templates",
        done=lambda copy: _("已复制为“%(name)s”，请按银行要求修改") % {"name": copy.name})
