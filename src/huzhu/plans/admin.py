"""Admin views of plans, read-only: plans, terms and statuses change only through the services
(the plan-year pages), which validate them and write the audit log."""
import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from huzhu.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Plan, PlanYear, TermsVersion


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ("code", "name")


class TermsVersionInline(ReadOnlyInline):
    model = TermsVersion
    fields = ("number", "created_at", "created_by", "reason")
    readonly_fields = fields
    show_change_link = True


@admin.register(PlanYear)
class PlanYearAdmin(ReadOnlyAdmin):
    list_display = ("plan", "year", "status", "current_version")
    list_filter = ("plan", "status")
    inlines = [TermsVersionInline]


@admin.register(TermsVersion)
class TermsVersionAdmin(ReadOnlyAdmin):
    list_display = ("plan_year", "number", "created_at", "created_by", "reason")
    list_filter = ("plan_year__plan", "plan_year__year")
    fields = ("plan_year", "number", "created_at", "created_by", "reason", "document_text")
    readonly_fields = fields

    @admin.display(description=_("条款"))
    def document_text(self, version: TermsVersion) -> str:
        return format_html("<pre>{}</pre>", json.dumps(version.document, ensure_ascii=False, indent=2))
