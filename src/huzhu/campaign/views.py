"""Campaign pages: parse the request, call one query or service, render. Chinese UI."""
from dataclasses import asdict
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from huzhu.core.errors import DomainError, ValidationFailed
from huzhu.core.params import MAX_COUNT, ids_param, page_param, parse_date, parse_integer, year_param
from huzhu.ledger.exports import xlsx_response
from huzhu.regions.queries import leagues, scope_of
from huzhu.regions.roles import Role

from . import queries, reports, rules, services
from .models import ContactLog, OutreachEvent

VIEW_ROLES = {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.AUDITOR}
WRITE_ROLES = {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY}
TARGET_ROLES = {Role.ASSOCIATION}
PAGE_SIZE = 50


def _scope(request, roles=VIEW_ROLES):
    scope = scope_of(request.user)
    if scope.role not in roles:
        raise HttpForbidden("您的角色无权查看参互推进")
    return scope


def _today() -> date:
    return timezone.localdate()


def _plan_year(request):
    source = request.POST if request.method == "POST" else request.GET
    plan, year = source.get("plan") or "hospitalization", year_param(source)
    if ":" in source.get("pick", ""):  # the year picker sends "plan:year"
        plan, picked = source["pick"].split(":", 1)
        year = year_param({"year": picked})
    plan_year = queries.plan_year_for(plan, year, today=_today())
    if plan_year is None:
        raise Http404("尚无年度方案")
    return plan_year


def _date(text: str, field: str, label: str) -> date:
    value = parse_date(text)
    if value is None:
        raise ValidationFailed("invalid_date", _("%(label)s格式不正确，应为YYYY-MM-DD") % {"label": label}, field=field)
    return value


def _count(text: str, field: str, label: str) -> int:
    value = parse_integer((text or "").replace(",", ""), maximum=MAX_COUNT)
    if value is None:
        raise ValidationFailed("invalid_number", _("%(label)s应为不小于0的整数") % {"label": label}, field=field)
    return value


def _chart_text() -> dict:
    """The burn-up chart's words in the page's language (the script has no catalogue of its own)."""
    return {"no_charts": _("图表组件未安装（ECharts），请参阅下方表格。"), "today": _("今天"),
            "people": _("累计参互人数"), "units": _("累计参互单位"), "people_target": _("目标人数"),
            "people_last_year": _("上年人数"), "units_target": _("目标单位"), "people_axis": _("人数"),
            "units_axis": _("单位")}


def _common(plan_year, **extra) -> dict:
    return {"plan_year": plan_year, "plan_years": queries.campaign_plan_years(), **extra}


# --- progress ----------------------------------------------------------------------------------
@login_required
def progress(request):
    scope = _scope(request)
    plan_year = _plan_year(request)
    today = _today()
    league_code = request.GET.get("league", "") if scope.level == "province" else ""
    rows, total = queries.progress_table(scope, plan_year, as_of=today, league_code=league_code)
    window = queries.window_of(plan_year)
    chart = queries.burn_up(scope, plan_year, today=today, league_code=league_code, current=total)
    return render(request, "campaign/progress.html", _common(
        plan_year, rows=rows, total=total, window=window, days_left=window.days_left(today), today=today,
        by_day=queries.progress_by_day(scope, plan_year, as_of=today, league_code=league_code)[::-1],
        chart={**asdict(chart), "text": _chart_text()}, league_code=league_code, drill=scope.level == "province" and not league_code,
        leagues=leagues() if scope.level == "province" else [],
        league_name=next((d.name for d in leagues() if d.code == league_code), "") if league_code else ""))


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    scope = _scope(request)
    plan_year = _plan_year(request)
    may_set = scope.role in TARGET_ROLES and scope.level == "province"
    league_code = (request.GET.get("league") or request.POST.get("league") or "") if scope.level == "province" else ""
    _rows, divisions = queries.region_rows(scope, league_code=league_code)
    if request.method == "POST":
        if not may_set:
            raise HttpForbidden("只有协会可以下达参互目标")
        try:
            inputs = [services.TargetInput(
                d.code, _count(request.POST.get(f"units_{d.code}"), f"units_{d.code}", _("%(name)s目标单位数") % {"name": d.name}),
                _count(request.POST.get(f"people_{d.code}"), f"people_{d.code}", _("%(name)s目标人数") % {"name": d.name}),
                request.POST.get(f"reason_{d.code}", "")) for d in divisions]
            changed = services.set_targets(actor=request.user, scope=scope, plan_year=plan_year, targets=inputs)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存%(count)s项目标") % {"count": changed} if changed else _("目标没有变化"))
            return redirect(f"{reverse('campaign:targets')}?plan={plan_year.plan_id}&year={plan_year.year}"
                            f"&league={league_code}")
    last = queries.last_year_figures(plan_year, [d.code for d in divisions])
    stored = queries.targets_of(plan_year)
    rows = []
    for division in divisions:
        units_last, people_last = last.get(division.code, (0, 0))
        target = stored.get(division.code)
        rows.append({"division": division, "units_last_year": units_last, "people_last_year": people_last,
                     "target": target,
                     "units": request.POST.get(f"units_{division.code}") or (target.units if target else units_last),
                     "people": request.POST.get(f"people_{division.code}") or (target.people if target else people_last),
                     "reason": request.POST.get(f"reason_{division.code}") or (target.reason if target else "")})
    return render(request, "campaign/targets.html", _common(
        plan_year, rows=rows, may_set=may_set, league_code=league_code,
        leagues=leagues() if scope.level == "province" else []))


