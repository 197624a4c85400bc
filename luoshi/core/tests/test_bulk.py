"""The kernel's bulk insert (ADR 0141): on SQLite plain appends go as multi-row VALUES statements of
`bulk.VALUES_ROWS` rows; every row arrives whole, a partial last chunk included, and `insert_count` counts only the
rows a unique key did not skip."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record_rows
from luoshi.core import bulk
from luoshi.notifications.models import Notification
from luoshi.supervision.models import Task

pytestmark = pytest.mark.django_db


def test_audit_rows_in_chunks_arrive_whole_and_in_order(users: dict[str, Any]) -> None:
    n = 2 * bulk.VALUES_ROWS + 7
    red, yellow = {"colour": "red"}, {"colour": "yellow"}
    with CaptureQueriesContext(connection) as queries:
        written = record_rows(
            actor=users["admin"],
            action="task.colour_changed",
            model=Task,
            rows=[(i, f"任务{i}", yellow, red, f"理由{i}") for i in range(n)],
        )
    assert written == n
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "audit_auditevent"')]
    assert len(inserts) == (3 if connection.vendor == "sqlite" else 0)  # PostgreSQL: one COPY
    events = list(AuditEvent.objects.filter(action="task.colour_changed").order_by("id"))
    assert [(e.subject_id, e.subject_label, e.before, e.after, e.reason) for e in events] == [
        (str(i), f"任务{i}", yellow, red, f"理由{i}") for i in range(n)
    ]
    assert {e.actor_id for e in events} == {users["admin"].pk}


def test_insert_count_skips_and_counts_conflicts(users: dict[str, Any]) -> None:
    from django.utils import timezone

    now = bulk.db_datetime(timezone.now())
    uid = users["staff"].pk

    def row(key: str) -> tuple[Any, ...]:
        return (uid, "colour", "预警", "in_app", key, "标题", "正文", "/", None, "", "", False, now, None, 0, "")

    fields = (
        "user", "kind", "kind_label", "channel", "event_key", "title", "body", "url", "subject_type", "subject_id",
        "subject_label", "digest", "created_at", "sent_at", "attempts", "last_error",
    )
    n = bulk.VALUES_ROWS + 3
    assert bulk.insert_count(Notification, fields, [row(f"k{i}") for i in range(n)], ignore_conflicts=True) == n
    again = [row(f"k{i}") for i in range(0, n, 2)] + [row("new")]
    assert bulk.insert_count(Notification, fields, again, ignore_conflicts=True) == 1
    assert Notification.objects.count() == n + 1
