"""Delivery channels for notifications: email through Django's mail framework (SMTP settings from the
environment), SMS through a pluggable backend named by ``settings.LUOSHI_SMS_BACKEND`` (a dotted path to a
class with ``send(phone: str, text: str) -> None``). The default backend only logs: plug in the gateway of
your SMS provider by writing such a class and pointing the setting at it."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
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


def sms_backend_path() -> str:
    return getattr(settings, "LUOSHI_SMS_BACKEND", "") or "luoshi.notifications.channels.LogSmsBackend"


def sms_backend() -> SmsBackend:
    """The configured SMS backend. A path that cannot be imported is a configuration error (the system check
    below stops the server from starting with it); it never falls back silently to only logging."""
    path = sms_backend_path()
    try:
        cls = _sms_backend_class(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"LUOSHI_SMS_BACKEND={path!r} 无法导入：{exc}") from exc
    return cls()  # type: ignore[no-any-return]


@checks.register(checks.Tags.compatibility)
def check_sms_backend(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """``manage.py check`` (run by every server start and by the test suite) fails on an SMS backend that cannot
    be imported or has no ``send``, instead of the platform quietly sending no SMS."""
    path = sms_backend_path()
    try:
        cls = _sms_backend_class(path)
    except ImportError as exc:
        return [
            checks.Error(
                f"短信通道配置有误：LUOSHI_SMS_BACKEND={path!r} 无法导入（{exc}）。",
                hint="请填写一个带有 send(phone, text) 方法的类的完整路径，或不设置以只记录日志。",
                id="luoshi.notifications.E001",
            )
        ]
    if not callable(getattr(cls, "send", None)):
        return [
            checks.Error(
                f"短信通道配置有误：{path} 没有 send(phone, text) 方法。",
                id="luoshi.notifications.E002",
            )
        ]
    return []


def email_connection() -> Any:
    """The default mailer of settings.MAILERS (SMTP in production, a file outbox on the embedded default)."""
    return mailers.default


def send_email(*, to: str, subject: str, body: str, connection: Any = None) -> None:
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    (connection or email_connection()).send_messages([message])
