"""Recording audit events. Every service that changes a task, request, policy, unit ... calls `record`
inside its own transaction, so the change and its audit entry commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from luoshi.audit.models import AuditEvent
from luoshi.core.interface import current_interface

if TYPE_CHECKING:
    from luoshi.accounts.models import User


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of `instance` as JSON-ready values (foreign keys as ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _jsonable(getattr(instance, attname))
    return out


def record(
    *,
    actor: User | None,
    action: str,
    subject: models.Model,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event. `actor=None` means the system (a scheduled job). `action` is a member of an
    app's ``events.py`` enum (``luoshi.core.events.Event``); its plain value is stored."""
    action = str(action)
    label = actor_label or (actor.get_username() if actor is not None else "系统")
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=label,
        interface=str(current_interface()),
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:300],
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        reason=reason,
    )


AuditItem = tuple[models.Model, Mapping[str, Any] | None, Mapping[str, Any] | None, str]


def record_many(*, actor: User | None, action: str, events: Sequence[AuditItem]) -> int:
    """Append many events of one action at once (subject, before, after, reason) for set-based changes such as
    the daily sweep recolouring thousands of tasks: plain multi-row INSERTs, no model instance per row."""
    action = str(action)
    from luoshi.core import bulk

    if not events:
        return 0
    label = actor.get_username() if actor is not None else "系统"
    iface = str(current_interface())
    at = bulk.db_datetime(timezone.now())
    actor_id = actor.pk if actor is not None else None

    def as_json(value: Mapping[str, Any] | None) -> str | None:
        return None if value is None else json.dumps(_jsonable(dict(value)), ensure_ascii=False)

    rows = [
        (
            at,
            actor_id,
            label,
            iface,
            action,
            subject._meta.label_lower,
            str(subject.pk),
            str(subject)[:300],
            as_json(before),
            as_json(after),
            reason,
        )
        for subject, before, after, reason in events
    ]
    bulk.insert(AuditEvent, RECORD_FIELDS, rows)
    return len(rows)


RECORD_FIELDS = (
    "at",
    "actor",
    "actor_label",
    "interface",
    "action",
    "subject_type",
    "subject_id",
    "subject_label",
    "before",
    "after",
    "reason",
)


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
