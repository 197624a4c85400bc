"""Notifications (催办、预警、督办): created once per event and person and channel, delivered later.

Every notification row has a unique ``event_key`` (``<event>:<user>:<channel>``): creating the same event
twice creates nothing the second time, so the sweep and services can be re-run safely. In-app rows are
"sent" when created; email and SMS rows wait in the outbox until ``deliver_pending`` (a background job)
claims and sends them, each at most once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from luoshi.accounts.models import Role, User
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
) -> list[Notification]:
    """Unsaved rows: in-app for everyone, email when the person has an address, SMS when asked and known."""
    now = timezone.now()
    out: list[Notification] = []
    for r in recipients:
        common: dict[str, Any] = dict(
            user_id=r.user_id,
            kind=kind,
            title=title[:200],
            body=body,
            url=url,
            task_id=task_id,
            created_at=now,
        )
        out.append(
            Notification(
                channel=Channel.IN_APP, event_key=f"{key}:{r.user_id}:in_app"[:200], sent_at=now, **common
            )
        )
        if r.email:
            out.append(
                Notification(channel=Channel.EMAIL, event_key=f"{key}:{r.user_id}:email"[:200], **common)
            )
        if sms and r.phone:
            out.append(Notification(channel=Channel.SMS, event_key=f"{key}:{r.user_id}:sms"[:200], **common))
    return out


def create(rows: Sequence[Notification]) -> int:
    """Insert the rows whose event key is new; returns how many were created."""
    if not rows:
        return 0
    unique: dict[str, Notification] = {}
    for row in rows:
        unique.setdefault(row.event_key, row)
    keys = list(unique)
    existing: set[str] = set()
    for i in range(0, len(keys), 500):
        existing.update(
            Notification.objects.filter(event_key__in=keys[i : i + 500]).values_list("event_key", flat=True)
        )
    new = [row for key, row in unique.items() if key not in existing]
    Notification.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    if any(row.channel != Channel.IN_APP for row in new):
        transaction.on_commit(_enqueue_delivery)
    return len(new)


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
