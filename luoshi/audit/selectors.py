from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet

from luoshi.audit.models import AuditEvent

if TYPE_CHECKING:
    from luoshi.accounts.models import User


def events_for(subject: models.Model) -> QuerySet[AuditEvent]:
    """The audit history of one object, newest first. Callers must already have checked the user may see
    `subject`; the history is shown to whoever may see the object."""
    return AuditEvent.objects.filter(
        subject_type=subject._meta.label_lower, subject_id=str(subject.pk)
    ).select_related("actor")


def recent_events_for(user: User) -> QuerySet[AuditEvent]:
    """The whole trail, for administrators and leaders; nothing for other roles (they see history on the
    objects they may see)."""
    from luoshi.accounts.access import require_role
    from luoshi.accounts.models import Role

    require_role(user, Role.ADMIN, Role.LEADER, action="查看全部审计记录")
    return AuditEvent.objects.select_related("actor").order_by("-at", "-id")
