from django.contrib import admin

from huzhu.core.admin import ReadOnlyAdmin

from .models import DataSharingAgreement, SettlementImport


@admin.register(DataSharingAgreement)
class DataSharingAgreementAdmin(ReadOnlyAdmin):
    list_display = ("bureau_name", "region", "starts_on", "ends_on", "retention_days")


@admin.register(SettlementImport)
class SettlementImportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "file_name", "source", "status", "total", "matched_count", "claims_created", "created_at")
    list_filter = ("status", "source")
