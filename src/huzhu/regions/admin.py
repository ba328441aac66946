from django.contrib import admin

from .models import AgencyPoint, Division, Office, StaffProfile


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "kind", "parent")
    list_filter = ("level", "kind")
    search_fields = ("code", "name")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "league", "phone")


@admin.register(AgencyPoint)
class AgencyPointAdmin(admin.ModelAdmin):
    list_display = ("name", "county", "office", "phone")
    list_filter = ("office",)
    search_fields = ("name", "county__name")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "division", "unit")
    list_filter = ("role",)
    raw_id_fields = ("unit",)
