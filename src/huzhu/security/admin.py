from django.contrib import admin

from .models import ApiToken, PersonalDataAccess, TotpDevice


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `huzhu api-token create` or the user's own page; here they are read and revoked."""

    list_display = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = ("user", "name", "prefix", "token_hash", "created_at", "last_used_at", "expires_at")

    def has_add_permission(self, request):
        return False


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Deleting a device resets a staff member's two-factor (lost phone)."""

    list_display = ("user", "created_at", "confirmed_at")
    fields = ("user", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "kind", "worker_id", "view", "field", "reason", "ip")
    list_filter = ("kind", "view")
    search_fields = ("actor_label", "=worker_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
