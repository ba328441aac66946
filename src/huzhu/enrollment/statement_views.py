"""Pages of contributions from the bank statement and of the union subsidy receivable (the association writes, the
business auditor reads). Parse, call one service or query, render."""
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
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from huzhu.core.errors import DomainError
from huzhu.core.params import id_param, ids_param, page_param, parse_date
from huzhu.core.views import act_and_redirect
from huzhu.plans import queries as plan_queries
from huzhu.regions.queries import leagues, scope_of
from huzhu.regions.roles import association_reads, association_writes

from . import bank_statements, subsidy_statements
from .models import StatementLine
from .queries import statements as queries
from .services import statements as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100

# The reasons rules.match_credit gives a candidate (a pure module: plain Chinese), named here for the catalogue;
# the statement pages translate them with {% trans %}.
CANDIDATE_REASONS = (gettext_noop("付款附言中的缴费编号"), gettext_noop("金额相符，户名相似"), gettext_noop("户名相似，金额不符"))


def _scope(request, *, write: bool = False):
    scope = scope_of(request.user)
    if not (association_writes(scope) if write else association_reads(scope)):
        raise HttpForbidden(_("只有协会可以处理银行对账单"))
    return scope


@login_required
def statement_list(request):
    scope = _scope(request)
    if request.method == "POST":
        _scope(request, write=True)
        upload = request.FILES.get("file")
        try:
            result = services.import_bank_statement(actor=request.user, bank_code=request.POST.get("bank", ""),
                                                    file_name=upload.name if upload else "", stream=upload)
        except services.StatementRowsInvalid as exc:
            return render(request, "enrollment/bank_statements.html", {
                **_list_context(scope), "row_errors": exc.errors, "error_total": exc.total,
                "more_errors": exc.total - len(exc.errors), "chosen_bank": request.POST.get("bank", "")}, status=422)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("enrollment:bank_statements")
        if result.statement is None:
            messages.info(request, _("这份对账单的%(count)s笔收入都已导入过，未新增任何记录") % {"count": result.duplicates})
            return redirect("enrollment:bank_statements")
        messages.success(request, _("已导入%(credits)s笔收入（已匹配%(matched)s笔），忽略支出%(debits)s笔，跳过已导入过的%(dup)s笔") % {
            "credits": result.credits, "matched": result.outcomes.get(StatementLine.Outcome.MATCHED, 0),
            "debits": result.debits, "dup": result.duplicates})
        return redirect("enrollment:bank_statement", pk=result.statement.pk)
    return render(request, "enrollment/bank_statements.html", _list_context(scope))


def _list_context(scope) -> dict:
    return {"statements": queries.statements(scope)[:50], "layouts": queries.layouts(),
            "may_write": association_writes(scope), "queue_count": queries.open_queue_count(scope)}


def _lines_page(request, scope, statement):
    outcome = request.GET.get("outcome", "")
    status = request.GET.get("status", "")
    lines = queries.statement_lines(scope, statement=statement, outcome=outcome, status=status)
    page = Paginator(lines, PAGE_SIZE).get_page(page_param(request.GET))
    rows = list(page)
    shown = queries.candidates_of(rows)
    for line in rows:
        line.shown_candidates = shown.get(line.pk, [])
    counts = queries.outcome_counts(statement)
    filters = [("", _("全部"), None)] + [(value, label, counts.get(value, 0))
                                        for value, label in StatementLine.Outcome.choices]
    return render(request, "enrollment/bank_statement.html", {
        "statement": statement, "page": page, "lines": rows,
        "outcome": outcome, "status": status, "filters": filters, "counts": counts,
        "may_write": association_writes(scope), "here": request.get_full_path(),
        "search_query": urlencode({k: v for k, v in (("outcome", outcome), ("status", status)) if v}),
    })


@login_required
def statement_detail(request, pk: int):
    scope = _scope(request)
    try:
        statement = queries.statement_for(scope, pk)
    except DomainError:
        raise Http404 from None
    return _lines_page(request, scope, statement)


@login_required
def statement_queue(request):
    return _lines_page(request, _scope(request), None)


def _back(request) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/enrollment/bank-statements/") else reverse("enrollment:bank_statements")


@login_required
@require_POST
def confirm_lines(request):
    _scope(request, write=True)
    ids = ids_param(request.POST, "line")
    return act_and_redirect(request, lambda: services.confirm_statement_lines(actor=request.user, line_ids=ids),
                            to=_back(request),
                            done=lambda n: _("已确认%(count)s笔缴费，相应参互的保障已生效") % {"count": n})


