"""Text messages to workers' phones, through a pluggable backend (settings.HUZHU_SMS_BACKEND).

A real gateway (the province's SMS platform) implements `SmsBackend.send`; the default
`LogSmsBackend` writes the message to the log, for development and intranets without a gateway.
"""
import logging
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("huzhu.sms")


class SmsBackend:
    """Sends one text message; raises on failure."""

    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Writes the message to the `huzhu.sms` log instead of sending it."""

    def send(self, *, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)


@lru_cache(maxsize=4)
def _backend(path: str) -> SmsBackend:
    return import_string(path)()


def send_sms(*, phone: str, text: str) -> None:
    """Send a text through the configured backend."""
    _backend(settings.HUZHU_SMS_BACKEND).send(phone=phone, text=text)
