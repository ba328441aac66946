"""Pages of the settlement feed: agreements, uploads, an import's progress, outcomes and error report."""
import io

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.core.errors import DomainError
from huzhu.core.jobs import enqueue
from huzhu.core.spreadsheets import xlsx_row
from huzhu.regions.queries import scope_of

from . import queries, services
from .forms import AgreementForm, UploadForm
from .models import SettlementImport, SettlementRow
from .tasks import run_settlement_import_task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request, allowed=queries.may_read):
    scope = scope_of(request.user)
    if not allowed(scope):
        raise HttpForbidden(_("您的角色无权访问医保结算数据"))
    return scope


@login_required
def index(request):
    scope = _scope(request)
    agreements = list(queries.agreements(scope))
    today = timezone.localdate()
    active = [a for a in agreements if a.covers(today)]
    return render(request, "settlements/index.html", {
        "jobs": queries.imports_in_scope(scope)[:50], "agreements": agreements,
        "may_write": queries.may_write(scope), "form": UploadForm(agreements=active), "has_active": bool(active)})


@login_required
@require_POST
def upload(request):
    _scope(request, queries.may_write)
    upload_file = request.FILES.get("file")
    agreement = request.POST.get("agreement")
    try:
        job = services.create_settlement_import(
            actor=request.user, file_name=upload_file.name if upload_file else "", upload=upload_file,
            agreement_id=int(agreement) if agreement and agreement.isdigit() else None,
            mode=request.POST.get("mode", SettlementImport.Mode.VALID), source=SettlementImport.Source.PAGE)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("settlements:index")
    enqueue(run_settlement_import_task, job.pk, request.user.pk)
    return redirect("settlements:job", pk=job.pk)


def _job_context(job: SettlementImport) -> dict:
    outcome = SettlementRow.Outcome
    return {"job": job, "error_fields": queries.error_summary(job) if job.error_count else [],
            "errors": queries.rows_of(job, outcome=outcome.ERROR, limit=20) if job.error_count else [],
            "rows": queries.rows_of(job, limit=50) if job.status == SettlementImport.Status.DONE else []}


@login_required
def job(request, pk: int):
    record = queries.import_for(_scope(request), pk)
    return render(request, "settlements/job.html", _job_context(record))


@login_required
def progress(request, pk: int):
    record = queries.import_for(_scope(request), pk)
    return render(request, "settlements/_status.html", _job_context(record))


@login_required
def errors(request, pk: int):
    record = queries.import_for(_scope(request), pk)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误明细"))
    sheet.append([_("行号"), _("结算流水号"), _("身份证号（脱敏）"), _("出错字段"), _("原因")])
    for row in queries.error_rows(record).iterator(chunk_size=2000):
        sheet.append(xlsx_row(sheet, [row.row_no, row.serial, row.id_masked, row.error_field, row.error_reason]))
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="settlement-errors-{record.pk}.xlsx"'
    return response


@login_required
def agreement_list(request):
    scope = _scope(request)
    return render(request, "settlements/agreements.html", {
        "agreements": queries.agreements(scope), "may_write": queries.may_write(scope), "today": timezone.localdate()})


@login_required
def agreement_edit(request, pk: int | None = None):
    scope = _scope(request, queries.may_write)
    agreement = queries.agreement_for(scope, pk) if pk else None
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                services.save_agreement(actor=request.user, agreement=agreement, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("医保数据共享协议已保存"))
                return redirect("settlements:agreements")
    else:
        initial = None
        if agreement:
            initial = {name: getattr(agreement, name) for name in services.agreements.FIELDS}
            initial["region_id"] = agreement.region_id or ""
        form = AgreementForm(initial=initial)
    return render(request, "settlements/agreement_form.html", {"form": form, "agreement": agreement})
