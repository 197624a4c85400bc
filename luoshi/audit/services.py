"""Recording audit events. Every service that changes a task, request, policy, unit ... calls `record`
inside its own transaction, so the change and its audit entry commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from luoshi.audit import chain
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
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_label=label,
        interface=str(current_interface()),
        action=str(action),
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:300],
        before=_jsonable(dict(before)) if before is not None else None,
        after=_jsonable(dict(after)) if after is not None else None,
        reason=reason,
    )
    with transaction.atomic():
        prev = _chain_head()
        event.prev_hash = prev
        event.row_hash = chain.link(prev, _row_of(event))
        event.save(force_insert=True)
    return event


def _row_of(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in chain.FIELDS}


def _chain_head() -> str:
    """The last row's hash, taken under a lock held to the end of the transaction, so concurrent writers chain
    one after the other (PostgreSQL: an advisory lock; SQLite: transactions are IMMEDIATE, writers are serial)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
    return last or chain.GENESIS


CHAIN_LOCK_KEY = 7_260_001  # the advisory lock that serialises appends to the audit chain


AuditItem = tuple[models.Model, Mapping[str, Any] | None, Mapping[str, Any] | None, str]


_PLAIN = (str, int, float, bool)


def record_many(*, actor: User | None, action: str, events: Sequence[AuditItem]) -> int:
    """Append many events of one action at once (subject, before, after, reason) for set-based changes such as
    the daily sweep recolouring thousands of tasks: plain multi-row INSERTs, no model instance per row."""
    action = str(action)
    from luoshi.core import bulk

    if not events:
        return 0
    label = actor.get_username() if actor is not None else "系统"
    iface = str(current_interface())
    actor_id = actor.pk if actor is not None else None

    # A set-based change repeats a few flat before/after dicts (e.g. {"colour": "red"}) many times: each distinct
    # one is made JSON-ready and serialised once; anything else goes through _jsonable as before.
    ready: dict[tuple[Any, ...], tuple[dict[str, Any], str]] = {}
    texts: dict[int, str] = {}

    def prepared(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        items = tuple(value.items())
        if all(type(k) is str and (v is None or type(v) in _PLAIN) for k, v in items):
            hit = ready.get(items)
            if hit is None:
                d = dict(items)
                hit = ready[items] = (d, json.dumps(d, ensure_ascii=False))
            texts[id(hit[0])] = hit[1]
            return hit[0]
        return _jsonable(dict(value))  # type: ignore[no-any-return]

    def as_json(value: Any) -> str | None:
        if value is None:
            return None
        text = texts.get(id(value))
        return text if text is not None else json.dumps(value, ensure_ascii=False)

    now = timezone.now()
    at = bulk.db_datetime(now)
    plain = [
        {
            "at": now,
            "actor_id": actor_id,
            "actor_label": label,
            "interface": iface,
            "action": action,
            "subject_type": subject._meta.label_lower,
            "subject_id": str(subject.pk),
            "subject_label": str(subject)[:300],
            "before": prepared(before),
            "after": prepared(after),
            "reason": reason,
        }
        for subject, before, after, reason in events
    ]
    with transaction.atomic():
        hashes = list(chain.chain(_chain_head(), plain))
        rows = [
            (
                at,
                r["actor_id"],
                r["actor_label"],
                r["interface"],
                r["action"],
                r["subject_type"],
                r["subject_id"],
                r["subject_label"],
                as_json(r["before"]),
                as_json(r["after"]),
                r["reason"],
                prev,
                h,
            )
            for r, (prev, h) in zip(plain, hashes, strict=True)
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
    "prev_hash",
    "row_hash",
)


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, as (before, after)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def chain_verify() -> chain.VerifyResult:
    """Walk the whole trail in id order and report the first broken link (`luoshi audit verify`)."""
    fields = ("id", "prev_hash", "row_hash", *chain.FIELDS)
    rows = AuditEvent.objects.order_by("id").values(*fields).iterator(chunk_size=5000)
    return chain.verify(rows)


APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


def app_role_grants(role: str) -> list[str]:
    """SQL (PostgreSQL) that lets `role` — the role the web and worker processes connect as, which must not own
    the tables — use every table, but only SELECT and INSERT the audit trail. Run it as the owner after each
    `luoshi migrate`."""
    from django.db import connection as conn

    if not role.replace("_", "").isalnum():
        raise ValueError(f"role name {role!r} is not a plain identifier")
    table = AuditEvent._meta.db_table
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {conn.ops.quote_name(table)} FROM {role}",
    ]
