"""Read-only admin: the ledger is written by services only (append-only, audited)."""
from django.contrib import admin

from huzhu.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Account, Budget, LedgerEntry, Posting, YearClose


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = ("account", "amount")
    readonly_fields = fields


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "type", "plan_year", "office", "agency_point")
    list_filter = ("plan_year", "type")
    search_fields = ("code", "name")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "posted_on", "plan_year", "kind", "cause_type", "cause_id", "memo", "is_adjustment",
                    "is_prior_year_adjustment")
    list_filter = ("plan_year", "kind", "is_adjustment", "is_prior_year_adjustment")
    search_fields = ("cause_id", "memo")
    inlines = [PostingInline]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ("plan_year", "office", "agency_point", "amount", "set_by", "set_at")
    list_filter = ("plan_year",)


@admin.register(YearClose)
class YearCloseAdmin(ReadOnlyAdmin):
    list_display = ("plan_year", "contributions_amount", "reserve_amount", "working_funds_amount", "closed_by",
                    "closed_at")
