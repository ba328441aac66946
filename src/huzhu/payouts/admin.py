"""Read-only admin views of payouts: every change goes through services (audited, booked)."""
from django.contrib import admin

from huzhu.core.admin import ReadOnlyAdmin

from .models import Payout, PayoutBatch, ReturnImport


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "payout_count", "total_amount", "paid_amount", "failed_amount", "created_at")
    list_filter = ("status",)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ("reference", "claim", "payee_name", "bank_account_masked", "amount", "status")
    list_filter = ("status",)
    search_fields = ("reference",)
    exclude = ("bank_account_encrypted",)


@admin.register(ReturnImport)
class ReturnImportAdmin(ReadOnlyAdmin):
    list_display = ("batch", "file_name", "line_count", "paid_count", "failed_count", "imported_at")
