"""Navigation fitted to the signed-in user's role."""
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of
from huzhu.security.permissions import can_hold_api_tokens

BUSINESS = {Role.UNIT, Role.AGENCY, Role.OFFICE, Role.ASSOCIATION, Role.AUDITOR}

# (label, url name, roles that see it; None = every signed-in staff member)
NAVIGATION = [
    (_("首页"), "home", None),
    (_("会员单位"), "members:unit_list", BUSINESS),
    (_("职工"), "members:worker_list", BUSINESS),
    (_("团体参互"), "enrollment:index", {Role.UNIT, Role.AGENCY, Role.OFFICE, Role.ASSOCIATION, Role.AUDITOR}),
    (_("申领审核"), "claims:queue", {Role.UNIT, Role.AGENCY, Role.OFFICE, Role.ASSOCIATION, Role.AUDITOR, Role.EXPERT}),
    (_("参互推进"), "campaign:progress", {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.AUDITOR}),
    (_("医保数据"), "settlements:index", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("合作医院"), "hospitals:index", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("作废票据"), "claims:voided_invoices", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("投诉咨询"), "complaints:queue", {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.AUDITOR}),
    (_("风险防控"), "risk:index", {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.AUDITOR}),
    (_("补助金支付"), "payouts:batch_list", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("银行对账"), "enrollment:bank_statements", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("工会补贴应收"), "enrollment:subsidy_receivables", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("基金账务"), "ledger:trial_balance", {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.AUDITOR}),
    (_("统计报表"), "reports:dashboard", BUSINESS),
    (_("服务时效"), "reports:service_levels", {Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.AUDITOR}),
    (_("年度方案"), "plans:index", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("节假日安排"), "claims:official_days", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("精准测算"), "actuarial:index", {Role.ASSOCIATION, Role.AUDITOR}),
    (_("系统配置"), "admin:index", {Role.ADMIN}),
    (_("安全管理"), "security:security_admin", {Role.SECURITY_ADMIN}),
    (_("审计日志"), "security:audit_log", {Role.AUDIT_ADMIN}),
    (_("个人信息访问记录"), "security:access_log", {Role.AUDIT_ADMIN}),
]

# The top bar's groups (one line at 1280 px): each item above sits in one group, in NAVIGATION's order.
NAVIGATION_GROUPS = [
    (_("参保"), {"members:unit_list", "members:worker_list", "enrollment:index", "campaign:progress"}),
    (_("理赔"), {"claims:queue", "settlements:index", "hospitals:index", "claims:voided_invoices", "risk:index",
              "complaints:queue"}),
    (_("资金"), {"payouts:batch_list", "enrollment:bank_statements", "enrollment:subsidy_receivables",
                 "ledger:trial_balance"}),
    (_("分析"), {"reports:dashboard", "reports:service_levels", "actuarial:index"}),
    (_("系统"), {"plans:index", "claims:official_days", "admin:index", "security:security_admin",
                 "security:audit_log", "security:access_log"}),
]


def _grouped(items: list[dict]) -> list[dict]:
    """Items outside every group stand alone; a group of one item shows as that item."""
    groups, seen = [], set()
    for item in items:
        label = next((label for label, names in NAVIGATION_GROUPS if item["name"] in names), None)
        if label is None:
            groups.append({"label": item["label"], "items": [item], "active": item["active"]})
        elif label not in seen:
            seen.add(label)
            members = [i for i in items if i["name"] in dict(NAVIGATION_GROUPS)[label]]
            groups.append({"label": label if len(members) > 1 else members[0]["label"], "items": members,
                           "active": any(i["active"] for i in members)})
    return groups


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    items = []
    for label, name, roles in NAVIGATION:
        if roles is not None and scope.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # that part of the product is not installed yet
        items.append({"label": label, "url": url, "name": name, "active": False})
    # The longest matching address wins: /claims/official-days/ lights its own item, not 申领审核 (/claims/).
    matching = [item for item in items if request.path == item["url"]
                or (item["url"] != "/" and request.path.startswith(item["url"]))]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items, "nav_groups": _grouped(items), "scope": scope,
            "may_hold_api_tokens": can_hold_api_tokens(scope), "role_label": dict(Role.choices).get(scope.role, "")}
