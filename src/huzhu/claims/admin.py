"""Read-only admin views of claims: every change goes through services (STYLE.md)."""
from django.contrib import admin

from .models import Claim, ClaimStatusChange


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(ReadOnly):
    list_display = ("pk", "worker", "claim_type", "status", "benefit_amount", "due_on", "county")
    list_filter = ("status", "claim_type", "channel", "straight_through")
    search_fields = ("worker__name", "worker__id_number_masked", "invoices__number")


@admin.register(ClaimStatusChange)
class ClaimStatusChangeAdmin(ReadOnly):
    list_display = ("claim", "from_status", "to_status", "actor_kind", "actor", "at", "notified_at")
    list_filter = ("to_status", "actor_kind")
