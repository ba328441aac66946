"""Notifications: every status change is an outbox row, delivered once by the sender."""
from io import StringIO

import pytest
from django.core.management import call_command

from .. import services
from ..models import ClaimStatusChange
from ..services.notifications import Notification


class Recorder:
    def __init__(self, fail=False):
        self.sent: list[Notification] = []
        self.fail = fail

    def send(self, notification: Notification) -> None:
        if self.fail:
            raise ConnectionError("gateway down")
        self.sent.append(notification)


def test_every_status_change_is_delivered_once(file_stay, no_straight_through):
    claim = file_stay()
    recorder = Recorder()
    assert services.deliver_notifications(sender=recorder) == claim.status_changes.count() == 3
    assert services.deliver_notifications(sender=recorder) == 0
    assert len(recorder.sent) == 3
    assert recorder.sent[0].phone == "13800000001"


def test_the_supplement_message_lists_what_is_missing(file_stay):
    from .conftest import scans

    file_stay(documents=scans(("invoice",)))
    recorder = Recorder()
    services.deliver_notifications(sender=recorder)
    assert "住院结算单" in recorder.sent[-1].text and "银行卡" in recorder.sent[-1].text


def test_a_failed_delivery_stays_pending_with_the_error(file_stay, no_straight_through):
    file_stay()
    assert services.deliver_notifications(sender=Recorder(fail=True)) == 0
    pending = ClaimStatusChange.objects.filter(notified_at__isnull=True)
    assert pending.count() == 3
    assert all(row.notify_attempts == 1 and "gateway down" in row.notify_error for row in pending)
    assert services.deliver_notifications(sender=Recorder()) == 3


def test_the_command_delivers_with_the_log_backend(file_stay, no_straight_through):
    file_stay()
    out = StringIO()
    call_command("send-notifications", stdout=out)
    assert "已发送 3 条通知" in out.getvalue()
    assert not ClaimStatusChange.objects.filter(notified_at__isnull=True).exists()


@pytest.mark.parametrize("backend", ["SmsSender", "WeChatSender"])
def test_an_unconfigured_gateway_adapter_refuses_to_pretend(backend):
    from ..services import notifications

    with pytest.raises(NotImplementedError):
        getattr(notifications, backend)().send(Notification("13800000001", "x", 1, 1))
