"""The data migration keeps every notification that supervision stored before the move."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("notifications", "0001_notification_preference"),
    ("supervision", "0008_task_colour_key"),
]
AFTER = [("supervision", "0009_notifications_moved")]


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_every_supervision_notification_is_kept() -> None:
    old = _migrate(BEFORE)
    try:
        Region = old.get_model("orgs", "Region")  # type: ignore[attr-defined]
        User = old.get_model("accounts", "User")  # type: ignore[attr-defined]
        Plan = old.get_model("plans", "Plan")  # type: ignore[attr-defined]
        Task = old.get_model("supervision", "Task")  # type: ignore[attr-defined]
        OldNote = old.get_model("supervision", "Notification")  # type: ignore[attr-defined]
        region = Region.objects.create(code="m1", name="迁移市", level="city", path="/")
        user = User.objects.create(username="m_staff", role="staff")
        plan = Plan.objects.create(region=region, title="迁移方案")
        task = Task.objects.create(
            plan=plan, region=region, title="迁移任务", start_date="2026-01-01", reporting_cycle="monthly"
        )
        OldNote.objects.create(
            user=user,
            kind="colour",
            channel="in_app",
            event_key="colour:1:red:x:1:in_app",
            title="红灯预警",
            task=task,
            read_at="2026-03-01T00:00:00Z",
        )
        OldNote.objects.create(
            user=user,
            kind="notice",
            channel="email",
            event_key="project:project:1:red:1:email",
            title="项目红灯",
            attempts=2,
            last_error="timeout",
        )
        new = _migrate(AFTER)
        Note = new.get_model("notifications", "Notification")  # type: ignore[attr-defined]
        rows = {n.event_key: n for n in Note.objects.all()}
        assert set(rows) == {"colour:1:red:x:1:in_app", "project:project:1:red:1:email"}
        red = rows["colour:1:red:x:1:in_app"]
        assert red.subject_id == str(task.pk) and red.subject_label == "迁移任务"
        assert red.kind_label == "预警变化" and red.read_at is not None
        mail = rows["project:project:1:red:1:email"]
        assert mail.subject_type_id is None and mail.attempts == 2 and mail.last_error == "timeout"
    finally:
        _migrate(
            [
                ("notifications", "0002_copy_supervision_notifications"),
                ("supervision", "0009_notifications_moved"),
            ]
        )
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
