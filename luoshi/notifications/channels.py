"""Delivery channels for notifications: email through Django's mail framework (SMTP settings from the
environment), SMS through a pluggable backend named by ``settings.LUOSHI_SMS_BACKEND`` (a dotted path to a
class with ``send(phone: str, text: str) -> None``). The default backend only logs: plug in the gateway of
your SMS provider by writing such a class and pointing the setting at it."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.utils.module_loading import import_string

logger = logging.getLogger("luoshi.sms")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSmsBackend:
    """Writes each SMS to the log instead of sending it (the default; no gateway needed)."""

    sent: list[tuple[str, str]] = []  # kept for tests and the demo; bounded below

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)
        LogSmsBackend.sent.append((phone, text))
        del LogSmsBackend.sent[:-1000]


@cache
def _sms_backend_class(path: str) -> type:
    return import_string(path)  # type: ignore[no-any-return]


def sms_backend() -> SmsBackend:
    path = getattr(settings, "LUOSHI_SMS_BACKEND", "") or "luoshi.notifications.channels.LogSmsBackend"
    try:
        cls = _sms_backend_class(path)
    except ImportError:
        logger.warning("LUOSHI_SMS_BACKEND %s cannot be imported; SMS are only logged", path)
        cls = LogSmsBackend
    return cls()  # type: ignore[no-any-return]


def email_connection() -> Any:
    """The default mailer of settings.MAILERS (SMTP in production, a file outbox on the embedded default)."""
    return mailers.default


def send_email(*, to: str, subject: str, body: str, connection: Any = None) -> None:
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    (connection or email_connection()).send_messages([message])
