"""The demo logins `make run` prints: one per role, in the same region so the flow can be followed."""
import os

DEMO_PASSWORD = os.environ.get("HUZHU_DEMO_PASSWORD", "huzhu-demo-2026")

# username, role, division (None = whole province), label
DEMO_ACCOUNTS = [
    # 三员分立: three administrators, none of them a superuser and none reading business data.
    ("admin", "admin", None, "系统管理员（账户、角色、配置）"),
    ("anquan", "security_admin", None, "安全管理员（解锁、两步验证、权限审查）"),
    ("shenjiyuan", "audit_admin", None, "安全审计员（审计日志、个人信息访问记录）"),
    ("xiehui", "association", None, "协会审批员（全区）"),
    ("baotou", "office", "150200", "包头市办事处复审员"),
    ("kundulun", "agency", "150203", "昆都仑区代办点经办员"),
    ("danwei", "unit", None, "基层工会经办人（昆都仑区一家单位）"),
    ("shenji", "auditor", None, "审计（只读，全区）"),
    ("zhuanjia", "expert", None, "医学专家（专家评审：大额申领与女职工确诊）"),
]
