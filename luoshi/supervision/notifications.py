"""Notifications (催办、预警、督办): created once per event and person and channel, delivered later.

Every notification row has a unique ``event_key`` (``<event>:<user>:<channel>``): creating the same event
twice creates nothing the second time, so the sweep and services can be re-run safely. In-app rows are
"sent" when created; email and SMS rows wait in the outbox until ``deliver_pending`` (a background job)
claims and sends them, each at most once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from luoshi.accounts.models import Role, User
from luoshi.core import bulk
from luoshi.supervision.models import Channel, Notification, NotificationKind

if TYPE_CHECKING:
    from luoshi.orgs.models import Region, Unit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    phone: str


def unit_recipients(unit_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """Active staff of each unit, in one query."""
    out: dict[int, list[Recipient]] = defaultdict(list)
    ids = list(set(unit_ids))
    if not ids:
        return out
    rows = User.objects.filter(unit_id__in=ids, role=Role.STAFF, is_active=True).values_list(
        "unit_id", "id", "email", "phone"
    )
    for unit_id, user_id, email, phone in rows:
        out[unit_id].append(Recipient(user_id, email or "", phone or ""))
    return out


def office_recipients(region: Region) -> list[Recipient]:
    """营商办 administrators whose region contains `region`."""
    ancestors = [int(p) for p in region.path.strip("/").split("/") if p.isdigit()] or [region.pk]
    rows = User.objects.filter(role=Role.ADMIN, is_active=True, region_id__in=ancestors).values_list(
        "id", "email", "phone"
    )
    return [Recipient(uid, email or "", phone or "") for uid, email, phone in rows]


class NotificationRow(NamedTuple):
    """An unsaved notification (a plain tuple: the sweep makes hundreds of thousands of them)."""

    user_id: int
    kind: str
    channel: str
    event_key: str
    title: str
    body: str
    url: str
    task_id: int | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


_ROW_FIELDS = (*NotificationRow._fields, "attempts", "last_error")
_IN_APP, _EMAIL, _SMS = (str(c.value) for c in (Channel.IN_APP, Channel.EMAIL, Channel.SMS))


def rows_for(
    recipients: Iterable[Recipient],
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    task_id: int | None = None,
    sms: bool = False,
    now: dt.datetime | None = None,
) -> list[NotificationRow]:
    """Unsaved rows: in-app for everyone, email when the person has an address, SMS when asked and known."""
    now = now or timezone.now()
    title, kind = title[:200], str(kind)  # plain str values for the driver
    out: list[NotificationRow] = []
    for r in recipients:
        uid = r.user_id
        out.append(
            NotificationRow(
                uid, kind, _IN_APP, f"{key}:{uid}:in_app"[:200], title, body, url, task_id, now, now
            )
        )
        if r.email:
            out.append(
                NotificationRow(
                    uid, kind, _EMAIL, f"{key}:{uid}:email"[:200], title, body, url, task_id, now, None
                )
            )
        if sms and r.phone:
            out.append(
                NotificationRow(
                    uid, kind, _SMS, f"{key}:{uid}:sms"[:200], title, body, url, task_id, now, None
                )
            )
    return out


def create(rows: Sequence[NotificationRow]) -> int:
    """Insert the rows whose event key is new (the unique key skips the others, also under a concurrent
    sweep); returns how many were created. Email and SMS rows are handed to delivery after the commit."""
    if not rows:
        return 0
    unique: dict[str, NotificationRow] = {}
    for row in rows:
        unique.setdefault(row.event_key, row)
    adapted: dict[dt.datetime, Any] = {}

    def when(value: dt.datetime | None) -> Any:
        if value is None:
            return None
        if value not in adapted:
            adapted[value] = bulk.db_datetime(value)
        return adapted[value]

    channels = bulk.insert(
        Notification,
        _ROW_FIELDS,
        [(*row[:8], when(row.created_at), when(row.sent_at), 0, "") for row in unique.values()],
        ignore_conflicts=True,
        returning="channel",
    )
    if any(channel != Channel.IN_APP for channel in channels):
        transaction.on_commit(_enqueue_delivery)
    return len(channels)


def _enqueue_delivery() -> None:
    from luoshi.supervision.tasks import deliver_notifications

    deliver_notifications()


def notify_units(
    unit_ids: Iterable[int],
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    task_id: int | None = None,
    sms: bool = False,
) -> int:
    recipients = [r for rs in unit_recipients(unit_ids).values() for r in rs]
    return create(
        rows_for(recipients, kind=kind, key=key, title=title, body=body, url=url, task_id=task_id, sms=sms)
    )


def notify_project_event(
    *,
    units: Sequence[Unit] = (),
    users: Sequence[User] = (),
    subject: str,
    body: str,
    key: str,
    link: str = "",
) -> int:
    """The seam used by luoshi.projects: notify the staff of `units` and `users`, once per `key`."""
    recipients = [r for rs in unit_recipients(u.pk for u in units).values() for r in rs]
    recipients += [Recipient(u.pk, u.email or "", u.phone or "") for u in users]
    seen: set[int] = set()
    unique = [r for r in recipients if not (r.user_id in seen or seen.add(r.user_id))]  # type: ignore[func-returns-value]
    return create(
        rows_for(
            unique,
            kind=NotificationKind.NOTICE,
            key=f"project:{key}",
            title=subject,
            body=body,
            url=link,
            sms=True,
        )
    )


def deliver_pending(limit: int = 500) -> dict[str, int]:
    """Send waiting email and SMS rows. Each row is claimed with a conditional update first, so two workers
    never send the same row; a failed send releases the claim and counts an attempt."""
    from luoshi.supervision.notify import email_connection, send_email, sms_backend

    sent = failed = 0
    pending = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .exclude(channel=Channel.IN_APP)
        .select_related("user")
        .order_by("id")[:limit]
    )
    connection = None
    sms = None
    for row in pending:
        claimed = Notification.objects.filter(pk=row.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        try:
            if row.channel == Channel.EMAIL:
                connection = connection or email_connection()
                send_email(
                    to=row.user.email,
                    subject=f"【落实】{row.title}",
                    body=_mail_body(row),
                    connection=connection,
                )
            else:
                sms = sms or sms_backend()
                sms.send(row.user.phone, f"【落实】{row.title}")
            sent += 1
        except Exception as exc:
            logger.warning("notification %s not delivered: %s", row.pk, exc)
            Notification.objects.filter(pk=row.pk).update(sent_at=None, last_error=str(exc)[:300])
            failed += 1
    return {"sent": sent, "failed": failed}


def _mail_body(row: Notification) -> str:
    lines = [f"{row.user}您好:", "", row.title]
    if row.body:
        lines += ["", row.body]
    if row.url:
        lines += ["", f"请登录落实平台办理:{row.url}"]
    lines += ["", "(本邮件由落实平台自动发送,请勿直接回复。)"]
    return "\n".join(lines)


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all of them when `ids` is None)."""
    qs = Notification.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
