"""No audit table is registered in the admin site: only the audit administrator reads them, on her
own pages (/security/audit-log/, /security/access-log/). This module gives admin classes an audit trail."""
from django.contrib import admin

from .services import record_event


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete made through the admin site is also an audit event.

    Django's own LogEntry is an ordinary table anyone with database access can edit; the audit
    event is in the keyed chain.
    """

    def _record(self, request, action: str, obj, message) -> None:
        record_event(actor=request.user, action=f"admin.{action}", object_type=obj._meta.label,
                     object_id=obj.pk, after={"object": str(obj)[:120], "message": message})

    def log_addition(self, request, obj, message):
        self._record(request, "added", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, "changed", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record(request, "deleted", obj, "")
        return super().log_deletions(request, queryset)
