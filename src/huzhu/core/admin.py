"""The one read-only admin base: records written by services only (append-only logs, ledger entries, status
histories, stored files, claims and payouts) are shown in the admin site but never added, changed or deleted there.

Without change permission Django shows every field read-only; a staff member with the view permission reads them.
"""
from django.contrib import admin


class ReadOnlyAdminMixin:
    """No add, change or delete, whoever asks (superusers too): the services own these writes."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
