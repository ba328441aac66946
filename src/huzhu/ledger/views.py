"""Ledger pages: parse, call one query or service, render; `?export=xlsx` downloads the table."""
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from huzhu.core.errors import DomainError
from huzhu.core.money import parse_money
from huzhu.core.params import date_param, id_param, page_param, parse_integer
from huzhu.regions.queries import agency_points, offices, scope_of
from huzhu.regions.roles import Role

from . import exports, queries, services

LEDGER_ROLES = {Role.ASSOCIATION, Role.AUDITOR, Role.OFFICE, Role.AGENCY}
FUND_ROLES = {Role.ASSOCIATION, Role.AUDITOR}  # the whole fund, not just working funds
PAGE_SIZE = 50


def _scope(request, roles=LEDGER_ROLES):
    scope = scope_of(request.user)
    if scope.role not in roles:
        raise PermissionDenied
    return scope


def _plan_year(request):
    plan_year = queries.default_plan_year(id_param(request.GET, "year") or id_param(request.POST, "year"))
    if plan_year is None:
        raise Http404("尚无年度方案")
    return plan_year


def _wants_xlsx(request) -> bool:
    return request.GET.get("export") == "xlsx"


@login_required
def trial_balance(request):
    scope = _scope(request)
    plan_year = _plan_year(request)
    balance = queries.trial_balance(scope, plan_year)
    if _wants_xlsx(request):
        return exports.xlsx_response(f"trial-balance-{plan_year.plan_id}-{plan_year.year}.xlsx", "试算平衡表",
                                     exports.TRIAL_BALANCE_HEADERS, exports.trial_balance_rows(balance))
    position = queries.fund_position(plan_year) if scope.role in FUND_ROLES else None
    year_close = queries.year_close_of(plan_year)
    prior_year = queries.trial_balance(scope, plan_year, prior_year_only=True) if year_close else None
    reporting_on = date_param(request.GET, "on", timezone.localdate())  # the reporting date, today by default
    unearned = queries.unearned_contributions(plan_year, on=reporting_on) if position else None
    return render(request, "ledger/trial_balance.html", {
        "plan_year": plan_year, "plan_years": queries.plan_years(), "balance": balance, "position": position,
        "reporting_on": reporting_on, "unearned_amount": unearned,
        "year_close": year_close, "prior_year": prior_year, "may_close": scope.role == Role.ASSOCIATION,
        "scoped": scope.level != "province",
    })


@login_required
def account_statement(request, pk: int):
    scope = _scope(request)
    account = queries.account_for(scope, pk)
    postings = queries.account_statement(account)
    if _wants_xlsx(request):
        return exports.xlsx_response(f"statement-{account.code}-{account.plan_year.year}.xlsx", "明细账",
                                     exports.STATEMENT_HEADERS, exports.statement_rows(postings))
    page = Paginator(postings, PAGE_SIZE).get_page(page_param(request.GET))
    return render(request, "ledger/statement.html", {"account": account, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def budget(request):
    scope = _scope(request)
    plan_year = _plan_year(request)
    may_set = scope.role == Role.ASSOCIATION
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        _set_budget(request, plan_year)
        return redirect(f"{reverse('ledger:budget')}?year={plan_year.pk}")
    rows = queries.budget_vs_actual(scope, plan_year)
    if _wants_xlsx(request):
        return exports.xlsx_response(f"working-funds-{plan_year.plan_id}-{plan_year.year}.xlsx", "工作经费预算执行",
                                     exports.BUDGET_HEADERS, exports.budget_rows(rows))
    return render(request, "ledger/budget.html", {
        "plan_year": plan_year, "plan_years": queries.plan_years(), "rows": rows, "may_set": may_set,
        "offices": offices() if may_set else [],
        "agency_points": agency_points() if may_set else [],
        "year_close": queries.year_close_of(plan_year), "may_close": may_set,
    })


def _set_budget(request, plan_year) -> None:
    holder = request.POST.get("holder", "")
    kind, _colon, text = holder.partition(":")
    pk = parse_integer(text, minimum=1)
    office = offices().filter(pk=pk).first() if kind == "office" and pk else None
    point = agency_points().filter(pk=pk).first() if kind == "point" and pk else None
    try:
        amount = parse_money(request.POST.get("amount", ""))
        services.set_budget(actor=request.user, plan_year=plan_year, office=office, agency_point=point,
                            amount=amount)
    except ValueError as error:
        messages.error(request, str(error))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已设置 %(holder)s 的工作经费预算：%(amount)s 元") % {
            "holder": office or point, "amount": amount})


@login_required
@require_http_methods(["GET", "POST"])
def close_year(request):
    _scope(request, roles={Role.ASSOCIATION})
    plan_year = _plan_year(request)
    done = queries.year_close_of(plan_year)
    if request.method == "POST" and done is None:
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("请勾选确认后再结账"))
        else:
            try:
                services.close_plan_year(actor=request.user, plan_year=plan_year)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("%(year)s 已结账：总准备金与工作经费已入账，本年度此后只接受调整分录") % {
                    "year": plan_year})
                return redirect(f"{reverse('ledger:trial_balance')}?year={plan_year.pk}")
    preview = queries.close_preview(plan_year) if done is None else None
    return render(request, "ledger/close.html", {
        "plan_year": plan_year, "plan_years": queries.plan_years(), "preview": preview, "year_close": done,
        "reserve_percent": preview.reserve_rate * Decimal(100) if preview else None,
        "working_funds_percent": preview.working_funds_rate * Decimal(100) if preview else None,
    })
