"""Read-only admin views of claims: every change goes through services (STYLE.md)."""
from django.contrib import admin

from huzhu.core.admin import ReadOnlyAdmin

from .models import Claim, ClaimStatusChange


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ("pk", "worker", "claim_type", "status", "benefit_amount", "due_on", "county")
    list_filter = ("status", "claim_type", "channel", "straight_through")
    search_fields = ("worker__name", "worker__id_number_masked", "invoices__number")


@admin.register(ClaimStatusChange)
class ClaimStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("claim", "from_status", "to_status", "actor_kind", "actor", "at", "notified_at")
    list_filter = ("to_status", "actor_kind")
