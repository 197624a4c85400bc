from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q, QuerySet

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import (
        AbstractUser as User,  # any account: the audit app knows no app above it
    )


def events_for(subject: models.Model) -> QuerySet[AuditEvent]:
    """The audit history of one object, newest first. Callers must already have checked the user may see
    `subject`; the history is shown to whoever may see the object."""
    return AuditEvent.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=str(subject.pk)
    ).select_related("actor")


@dataclass(frozen=True)
class AuditFilters:
    subject_type: str = ""
    subject_id: str = ""
    subject: str = ""  # part of the object's name
    actor: str = ""  # part of the person's user name or label
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def visible_events(user: User) -> QuerySet[AuditEvent]:
    """The events about objects `user` may see (see audit/scopes.py): office staff and leaders their region
    subtree, department staff their own unit's objects; superusers everything; other roles nothing."""
    from luoshi.audit.scopes import reads_trail, visible_q

    if user.is_superuser:
        return AuditEvent.objects.all()
    if not reads_trail(user):
        raise AccessDenied("您无权查看审计记录。")
    return AuditEvent.objects.filter(visible_q(user))


def may_read_trail(user: Any) -> bool:
    from luoshi.audit.scopes import reads_trail

    return reads_trail(user)


def recent_events_for(user: User, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    """The trail the user may read, newest first, narrowed by `filters`."""
    import zoneinfo

    from django.conf import settings

    f = filters or AuditFilters()
    qs = visible_events(user)
    if f.subject_type:
        qs = qs.filter(subject_type=f.subject_type)
    if f.subject_id:
        qs = qs.filter(subject_id=f.subject_id)
    if f.subject:
        qs = qs.filter(subject_label__icontains=f.subject)
    if f.actor:
        qs = qs.filter(Q(actor_label__icontains=f.actor) | Q(actor__first_name__icontains=f.actor))
    if f.action:
        qs = qs.filter(action=f.action)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    if f.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(f.date_from, dt.time.min, tzinfo=tz))
    if f.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.select_related("actor").order_by("-at", "-id")