# --- follow-up ---------------------------------------------------------------------------------
@login_required
def follow_up_list(request):
    scope = _scope(request)
    plan_year = _plan_year(request)
    today = _today()
    show = request.GET.get("show", "")
    units = queries.units_to_follow(scope, plan_year, today=today, show=show, actor=request.user)
    page = Paginator(units, PAGE_SIZE).get_page(page_param(request.GET))
    for unit in page:
        unit.is_overdue = rules.is_overdue(assigned_on=unit.assigned_on, last_contact_on=unit.last_contact_on,
                                           next_due_on=unit.next_due_on, today=today)
    return render(request, "campaign/follow_up_list.html", _common(
        plan_year, page=page, show=show, summary=queries.follow_up_summary(scope, plan_year, today=today),
        can_follow=scope.role in WRITE_ROLES, today=today))


def _detail_url(plan_year, unit_pk: int) -> str:
    return f"{reverse('campaign:follow_up', args=[unit_pk])}?plan={plan_year.plan_id}&year={plan_year.year}"


@login_required
def follow_up(request, unit_pk: int):
    scope = _scope(request)
    plan_year = _plan_year(request)
    unit = queries.unit_in_scope(scope, unit_pk)
    record = queries.follow_up_of(plan_year, unit)
    today = _today()
    return render(request, "campaign/follow_up.html", _common(
        plan_year, unit=unit, follow_up=record, contacts=queries.contacts_of(record),
        standing=queries.unit_standing(plan_year, unit), today=today,
        overdue=bool(record) and rules.is_overdue(assigned_on=record.assigned_on,
                                                  last_contact_on=record.last_contact_on,
                                                  next_due_on=record.next_due_on, today=today),
        can_follow=scope.role in WRITE_ROLES, is_mine=bool(record) and record.assignee_id == request.user.pk,
        channels=ContactLog.Channel.choices, outcomes=ContactLog.Outcome.choices,
        form=request.session.pop("contact_form", {}) or {"contacted_on": today.isoformat()}))


@login_required
@require_POST
def take(request, unit_pk: int):
    scope = _scope(request, WRITE_ROLES)
    plan_year = _plan_year(request)
    unit = queries.unit_in_scope(scope, unit_pk)
    try:
        services.take_unit(actor=request.user, scope=scope, plan_year=plan_year, unit=unit, today=_today())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or _detail_url(plan_year, unit.pk))
    messages.success(request, _("已认领“%(unit)s”，请在%(days)s天内联系") % {
        "unit": unit.name, "days": rules.FIRST_CONTACT_DAYS})
    return redirect(_detail_url(plan_year, unit.pk))


@login_required
@require_POST
def release(request, unit_pk: int):
    scope = _scope(request, WRITE_ROLES)
    plan_year = _plan_year(request)
    unit = queries.unit_in_scope(scope, unit_pk)
    record = queries.follow_up_of(plan_year, unit)
    if record is None:
        raise Http404
    try:
        services.release_unit(actor=request.user, scope=scope, follow_up=record)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已释放“%(unit)s”，其他同事可以认领") % {"unit": unit.name})
    return redirect(_detail_url(plan_year, unit.pk))


@login_required
@require_POST
def log_contact(request, unit_pk: int):
    scope = _scope(request, WRITE_ROLES)
    plan_year = _plan_year(request)
    unit = queries.unit_in_scope(scope, unit_pk)
    record = queries.follow_up_of(plan_year, unit)
    if record is None:
        raise Http404
    post = request.POST
    try:
        due = post.get("next_due_on", "").strip()
        services.log_contact(
            actor=request.user, scope=scope, follow_up=record,
            contacted_on=_date(post.get("contacted_on"), "contacted_on", _("联系日期")),
            channel=post.get("channel", ""), outcome=post.get("outcome", ""), note=post.get("note", ""),
            next_step=post.get("next_step", ""),
            next_due_on=_date(due, "next_due_on", _("下一步期限")) if due else None, today=_today())
    except DomainError as exc:
        messages.error(request, exc.message)
        request.session["contact_form"] = {k: post.get(k, "") for k in
                                           ("contacted_on", "channel", "outcome", "note", "next_step", "next_due_on")}
    else:
        messages.success(request, _("已登记联系情况"))
    return redirect(_detail_url(plan_year, unit.pk))


