from django.contrib import admin

from .models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ("sha256", "content_type", "size", "retain_until_on", "stored_at")
    search_fields = ("sha256", "original_name")
    readonly_fields = [f.name for f in StoredFile._meta.fields]
