"""Models shared by apps: the abstract status-change row of a workflow (core/workflow.py)."""
from django.conf import settings
from django.db import models


class StatusChange(models.Model):
    """One move of a record's status: its history (subclasses add the foreign key to the record)."""

    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status} ({self.action})"