# --- outreach ----------------------------------------------------------------------------------
@login_required
def outreach(request):
    scope = _scope(request)
    plan_year = _plan_year(request)
    window = queries.window_of(plan_year)
    start, end = window.opens_on, max(window.closes_on + timedelta(days=1), _today() + timedelta(days=1))
    events = queries.outreach_in_scope(scope)
    page = Paginator(events, PAGE_SIZE).get_page(page_param(request.GET))
    conversions = queries.outreach_conversions(plan_year, [e.pk for e in page])
    for event in page:
        event.reached, event.enrolled = conversions.get(event.pk, (0, 0))
    return render(request, "campaign/outreach.html", _common(
        plan_year, page=page, totals=queries.outreach_totals(scope, plan_year, start=start, end=end),
        start=start, end=end - timedelta(days=1), can_write=scope.role in WRITE_ROLES))


@login_required
@require_http_methods(["GET", "POST"])
def outreach_new(request):
    scope = _scope(request, WRITE_ROLES)
    plan_year = _plan_year(request)
    post = request.POST
    if request.method == "POST":
        try:
            services.record_outreach(
                actor=request.user, scope=scope, held_on=_date(post.get("held_on"), "held_on", _("活动日期")),
                kind=post.get("kind", ""), place=post.get("place", ""),
                audience_size=_count(post.get("audience_size"), "audience_size", _("受众人数")),
                materials_count=_count(post.get("materials_count") or "0", "materials_count", _("发放资料份数")),
                unit_ids=ids_param(post, "units"), note=post.get("note", ""),
                league_code=post.get("league", ""), today=_today())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记宣传活动"))
            return redirect(f"{reverse('campaign:outreach')}?plan={plan_year.plan_id}&year={plan_year.year}")
    units = queries.reachable_units(scope).only("pk", "name")[:1000]
    return render(request, "campaign/outreach_form.html", _common(
        plan_year, kinds=OutreachEvent.Kind.choices, units=units, form=post, today=_today(),
        chosen=set(ids_param(post, "units")),
        leagues=leagues() if scope.level == "province" else []))


# --- staffing and evaluation -------------------------------------------------------------------
@login_required
def staffing(request):
    scope = _scope(request, {Role.ASSOCIATION, Role.OFFICE, Role.AUDITOR})
    rows = queries.staffing(scope)
    return render(request, "campaign/staffing.html", {
        "rows": rows, "failing": [r for r in rows if r.shortfall], "minimum": rules.MINIMUM_STAFF})


@login_required
def evaluation(request):
    scope = _scope(request)
    plan_year = _plan_year(request)
    window = queries.window_of(plan_year)
    level = request.GET.get("level") or ("league" if scope.level == "province" else "county")
    if level not in ("league", "county") or (level == "league" and scope.level == "county"):
        level = "county"
    try:
        start = _date(request.GET.get("start") or window.opens_on.isoformat(), "start", _("开始日期"))
        last = _date(request.GET.get("end") or window.closes_on.isoformat(), "end", _("结束日期"))
    except DomainError as exc:
        messages.error(request, exc.message)
        start, last = window.opens_on, window.closes_on
    if last < start:
        start, last = last, start
    ranked = queries.evaluation(scope, plan_year, start=start, end=last + timedelta(days=1), level=level)
    if request.GET.get("export") == "xlsx":
        title = "办事处考核评价" if level == "league" else "代办点考核评价"
        return xlsx_response(f"evaluation-{level}-{start:%Y%m%d}-{last:%Y%m%d}.xlsx", title,
                             reports.EVALUATION_HEADERS, (reports.evaluation_cells(e) for e in ranked))
    indicators = ranked[0].indicators if ranked else ()
    # Indicators no row has data for (no claims decided, no payouts answered) get one note instead of empty columns.
    shown = {i.key for e in ranked for i in e.indicators if i.score is not None}
    return render(request, "campaign/evaluation.html", _common(
        plan_year, ranked=ranked, level=level, start=start, end=last, shown=shown,
        labels=[i for i in indicators if i.key in shown], missing=[i for i in indicators if i.key not in shown],
        may_offices=scope.level == "province"))
