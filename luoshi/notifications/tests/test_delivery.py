"""Delivery: email through a real local SMTP server (aiosmtpd), SMS through the pluggable backend, never twice."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

import pytest

from luoshi.notifications import services as notifications
from luoshi.notifications.models import Notification

SMTP = "django.core.mail.backends.smtp.EmailBackend"

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Sink]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": SMTP, "OPTIONS": {"host": "127.0.0.1", "port": port}}}
    try:
        yield sink
    finally:
        controller.stop()


class RecordingSms:
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        RecordingSms.sent.append((phone, text))


def test_email_and_sms_are_delivered_once(
    smtp: Sink, users: dict[str, Any], units: dict[str, Any], settings: Any
) -> None:
    settings.LUOSHI_SMS_BACKEND = "luoshi.notifications.tests.test_delivery.RecordingSms"
    RecordingSms.sent.clear()
    staff = users["staff"]
    staff.email, staff.phone = "staff@example.org", "13800000000"
    staff.save()
    created = notifications.notify(
        units=[units["jm_fgw"].pk],
        kind="missed",
        key="missed:test:1",
        title="催办:进展未按期报送",
        body="请尽快补报。",
        sms=True,
    )
    assert created == 3  # in-app, email, sms
    assert (
        notifications.notify(units=[units["jm_fgw"].pk], kind="missed", key="missed:test:1", title="x") == 0
    )
    result = notifications.deliver_pending()
    assert result == {"sent": 2, "failed": 0}
    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["staff@example.org"]
    msg = message_from_bytes(envelope.original_content)
    assert "催办" in str(make_header(decode_header(msg["Subject"])))
    assert RecordingSms.sent == [("13800000000", "【落实】催办:进展未按期报送")]
    assert notifications.deliver_pending() == {"sent": 0, "failed": 0}  # nothing is sent twice
    assert len(smtp.messages) == 1


def test_failed_email_is_released_for_retry(
    users: dict[str, Any], units: dict[str, Any], settings: Any
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    settings.MAILERS = {
        "default": {"BACKEND": SMTP, "OPTIONS": {"host": "127.0.0.1", "port": closed_port, "timeout": 2}}
    }
    users["staff"].email = "staff@example.org"
    users["staff"].save()
    notifications.notify(units=[units["jm_fgw"].pk], kind="missed", key="k", title="t")
    assert notifications.deliver_pending() == {"sent": 0, "failed": 1}
    row = Notification.objects.get(channel="email")
    assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_default_sms_backend_only_logs(settings: Any) -> None:
    from luoshi.notifications.channels import LogSmsBackend, sms_backend

    settings.LUOSHI_SMS_BACKEND = "luoshi.notifications.channels.LogSmsBackend"
    backend = sms_backend()
    assert isinstance(backend, LogSmsBackend)
    backend.send("13800000000", "测试")
    assert LogSmsBackend.sent[-1] == ("13800000000", "测试")


def test_mark_read_only_own(users: dict[str, Any], units: dict[str, Any]) -> None:
    notifications.notify(
        units=[units["jm_fgw"].pk, units["jm_jxj"].pk], kind="notice", key="n1", title="督办"
    )
    other = Notification.objects.get(user=users["staff_other"])
    assert notifications.mark_read(user=users["staff"], ids=[other.pk]) == 0
    assert notifications.mark_read(user=users["staff"]) == 1


def test_an_sms_backend_that_cannot_be_imported_is_a_configuration_error(settings: Any) -> None:
    """A misspelt LUOSHI_SMS_BACKEND stops `manage.py check` with a Chinese error; it never quietly only logs."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    from luoshi.notifications.channels import sms_backend

    settings.LUOSHI_SMS_BACKEND = "luoshi.notifications.channels.NoSuchBackend"
    errors = [m for m in checks.run_checks() if m.id == "luoshi.notifications.E001"]
    assert len(errors) == 1 and "NoSuchBackend" in errors[0].msg and "无法导入" in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match="NoSuchBackend"):
        sms_backend()

    settings.LUOSHI_SMS_BACKEND = "luoshi.notifications.channels.LogSmsBackend"
    assert not [m for m in checks.run_checks() if (m.id or "").startswith("luoshi.notifications.")]
