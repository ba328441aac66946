"""Append-only audit log: who changed what, when, with before and after; a SHA-256 hash chain."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One write, recorded by the service that made it. Never updated or deleted.

    `hash` = SHA-256 over the event's canonical JSON and `prev_hash` (audit/chain.py), so editing
    or deleting a row breaks the chain that `huzhu audit verify` walks.
    """

    # Set before insert (not auto_now_add) because the hash covers it.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """The single row holding the chain's last event; locked while an event is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head #{self.last_event_id}"
