"""Append-only audit log: who changed what, when, with before and after; a keyed (HMAC) chain."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One write, recorded by the service that made it. Never updated or deleted (except sealed once).

    Two keyed MACs protect it (audit/chain.py, key `HUZHU_AUDIT_KEY`, never in the database):
    `mac` covers the event's id and content and is written in the recording transaction; `hash`
    links it into the chain — over `seq`, `prev_hash` and `mac` — when the sealer gives it its
    place (`seq`) after commit. An event with `seq` NULL is recorded but not yet sealed.
    """

    # Set before insert (not auto_now_add) because the MAC covers it.
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # "hmac-sha256" or "hmac-sm3" (HUZHU_CRYPTO=sm): the MAC this row's `mac` and `hash` were made with.
    algorithm = models.CharField(max_length=16, blank=True)
    mac = models.CharField(max_length=64, blank=True)
    # The place in the chain, given at sealing time in commit order (not id order: ids commit out of order).
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}#{self.object_id}"


class AuditChainHead(models.Model):
    """The single row holding the chain's last sealed event; locked only while the sealer links events."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head #{self.last_event_id} (seq {self.last_seq})"
