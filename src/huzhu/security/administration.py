"""Pages of the security administrator and the audit administrator (三员分立).

Each page answers 404 to every other role — the pages do not exist for them. The system
administrator's work is in the admin site (regions/admin.py).
"""
import csv
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from huzhu.audit import labels as audit_labels
from huzhu.audit import queries as audit_queries
from huzhu.core.errors import DomainError
from huzhu.ledger.exports import xlsx_response
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of

from . import queries, services
from .forms import LogFilterForm
from .models import PersonalDataAccess

PAGE_SIZE = 50


def _require_role(request, role: str) -> None:
    if scope_of(request.user).role != role:
        raise Http404


# --- security administrator ---------------------------------------------------------------------

@login_required
def security_admin(request):
    """Security settings in force, and every staff account's access to personal data (review)."""
    _require_role(request, Role.SECURITY_ADMIN)
    policy = [
        (_("密码最短长度"), _("%(n)s 位") % {"n": 10}),
        (_("密码字符类别"), _("至少 3 类（大写、小写、数字、符号）")),
        (_("不得重复最近的密码"), _("%(n)s 个") % {"n": 5}),
        (_("连续失败锁定"), _("%(n)s 次失败锁定 %(minutes)s 分钟") % {
            "n": settings.HUZHU_LOGIN_MAX_FAILURES, "minutes": settings.HUZHU_LOGIN_LOCK_SECONDS // 60}),
        (_("无操作自动退出"), _("%(minutes)s 分钟") % {"minutes": settings.HUZHU_SESSION_IDLE_SECONDS // 60}),
        (_("须启用两步验证的角色"), "、".join(str(dict(Role.choices).get(r, r))
                                      for r in settings.HUZHU_2FA_REQUIRED_ROLES) or _("无")),
        (_("个人信息访问记录保存"), _("%(days)s 天") % {"days": settings.HUZHU_AUDIT_RETENTION_DAYS}),
    ]
    return render(request, "security/security_admin.html",
                  {"policy": policy, "staff": queries.staff_access_review()})


def _staff_user(pk: int):
    return get_object_or_404(get_user_model(), pk=pk, staff__isnull=False)


@login_required
@require_POST
def unlock(request, user_pk: int):
    _require_role(request, Role.SECURITY_ADMIN)
    user = _staff_user(user_pk)
    services.unlock_account(actor=request.user, user=user)
    messages.success(request, _("已解锁账户：%(username)s") % {"username": user.username})
    return redirect("security:security_admin")


@login_required
@require_POST
def reset_totp(request, user_pk: int):
    _require_role(request, Role.SECURITY_ADMIN)
    user = _staff_user(user_pk)
    try:
        services.reset_two_factor(actor=request.user, user=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重置两步验证：%(username)s，其下次登录须重新绑定。") % {"username": user.username})
    return redirect("security:security_admin")


# --- audit administrator ------------------------------------------------------------------------

def _filters(request) -> tuple[LogFilterForm, dict]:
    form = LogFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, {key: value for key, value in form.cleaned_data.items() if value}
    return form, {}


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def audit_log(request):
    """The audit log: filter by date, actor and action; 50 a page."""
    _require_role(request, Role.AUDIT_ADMIN)
    form, filters = _filters(request)
    events = audit_queries.audit_events(**filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, audit_labels.action_label(event.action), audit_labels.readable_fields(event.before),
             audit_labels.readable_fields(event.after)) for event in page]
    return render(request, "security/audit_log.html",
                  {"form": form, "page": page, "rows": rows, "query": _query_without_page(request),
                   "action_choices": audit_labels.action_choices(audit_queries.audit_actions())})


@login_required
def access_log(request):
    """The personal-data access log: who viewed or revealed whose data; filter by date, actor, kind."""
    _require_role(request, Role.AUDIT_ADMIN)
    form, filters = _filters(request)
    kind = filters.pop("action", "")
    page = Paginator(queries.access_records(**filters, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "security/access_log.html",
                  {"form": form, "page": page, "query": _query_without_page(request),
                   "kinds": PersonalDataAccess.Kind.choices,
                   "retention_days": settings.HUZHU_AUDIT_RETENTION_DAYS})


AUDIT_HEADERS = (gettext_noop("时间"), gettext_noop("操作人"), gettext_noop("操作"), gettext_noop("对象类型"),
                 gettext_noop("对象编号"), gettext_noop("变更前"), gettext_noop("变更后"), gettext_noop("链序号"))
ACCESS_HEADERS = (gettext_noop("时间"), gettext_noop("操作人"), gettext_noop("类型"), gettext_noop("职工编号"),
                  gettext_noop("页面/接口"), gettext_noop("字段"), gettext_noop("事由"), "IP")


def _audit_rows(events):
    for event in events.iterator(chunk_size=2000):
        yield (timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"), event.actor_label, event.action,
               event.object_type, event.object_id, _json(event.before), _json(event.after), event.seq)


def _access_rows(records):
    for record in records.iterator(chunk_size=2000):
        yield (timezone.localtime(record.at).strftime("%Y-%m-%d %H:%M:%S"), record.actor_label,
               record.get_kind_display(), record.worker_id, record.view, record.field, record.reason, record.ip)


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _download(request, *, name: str, headers, rows):
    """CSV (UTF-8 with BOM, for Excel) or XLSX; ExportAuditMiddleware records the download."""
    today = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"{name}-{today}.xlsx", name, [_(h) for h in headers], rows)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{today}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_(h) for h in headers])
    writer.writerows(rows)
    return response


@login_required
def audit_log_export(request):
    _require_role(request, Role.AUDIT_ADMIN)
    _form, filters = _filters(request)
    return _download(request, name="audit-log", headers=AUDIT_HEADERS,
                     rows=_audit_rows(audit_queries.audit_events(**filters)))


@login_required
def access_log_export(request):
    _require_role(request, Role.AUDIT_ADMIN)
    _form, filters = _filters(request)
    kind = filters.pop("action", "")
    return _download(request, name="access-log", headers=ACCESS_HEADERS,
                     rows=_access_rows(queries.access_records(**filters, kind=kind)))
