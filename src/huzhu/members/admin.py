from django.contrib import admin

from .models import Employment, MemberUnit, Worker


@admin.register(MemberUnit)
class MemberUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "kind", "league", "county", "eligible_headcount")
    list_filter = ("kind", "league")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("parent_union",)


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    """Workers are registered through the services (validation, encryption); admin only reads."""

    list_display = ("name", "id_number_masked", "gender", "kind", "unit", "county")
    list_filter = ("kind", "gender", "league")
    search_fields = ("name", "id_number_masked")
    exclude = ("id_number_encrypted", "id_number_index", "bank_account_encrypted")
    raw_id_fields = ("unit",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ("worker", "unit", "started_on", "ended_on")
    raw_id_fields = ("worker", "unit")
