"""Webhook subscribers (partner systems) and the log of every delivery to them."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from huzhu.core.crypto import EncryptedField


class Subscriber(models.Model):
    """A partner system that receives signed claim status events, optionally for one region only."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("回调地址"), max_length=300)
    secret_encrypted = EncryptedField(_("密钥（密文）"), max_length=200)
    secret_hint = models.CharField(_("密钥前缀"), max_length=12, blank=True)
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("区域"), help_text=_("空 = 全区；盟市或旗县 = 只推送该区域的申领"))
    is_active = models.BooleanField(_("启用"), default=True)
    # Outbox cursor: status changes up to this id are turned into deliveries (services.enqueue_claim_events).
    last_change_id = models.BigIntegerField(_("最近推送的变更编号"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回调订阅方")
        verbose_name_plural = _("回调订阅方")

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One event for one subscriber: its fixed payload, tries, and outcome (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("已放弃")

    subscriber = models.ForeignKey(Subscriber, verbose_name=_("订阅方"), on_delete=models.PROTECT, related_name="deliveries")
    change = models.ForeignKey("claims.ClaimStatusChange", verbose_name=_("申领状态变更"), on_delete=models.PROTECT, related_name="+")
    event_id = models.CharField(_("事件编号"), max_length=40, unique=True)
    event_type = models.CharField(_("事件类型"), max_length=40, default="claim.status_changed")
    payload = models.JSONField(_("内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回调投递")
        verbose_name_plural = _("回调投递")
        constraints = [models.UniqueConstraint(fields=["subscriber", "change"], name="one_delivery_per_event")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhooks_due")]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.event_id}"
