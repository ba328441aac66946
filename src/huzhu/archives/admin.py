from django.contrib import admin

from huzhu.core.admin import ReadOnlyAdmin

from .models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    """Stored files are kept until their retention date by the archive services; never edited or deleted here."""

    list_display = ("sha256", "content_type", "size", "retain_until_on", "stored_at")
    search_fields = ("sha256", "original_name")
    readonly_fields = [f.name for f in StoredFile._meta.fields]
