"""Ledger pages: parse, call one query or service, render; `?export=xlsx` downloads the table."""
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from huzhu.core.errors import DomainError
from huzhu.core.money import parse_money
from huzhu.core.params import date_param, id_param, page_param, parse_integer
from huzhu.regions.queries import agency_points, offices, scope_of
from huzhu.regions.roles import Role

from . import exports, queries, rules, services, vouchers

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
        "scoped": not scope.is_province,
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
    sources = queries.sources_of(scope, [posting.entry for posting in page])
    rows = [(posting, sources.get(posting.entry_id)) for posting in page]
    return render(request, "ledger/statement.html", {"account": account, "page": page, "rows": rows})


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


# ---------------------------------------------------------------- account mapping and vouchers


@login_required
@require_http_methods(["GET", "POST"])
def account_mapping(request):
    """The mapping of our accounts to the 民间非营利组织会计制度 chart: every ledger role reads, the association edits."""
    scope = _scope(request)
    may_edit = scope.role == Role.ASSOCIATION
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        try:
            services.set_account_mapping(actor=request.user, account_code=request.POST.get("account_code", ""),
                                         external_code=request.POST.get("external_code", ""),
                                         external_name=request.POST.get("external_name", ""))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已保存科目对照：%(code)s") % {"code": request.POST.get("account_code", "").strip()})
        return redirect("ledger:account_mapping")
    mappings = list(queries.account_mappings())
    return render(request, "ledger/account_mapping.html", {
        "mappings": mappings, "may_edit": may_edit, "may_close": may_edit, "vouchers_tab": scope.role in FUND_ROLES,
        "plan_year": queries.default_plan_year(None),
    })


# ?export= → the button's label: generic CSV and XLSX, 用友 U8/T+ and 金蝶 KIS import files.
LAYOUTS = {"csv": gettext_lazy("通用 CSV"), "xlsx": gettext_lazy("通用 Excel（含对账表）"),
           "ufida": gettext_lazy("用友 U8/T+ 凭证引入"), "kingdee": gettext_lazy("金蝶 KIS 凭证引入")}


def _party_reader(scope):
    def read(causes):
        entries = [_Cause(pk, cause_type, cause_id) for pk, cause_type, cause_id in causes]
        return {pk: vouchers.Party(source.unit, source.league) for pk, source in queries.sources_of(scope, entries).items()}
    return read


class _Cause:
    """What queries.sources_of reads of an entry."""

    __slots__ = ("pk", "cause_type", "cause_id")

    def __init__(self, pk, cause_type, cause_id):
        self.pk, self.cause_type, self.cause_id = pk, cause_type, cause_id


def _voucher_form(request):
    today = timezone.localdate()
    month = request.GET.get("month", "") if "from" not in request.GET else ""
    if not month and "from" not in request.GET:
        month = f"{today.year}-{today.month:02d}"
    grouping = request.GET.get("grouping", "entry")
    year_id = id_param(request.GET, "year")
    plan_year = queries.plan_years().filter(pk=year_id).first() if year_id else None
    return month, grouping if grouping in vouchers.GROUPINGS else "entry", plan_year


@login_required
def voucher_export(request):
    """Vouchers (记账凭证) of a period for the accounting package, and their reconciliation with the trial balance."""
    scope = _scope(request, roles=FUND_ROLES)  # a voucher has both sides of an entry: the whole fund's roles
    month, grouping, plan_year = _voucher_form(request)
    layout = request.GET.get("export", "")
    context = {"month": month, "grouping": grouping, "selected_year": plan_year, "plan_years": queries.plan_years(),
               "starts_on": date_param(request.GET, "from"), "ends_on": date_param(request.GET, "to"),
               "layouts": LAYOUTS, "may_close": scope.role == Role.ASSOCIATION,
               "plan_year": plan_year or queries.default_plan_year(None)}
    try:
        starts_on, ends_before = rules.voucher_period(month=month, starts_on=context["starts_on"],
                                                      ends_on=context["ends_on"])
        if layout in LAYOUTS:
            mapping = services.start_voucher_export(actor=request.user, starts_on=starts_on, ends_before=ends_before,
                                                    plan_year=plan_year, layout=layout, grouping=grouping)
            return _voucher_file(request, scope, layout, mapping, starts_on, ends_before, plan_year, grouping)
        mapping = queries.mapping_table()
        unmapped = vouchers.unmapped_accounts(queries.accounts_used(starts_on, ends_before, plan_year), mapping)
    except DomainError as error:
        messages.error(request, error.message)
        return render(request, "ledger/vouchers.html", context, status=422 if layout else 200)
    context.update(starts_on=starts_on, ends_on=ends_before - timedelta(days=1), unmapped=unmapped)
    if not unmapped:
        totals = vouchers.VoucherTotals()
        for _voucher in totals.counted(vouchers.build_vouchers(
                queries.voucher_postings(starts_on, ends_before, plan_year), mapping, grouping=grouping)):
            pass
        rows = vouchers.reconcile(totals, queries.period_movements(starts_on, ends_before, plan_year), mapping)
        context.update(totals=totals, reconciliation=rows, reconciled=all(row.matches for row in rows))
    return render(request, "ledger/vouchers.html", context)


def _voucher_file(request, scope, layout, mapping, starts_on, ends_before, plan_year, grouping) -> HttpResponse:
    built = vouchers.build_vouchers(queries.voucher_postings(starts_on, ends_before, plan_year), mapping,
                                    grouping=grouping, party_reader=_party_reader(scope))
    stem = f"vouchers-{starts_on.isoformat()}-{(ends_before - timedelta(days=1)).isoformat()}"
    amounts = ("借方金额", "贷方金额", *vouchers.RECONCILIATION_HEADERS[3:8])
    if layout == "csv":
        return exports.csv_response(f"{stem}.csv", exports.csv_chunks(vouchers.GENERIC_HEADERS,
                                                                      vouchers.generic_rows(built)), charset="utf-8")
    if layout == "ufida":  # 用友 总账工具 reads comma-separated text in the Windows Chinese code page
        return exports.csv_response(f"{stem}-yonyou.txt", exports.csv_chunks(
            vouchers.UFIDA_HEADERS, vouchers.ufida_rows(built), encoding="gb18030"), charset="gb18030")
    if layout == "kingdee":
        prepared_by = request.user.get_full_name() or request.user.get_username()
        return exports.xlsx_sheets_response(f"{stem}-kingdee.xlsx", [(
            "凭证", vouchers.KINGDEE_HEADERS, lambda: vouchers.kingdee_rows(built, prepared_by=prepared_by))],
            amount_headers=amounts)
    totals = vouchers.VoucherTotals()
    movements = queries.period_movements(starts_on, ends_before, plan_year)
    return exports.xlsx_sheets_response(f"{stem}.xlsx", [
        ("记账凭证", vouchers.GENERIC_HEADERS, lambda: vouchers.generic_rows(totals.counted(built))),
        ("与试算平衡表核对", vouchers.RECONCILIATION_HEADERS,
         lambda: vouchers.reconciliation_rows(vouchers.reconcile(totals, movements, mapping))),
    ], amount_headers=amounts)
