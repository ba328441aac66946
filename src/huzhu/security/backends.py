"""The model backend behind a lockout: a locked username or address cannot even try a password."""
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttling


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses while the username or client address is locked out.

    Failures are counted by the `user_login_failed` receiver (security/signals.py), so every
    door that calls `authenticate()` (login page, admin, tests) shares one counter.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is not None and throttling.is_login_locked(username, throttling.client_ip(request)):
            raise PermissionDenied("locked")  # authenticate() stops here and reports a failure
        return super().authenticate(request, username=username, password=password, **kwargs)


# 三员分立: what the system administrator may do in the admin site (accounts, roles, configuration).
# Nothing of the business (members, claims, ledger, payouts, ...), nothing of security (tokens,
# two-factor devices: the security administrator's), and no audit table (the audit administrator's
# pages only; audit/admin.py registers none).
SYSTEM_ADMIN_MODELS = frozenset({
    "auth.user", "auth.group",
    "regions.division", "regions.office", "regions.agencypoint", "regions.staffprofile",
})


class RolePermissionBackend(BaseBackend):
    """Admin-site permissions that come from the staff role, not from per-user grants.

    Only the system administrator role gets any, and only on SYSTEM_ADMIN_MODELS (view, add,
    change; deleting an account is deactivating it). The break-glass superuser keeps Django's own
    all-permissions through ModelBackend.
    """

    def _is_system_admin(self, user_obj) -> bool:
        from huzhu.regions.models import Role

        profile = getattr(user_obj, "staff", None)
        return bool(user_obj.is_active and user_obj.is_staff and profile is not None and profile.role == Role.ADMIN)

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if not self._is_system_admin(user_obj) or "." not in perm:
            return False
        app_label, codename = perm.split(".", 1)
        action, _sep, model = codename.partition("_")
        return action in ("view", "add", "change") and f"{app_label}.{model}" in SYSTEM_ADMIN_MODELS

    def has_module_perms(self, user_obj, app_label) -> bool:
        return self._is_system_admin(user_obj) and any(m.startswith(f"{app_label}.") for m in SYSTEM_ADMIN_MODELS)
