"""Notifications: every status change row is an outbox entry; a sender delivers pending ones once."""
import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from huzhu.archives.models import DocumentKind

from ..models import Claim, ClaimStatusChange

logger = logging.getLogger("huzhu.claims.notifications")
MAX_ATTEMPTS = 5
S = Claim.Status


@dataclass(frozen=True)
class Notification:
    phone: str
    text: str
    claim_id: int
    change_id: int


class Sender(Protocol):
    """An SMS or WeChat gateway adapter: deliver one message or raise."""

    def send(self, notification: Notification) -> None: ...


class LogSender:
    """The default backend: writes the message to the log (no gateway configured)."""

    def send(self, notification: Notification) -> None:
        logger.info("notify %s claim #%s: %s", notification.phone[-4:], notification.claim_id, notification.text)


class SmsSender:
    """Adapter for an SMS gateway; configure a subclass with the provider's client in settings."""

    def send(self, notification: Notification) -> None:
        raise NotImplementedError("no SMS gateway is configured (CLAIMS_NOTIFICATION_SENDER)")


class WeChatSender:
    """Adapter for WeChat template messages; needs the worker's openid binding (not built yet)."""

    def send(self, notification: Notification) -> None:
        raise NotImplementedError("no WeChat gateway is configured (CLAIMS_NOTIFICATION_SENDER)")


def configured_sender() -> Sender:
    path = getattr(settings, "CLAIMS_NOTIFICATION_SENDER", "huzhu.claims.services.notifications.LogSender")
    return import_string(path)()


def _data_message(change: ClaimStatusChange, claim: Claim) -> str:
    """What a worker hears of a claim made from her settlement data: she never applied, so only the benefit,
    the pathology report her phone should photograph, a refusal and a cancellation; the review steps are silent."""
    if change.to_status == S.APPROVED:
        text = f"【职工互助】您有一笔互助补助金 {claim.benefit_amount} 元（{claim.hospital}，申领 #{claim.pk}）。"
        if claim.bank_confirmed_at is None:
            text += "请登录职工手机页面确认收款银行卡。"
        return text
    if change.to_status == S.SUPPLEMENT:
        labels = "、".join(str(DocumentKind(i).label) if i in DocumentKind.values else i for i in change.missing_items)
        return f"【职工互助】您的医保结算已生成互助申领 #{claim.pk}，请登录职工手机页面拍照上传：{labels}。"
    if change.to_status == S.PAID:
        return f"【职工互助】您的互助补助金 {claim.benefit_amount} 元已支付（申领 #{claim.pk}）。"
    if change.to_status == S.REJECTED:
        return f"【职工互助】您的申领 #{claim.pk}不予补助：{change.comment}"
    if change.to_status == S.WITHDRAWN:
        return f"【职工互助】医保部门已冲销您的结算，申领 #{claim.pk} 已撤销。"
    return ""


def _hospital_message(change: ClaimStatusChange, claim: Claim) -> str:
    """A stay settled at discharge: she saw the benefit come off her bill; the text confirms it, or its cancellation."""
    if change.to_status == S.PAID:
        return (f"【职工互助】您在{claim.hospital}出院结算时已享受互助补助金 {claim.benefit_amount} 元，"
                f"已从住院费用中抵扣（申领 #{claim.pk}）。")
    if change.to_status == S.WITHDRAWN:
        return f"【职工互助】{claim.hospital}已撤销您的出院结算，互助补助金未抵扣（申领 #{claim.pk}）。"
    return ""


def message_for(change: ClaimStatusChange) -> str:
    """The Chinese text a worker receives for a status change ("" when the change tells her nothing)."""
    claim = change.claim
    if claim.channel == Claim.Channel.HOSPITAL:
        return _hospital_message(change, claim)
    if claim.channel == Claim.Channel.DATA:
        return _data_message(change, claim)
    head = f"【职工互助】您的申领 #{claim.pk}"
    if change.to_status == S.SUPPLEMENT:
        labels = "、".join(str(DocumentKind(i).label) if i in DocumentKind.values else i for i in change.missing_items)
        return f"{head}需要补正：{labels}。请登录申领页面或到代办点补充。"
    if change.to_status in (S.APPROVED, S.PAID):
        return f"{head}{Claim.Status(change.to_status).label}，补助金 {claim.benefit_amount} 元。"
    if change.to_status == S.REJECTED:
        return f"{head}不予补助：{change.comment}"
    return f"{head}状态：{Claim.Status(change.to_status).label}。"


def deliver_notifications(*, sender: Sender | None = None, limit: int = 200) -> int:
    """Deliver pending outbox rows; safe to run twice at once (rows are locked and skipped)."""
    sender = sender or configured_sender()
    delivered = 0
    with transaction.atomic():
        pending = (ClaimStatusChange.objects.select_related("claim__worker")
                   .filter(notified_at__isnull=True, notify_attempts__lt=MAX_ATTEMPTS).order_by("id"))
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        for change in pending[:limit]:
            phone = change.claim.worker.reveal_phone()
            try:
                text = message_for(change) if phone and change.to_status != S.DRAFT else ""
                if text:
                    sender.send(Notification(phone, text, change.claim_id, change.pk))
            except Exception as exc:  # noqa: BLE001 - a gateway failure is recorded and retried later
                ClaimStatusChange.objects.filter(pk=change.pk).update(
                    notify_attempts=change.notify_attempts + 1, notify_error=str(exc)[:200])
                continue
            ClaimStatusChange.objects.filter(pk=change.pk).update(
                notified_at=timezone.now(), notify_attempts=change.notify_attempts + 1, notify_error="")
            delivered += 1
    return delivered
