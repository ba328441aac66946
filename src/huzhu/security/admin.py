"""API tokens and two-factor devices: only the break-glass superuser sees them in the admin site.

The security administrator resets two-factor and unlocks accounts on her own page
(/security/administration/); the personal-data access log is read by the audit administrator only
(/security/access-log/), so it is not registered here.
"""
from django.contrib import admin

from huzhu.audit.admin import AuditedModelAdmin

from .models import ApiToken, TotpDevice


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are issued by `huzhu api-token create` or the user's own page; here they are read and revoked."""

    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at", "expires_at")

    def has_add_permission(self, request):
        return False


@admin.register(TotpDevice)
class TotpDeviceAdmin(AuditedModelAdmin):
    """Deleting a device resets a staff member's two-factor (lost phone)."""

    list_display = ("user", "created_at", "confirmed_at")
    fields = ("user", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
