"""Recording audit events. Every service that changes a task, request, policy, unit ... calls `record`
inside its own transaction, so the change and its audit entry commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from luoshi.audit import chain
from luoshi.audit.models import AuditEvent
from luoshi.core.interface import current_interface
from luoshi.core.prepared import PreparedInsert

if TYPE_CHECKING:
    from django.contrib.auth.models import (
        AbstractUser as User,  # any account: the audit app knows no app above it
    )


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


_INSERT_EVENT = PreparedInsert(AuditEvent)


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
        actor_id=actor.pk if actor is not None else None,
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
    # unsealed: `seal()` chains it after commit, no lock on the write path; the INSERT is compiled once per
    # connection (core.prepared, ADR 0130): every audited write pays for it
    _INSERT_EVENT.insert(event)
    return event


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
            )
            for r in plain
        ]
        bulk.insert(AuditEvent, RECORD_FIELDS, rows)
    return len(rows)


def record_rows(
    *,
    actor: User | None,
    action: str,
    model: type[models.Model],
    rows: Iterable[tuple[Any, str, Mapping[str, Any] | None, Mapping[str, Any] | None, str]],
) -> int:
    """Like `record_many` for subjects of one model given as (pk, label, before, after, reason), with no model
    instance or stand-in object per row: for set-based changes of tens of thousands of rows (the daily sweep's
    colour changes). The rows written are the same as `record_many`'s. Each distinct before/after mapping
    object is serialised once (pass one shared dict per distinct value, e.g. {"colour": "red"})."""
    action = str(action)
    from luoshi.core import bulk

    label = actor.get_username() if actor is not None else "系统"
    iface = str(current_interface())
    actor_id = actor.pk if actor is not None else None
    subject_type = model._meta.label_lower
    at = bulk.db_datetime(timezone.now())
    # id -> (the mapping, kept alive so its id is not reused, its JSON text)
    texts: dict[int, tuple[Any, str | None]] = {id(None): (None, None)}

    def as_json(value: Mapping[str, Any] | None) -> str | None:
        hit = texts.get(id(value))
        if hit is None:
            hit = texts[id(value)] = (value, json.dumps(_jsonable(dict(value or {})), ensure_ascii=False))
        return hit[1]

    out = [
        (at, actor_id, label, iface, action, subject_type, str(pk), str(name)[:300], as_json(b), as_json(a), why)
        for pk, name, b, a, why in rows
    ]
    if not out:
        return 0
    with transaction.atomic():
        bulk.insert(AuditEvent, RECORD_FIELDS, out)
    return len(out)


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


# --- sealing: the hash chain, built off the write path (ADR 55) ------------------------------------------------
SEAL_LOCK_KEY = 7_260_001  # PostgreSQL advisory lock: one sealer at a time (writers never take it)
SEAL_BATCH = 2000
CHAIN_COLUMNS = ("id", "seal_seq", "prev_hash", "row_hash", *chain.FIELDS)


@dataclass
class SealResult:
    sealed: int = 0
    skipped: bool = False  # another sealer held the lock (wait=False)


def seal(*, wait: bool = True, limit: int | None = None) -> SealResult:
    """Chain every committed unsealed row: in batches, each in its own short transaction, take the rows with no
    `seal_seq` in id order and give them the next sequence numbers and hashes after the current head.

    Why this is safe with PostgreSQL sequences committing out of order: the chain order is `seal_seq` (the order
    rows were sealed), not `id`. A row whose transaction is still open is invisible here and simply gets a
    later `seal_seq` once it has committed; nothing is ever inserted *into* the sealed part of the chain, so there
    is no gap to fill and no row is skipped for good. Only the sealer takes a lock (one sealer at a time);
    writers take none. `wait=False` (the periodic job) skips when another sealer is running."""
    result = SealResult()
    while limit is None or result.sealed < limit:
        batch = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - result.sealed)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    if wait:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
                    else:
                        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEAL_LOCK_KEY])
                        if not cursor.fetchone()[0]:
                            result.skipped = True
                            return result
            head = (
                AuditEvent.objects.filter(seal_seq__isnull=False)
                .order_by("-seal_seq")
                .values_list("seal_seq", "row_hash")
                .first()
            )
            seq, prev = (int(head[0] or 0), str(head[1] or "")) if head is not None else (0, chain.GENESIS)
            rows = list(
                AuditEvent.objects.filter(seal_seq__isnull=True).order_by("id").values(*CHAIN_COLUMNS)[:batch]
            )
            if not rows:
                return result
            values = []
            for row in rows:
                seq += 1
                h = chain.link(prev, row)
                values.append((row["id"], seq, prev, h))
                prev = h
            _apply_seals(values)
            result.sealed += len(values)
        if len(rows) < batch:
            break
    return result


def _apply_seals(values: list[tuple[int, int, str, str]]) -> None:
    """One UPDATE ... FROM (VALUES ...) per batch; the triggers accept it because only the three seal columns
    change, from NULL."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    for start in range(0, len(values), 500):
        part = values[start : start + 500]
        if connection.vendor == "postgresql":
            rows_sql = ", ".join(["(%s::bigint, %s::bigint, %s::varchar, %s::varchar)"] * len(part))
            source = f"(VALUES {rows_sql}) AS v(column1, column2, column3, column4)"
        else:  # SQLite names VALUES columns column1..; a WITH statement would hide the rowcount from sqlite3
            source = f"(VALUES {', '.join(['(%s, %s, %s, %s)'] * len(part))}) AS v"
        sql = (
            f"UPDATE {table} SET seal_seq = v.column2, prev_hash = v.column3, row_hash = v.column4 "
            f"FROM {source} WHERE {table}.id = v.column1 AND {table}.seal_seq IS NULL"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [x for row in part for x in row])
            if cursor.rowcount != len(part):
                raise RuntimeError("audit rows changed while being sealed")


def chain_verify() -> chain.VerifyResult:
    """Walk the sealed rows in chain (`seal_seq`) order and report the first broken link (`luoshi audit verify`);
    rows not sealed yet are counted, with the time of the oldest."""
    rows = (
        AuditEvent.objects.filter(seal_seq__isnull=False)
        .order_by("seal_seq")
        .values(*CHAIN_COLUMNS)
        .iterator(chunk_size=5000)
    )
    result = chain.verify(rows)
    unsealed = AuditEvent.objects.filter(seal_seq__isnull=True)
    result.unsealed = unsealed.count()
    result.oldest_unsealed = unsealed.order_by("id").values_list("at", flat=True).first()
    return result


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
        # the sealer (a job run as this role) fills in the seal columns; the trigger allows only NULL -> set
        f"GRANT UPDATE (prev_hash, row_hash, seal_seq) ON {conn.ops.quote_name(table)} TO {role}",
    ]