def _line(scope, pk: int) -> StatementLine:
    return get_object_or_404(queries.statement_lines(scope), pk=pk)


@login_required
@require_POST
def assign_line(request, pk: int):
    line = _line(_scope(request, write=True), pk)

    def done(result: StatementLine) -> str:
        if result.status == StatementLine.Status.CONFIRMED:
            return _("已指定并确认缴费")
        return _("已指定参互，但金额相差%(diff)s元，未确认缴费") % {"diff": result.difference_amount}
    return act_and_redirect(request, lambda: services.assign_statement_line(
        actor=request.user, line=line, reference=request.POST.get("reference", "")), to=_back(request), done=done)


@login_required
@require_POST
def dismiss_line(request, pk: int):
    line = _line(_scope(request, write=True), pk)
    return act_and_redirect(request, lambda: services.dismiss_statement_line(
        actor=request.user, line=line, reason=request.POST.get("reason", "")), to=_back(request),
        done=_("已标记为非互助金收入"))


@login_required
def layouts(request):
    scope = _scope(request)
    if request.method == "POST":
        _scope(request, write=True)
        columns = {f: request.POST.get(f, "") for f in bank_statements.FIELDS}
        return act_and_redirect(request, lambda: services.save_statement_layout(
            actor=request.user, bank_code=request.POST.get("bank_code", ""),
            bank_name=request.POST.get("bank_name", ""), columns=columns),
            to="enrollment:statement_layouts", done=_("已保存对账单格式"))
    fields = [(f, bank_statements.FIELD_LABELS[f]) for f in bank_statements.FIELDS]
    rows = queries.layouts()
    for layout in rows:
        layout["columns"] = [(f, label, layout.get(f, "")) for f, label in fields]
    return render(request, "enrollment/statement_layouts.html", {
        "layouts": rows, "fields": fields, "may_write": association_writes(scope)})


# --- the union subsidy receivable ---------------------------------------------------------------

def _plan_year(request, source):
    years = [p for p in plan_queries.plan_years_with_terms() if p.terms.subsidy_amount > 0]
    chosen = id_param(source, "plan_year")
    for plan_year in years:
        if plan_year.pk == chosen:
            return plan_year, years
    today = timezone.localdate()  # default: the plan year covering today, else the newest
    current = [p for p in years if p.year == today.year] or years
    return (current[0] if current else None), years


@login_required
def subsidy_receivables(request):
    scope = _scope(request)
    plan_year, years = _plan_year(request, request.GET)
    rows = queries.subsidy_receivables(scope, plan_year) if plan_year else []
    return render(request, "enrollment/subsidy_receivables.html", {
        "plan_year": plan_year, "plan_years": years, "rows": rows, "may_write": association_writes(scope),
        "receipts": queries.subsidy_receipts(scope, plan_year)[:50] if plan_year else [],
        "totals": {k: sum((getattr(r, k) for r in rows), 0) for k in (
            "enrollments", "headcount", "owed_amount", "received_amount", "outstanding_amount")},
        "today": timezone.localdate(),
    })


@login_required
def subsidy_statement(request, plan_year_pk: int, league: str):
    scope = _scope(request)
    plan_year = get_object_or_404(plan_queries.plan_years_with_terms(), pk=plan_year_pk)
    division = get_object_or_404(leagues(), code=league)
    content = subsidy_statements.statement_xlsx(
        plan_year=plan_year, league_name=division.name, enrollments=queries.subsidy_statement(scope, plan_year, league),
        receipts=queries.subsidy_receipts(scope, plan_year, league), printed_on=timezone.localdate())
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="subsidy-{plan_year.pk}-{league}.xlsx"'
    return response


@login_required
@require_POST
def subsidy_receipt(request):
    _scope(request, write=True)
    plan_year, _years = _plan_year(request, request.POST)
    target = f"{reverse('enrollment:subsidy_receivables')}?plan_year={plan_year.pk if plan_year else ''}"
    received_on = parse_date(request.POST.get("received_on", ""))
    if plan_year is None or received_on is None:
        messages.error(request, _("请选择年度方案并填写到账日期（YYYY-MM-DD）"))
        return redirect(target)
    league = request.POST.get("league", "")[:6]
    return act_and_redirect(request, lambda: services.record_subsidy_receipt(
        actor=request.user, plan_year=plan_year, league_code=league, amount=request.POST.get("amount", ""),
        received_on=received_on, bank_reference=request.POST.get("bank_reference", ""),
        note=request.POST.get("note", "")), to=target, done=_("已登记工会补贴到账，应收已冲减"))
