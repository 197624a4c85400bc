"""Notify people about anything (in-app, email, SMS), once per event.

Any domain calls ``notify(...)`` (a few recipients) or ``rows_for`` + ``create`` (set-based: the sweep makes
hundreds of thousands of rows). Every row has a unique ``event_key`` (``<key>:<user>:<channel>``): creating
the same event twice creates nothing the second time, so jobs and services can be re-run safely. In-app rows
are "sent" when created; email and SMS rows wait in the outbox until ``deliver_pending`` (a background job)
claims and sends them, each at most once. A person may switch email/SMS off or ask for one daily email
digest (``Preference``); in-app is always on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from luoshi.accounts import access
from luoshi.accounts.models import User
from luoshi.core import bulk
from luoshi.notifications.models import Channel, Notification, Preference

if TYPE_CHECKING:
    from luoshi.orgs.models import Region

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    phone: str
    email_on: bool = True
    sms_on: bool = True
    digest: bool = False


_RECIPIENT_FIELDS = (
    "id",
    "email",
    "phone",
    "notification_preference__email",
    "notification_preference__sms",
    "notification_preference__daily_digest",
)


def _recipient(uid: int, email: Any, phone: Any, e_on: Any, s_on: Any, digest: Any) -> Recipient:
    return Recipient(uid, email or "", phone or "", e_on is not False, s_on is not False, bool(digest))


def user_recipients(users: Iterable[User | int]) -> list[Recipient]:
    ids = sorted({u if isinstance(u, int) else u.pk for u in users})
    rows = User.objects.filter(pk__in=ids, is_active=True).values_list(*_RECIPIENT_FIELDS)
    return [_recipient(*row) for row in rows]


def unit_recipients(unit_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    """Active staff of each unit, in one query."""
    out: dict[int, list[Recipient]] = defaultdict(list)
    ids = list(set(unit_ids))
    if not ids:
        return out
    rows = access.unit_members(ids).values_list("unit_id", *_RECIPIENT_FIELDS)
    for unit_id, *rest in rows:
        out[unit_id].append(_recipient(*rest))
    return out


def office_recipients(region: Region) -> list[Recipient]:
    """营商办 administrators whose region contains `region`."""
    return recipients_of(access.office_admins_over(region))


def recipients_of(users: models.QuerySet[User]) -> list[Recipient]:
    """The recipients (address, phone, preferences) of any query of users, in one query."""
    return [_recipient(*row) for row in users.values_list(*_RECIPIENT_FIELDS)]


class NotificationRow(NamedTuple):
    """An unsaved notification (a plain tuple: the sweep makes hundreds of thousands of them)."""

    user_id: int
    kind: str
    kind_label: str
    channel: str
    event_key: str
    title: str
    body: str
    url: str
    subject_type_id: int | None
    subject_id: str
    subject_label: str
    digest: bool
    created_at: dt.datetime
    sent_at: dt.datetime | None


_ROW_FIELDS = (*NotificationRow._fields, "attempts", "last_error")
_IN_APP, _EMAIL, _SMS = (str(c.value) for c in (Channel.IN_APP, Channel.EMAIL, Channel.SMS))


def subject_of(obj: models.Model | None) -> tuple[int | None, str, str]:
    """(content type id, object id, label) of a model instance, or nothing."""
    if obj is None:
        return None, "", ""
    return ContentType.objects.get_for_model(obj).pk, str(obj.pk), str(obj)[:300]


def subject_type_id(model: type[models.Model]) -> int:
    return int(ContentType.objects.get_for_model(model).pk)


def rows_for(
    recipients: Iterable[Recipient],
    *,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    kind_label: str = "",
    subject_type_id: int | None = None,
    subject_id: Any = "",
    subject_label: str = "",
    sms: bool = False,
    now: dt.datetime | None = None,
) -> list[NotificationRow]:
    """Unsaved rows: in-app for everyone, email when the person has an address and wants email, SMS when the
    sender asks (`sms`), the person has a phone and wants SMS."""
    now = now or timezone.now()
    title, kind, kind_label = title[:200], str(kind), str(kind_label or "")[:40]
    sid, label = str(subject_id or ""), subject_label[:300]
    make = NotificationRow._make  # the sweep makes hundreds of thousands: plain tuples, no per-row closure
    out: list[NotificationRow] = []
    for r in recipients:
        uid = r.user_id
        out.append(
            make((uid, kind, kind_label, _IN_APP, f"{key}:{uid}:{_IN_APP}"[:200], title, body, url,
                  subject_type_id, sid, label, False, now, now))
        )
        if r.email and r.email_on:
            out.append(
                make((uid, kind, kind_label, _EMAIL, f"{key}:{uid}:{_EMAIL}"[:200], title, body, url,
                      subject_type_id, sid, label, r.digest, now, None))
            )
        if sms and r.phone and r.sms_on:
            out.append(
                make((uid, kind, kind_label, _SMS, f"{key}:{uid}:{_SMS}"[:200], title, body, url,
                      subject_type_id, sid, label, False, now, None))
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

    created = bulk.insert_count(
        Notification,
        _ROW_FIELDS,
        [(*row[:12], when(row.created_at), when(row.sent_at), 0, "") for row in unique.values()],
        ignore_conflicts=True,
    )
    if created and any(row.channel != _IN_APP for row in unique.values()):
        # some email or SMS row may be new: delivery finds the waiting ones (none is harmless)
        transaction.on_commit(_enqueue_delivery)
    return created


def _enqueue_delivery() -> None:
    from luoshi.notifications.tasks import deliver_notifications

    deliver_notifications()


def notify(
    *,
    users: Iterable[User | int] = (),
    units: Iterable[Any] = (),
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    kind_label: str = "",
    subject: models.Model | None = None,
    subject_label: str = "",
    sms: bool = False,
) -> int:
    """Notify `users` and the active staff of `units` (Unit instances or ids) about `subject` (any model
    instance) or a `subject_label` + `url`, at most once per `key` and person and channel. Returns how many
    notification rows were created (0 when the event was already sent)."""
    unit_ids = [u if isinstance(u, int) else u.pk for u in units]
    recipients = [r for rs in unit_recipients(unit_ids).values() for r in rs]
    recipients += user_recipients(users) if users else []
    seen: set[int] = set()
    unique = []
    for r in recipients:
        if r.user_id not in seen:
            seen.add(r.user_id)
            unique.append(r)
    type_id, sid, label = subject_of(subject)
    return create(
        rows_for(
            unique,
            kind=kind,
            kind_label=kind_label,
            key=key,
            title=title,
            body=body,
            url=url,
            subject_type_id=type_id,
            subject_id=sid,
            subject_label=subject_label or label,
            sms=sms,
        )
    )


def deliver_pending(limit: int = 500) -> dict[str, int]:
    """Send waiting email and SMS rows (not those kept for the daily digest). Each row is claimed with a
    conditional update first, so two workers never send the same row; a failed send releases the claim and
    counts an attempt."""
    from luoshi.notifications.channels import email_connection, send_email, sms_backend

    sent = failed = 0
    pending = list(
        Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, digest=False)
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
                    body=_mail_body(row.user, [row]),
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


def send_digests() -> dict[str, int]:
    """One email per person with every email kept for the daily digest; each row is claimed before sending."""
    from luoshi.notifications.channels import email_connection, send_email

    users = (
        Notification.objects.filter(digest=True, sent_at__isnull=True, channel=Channel.EMAIL)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = failed = 0
    connection = None
    for user_id in sorted(set(users)):
        now = timezone.now()
        ids = list(
            Notification.objects.filter(
                user_id=user_id, digest=True, sent_at__isnull=True, channel=Channel.EMAIL
            ).values_list("pk", flat=True)
        )
        claimed = Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(
            sent_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        rows = list(Notification.objects.filter(pk__in=ids, sent_at=now).select_related("user").order_by("id"))
        if not rows:
            continue
        user = rows[0].user
        try:
            connection = connection or email_connection()
            send_email(
                to=user.email,
                subject=f"【落实】今日通知汇总({len(rows)}条)",
                body=_mail_body(user, rows),
                connection=connection,
            )
            sent += 1
        except Exception as exc:
            logger.warning("digest for user %s not delivered: %s", user_id, exc)
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
                sent_at=None, last_error=str(exc)[:300]
            )
            failed += 1
    return {"sent": sent, "failed": failed}


def _mail_body(user: User, rows: Sequence[Notification]) -> str:
    lines = [f"{user}您好:"]
    for row in rows:
        lines += ["", row.title]
        if row.body:
            lines += [row.body]
        if row.url:
            lines += [f"请登录落实平台办理:{row.url}"]
    lines += ["", "(本邮件由落实平台自动发送,请勿直接回复。)"]
    return "\n".join(lines)


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all of them when `ids` is None)."""
    qs = Notification.objects.filter(user=user, channel=Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    user.__dict__.pop("_luoshi_unread", None)
    return qs.update(read_at=timezone.now())


def open_notification(*, user: User, notification_id: int) -> str:
    """Clicking a notification: mark it read (only one's own) and return where it leads."""
    row = Notification.objects.filter(pk=notification_id, user=user, channel=Channel.IN_APP).first()
    if row is None:
        from luoshi.core.errors import NotFound

        raise NotFound("未找到该通知,或它不是发给您的。")
    if row.read_at is None:
        Notification.objects.filter(pk=row.pk).update(read_at=timezone.now())
        user.__dict__.pop("_luoshi_unread", None)
    return row.url


def set_preference(*, user: User, email: bool, sms: bool, daily_digest: bool) -> Preference:
    pref, _ = Preference.objects.update_or_create(
        user=user, defaults={"email": email, "sms": sms, "daily_digest": daily_digest}
    )
    return pref
