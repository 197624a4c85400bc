"""The daily sweep: missed reports, colours with audited reasons, notifications never twice, the command."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.notifications.models import Notification
from luoshi.supervision import services
from luoshi.supervision.models import MissedReport, SweepRun, Task

pytestmark = pytest.mark.django_db


def test_missed_reports_are_detected_once(tasks: list[Task], users: dict[str, Any]) -> None:
    # monthly cycle, 3 working days' grace: March is due 2026-04-03 (Fri; 04-04..06 is 清明)
    services.sweep(dt.date(2026, 4, 3))
    assert not MissedReport.objects.filter(period_start=dt.date(2026, 3, 1)).exists()
    services.sweep(dt.date(2026, 4, 7))
    missed = MissedReport.objects.filter(period_start=dt.date(2026, 3, 1))
    assert missed.count() == 3  # three assignments (发改委, 经信局 on task 1; 经信局 on task 2)
    assert {m.due_date for m in missed} == {dt.date(2026, 4, 3)}
    services.sweep(dt.date(2026, 4, 8))
    assert MissedReport.objects.filter(period_start=dt.date(2026, 3, 1)).count() == 3


def test_reports_filed_in_time_are_not_missed(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    from luoshi.supervision.models import Assignment

    for t in tasks:
        for a in Assignment.objects.filter(task=t):
            user = users["staff"] if a.unit_id == units["jm_fgw"].pk else users["staff_other"]
            services.report_file(
                assignment=a,
                user=user,
                period_start=dt.date(2026, 3, 1),
                narrative="按期报送",
                percent=20,
                today=dt.date(2026, 4, 1),
            )
    services.sweep(dt.date(2026, 4, 10))
    assert not MissedReport.objects.filter(period_start=dt.date(2026, 3, 1)).exists()


def test_colours_and_audit_and_second_run_is_a_no_op(tasks: list[Task], users: dict[str, Any]) -> None:
    day = dt.date(2026, 6, 2)
    # publishing gave each task its first colour (green: nothing is due on 5 January)
    assert {t.colour for t in Task.objects.all()} == {"green"}
    first = services.sweep(day)
    assert first.changed == 2 and first.red == 2  # two missed months each
    assert first.notifications > 0
    events = AuditEvent.objects.filter(action="task.colour_changed", actor__isnull=True)
    assert events.count() == 2
    assert all("未按期报送" in e.reason for e in events)
    assert {e.interface for e in events} <= {"command", "job", "page", "api"}
    n_notes = Notification.objects.count()
    second = services.sweep(day)
    assert (second.changed, second.notifications) == (0, 0)
    assert Notification.objects.count() == n_notes
    assert AuditEvent.objects.filter(action="task.colour_changed", actor__isnull=True).count() == 2
    assert SweepRun.objects.get(date=day).runs == 2
    keys = list(Notification.objects.values_list("event_key", flat=True))
    assert len(keys) == len(set(keys))


def test_notifications_reach_unit_staff_in_app_and_email(tasks: list[Task], users: dict[str, Any]) -> None:
    users["staff"].email = "staff@example.org"
    users["staff"].save()
    services.sweep(dt.date(2026, 6, 2))
    mine = Notification.objects.filter(user=users["staff"])
    assert mine.filter(channel="in_app", kind="missed").exists()
    assert mine.filter(channel="email").exists()
    assert not Notification.objects.filter(user=users["leader"]).exists()


@pytest.mark.parametrize("mass", [False, True], ids=["in-lists", "mass-recolour-join"])
def test_colour_notifications_find_the_units_either_way(
    tasks: list[Task], users: dict[str, Any], monkeypatch: pytest.MonkeyPatch, mass: bool
) -> None:
    import importlib

    sweep_module = importlib.import_module(
        "luoshi.supervision.services.sweep"
    )  # the module, not the function
    if mass:
        monkeypatch.setattr(sweep_module, "MASS_RECOLOUR", 0)
    result = services.sweep(dt.date(2026, 6, 2))
    worse = Task.objects.filter(colour__in=["yellow", "red"])
    assert worse.exists() and result.notifications > 0
    # one digest per unit and kind (ADR 0095) naming every task of the unit that turned yellow or red
    [note] = Notification.objects.filter(kind="colour", user=users["staff"], channel="in_app")
    mine = worse.filter(assignments__unit=users["staff"].unit)
    assert mine.exists() and all(f"“{t.title[:60]}”" in note.body for t in mine)
    assert not any(f"“{t.title[:60]}”" in note.body for t in worse.exclude(pk__in=mine.values("pk")))


def test_reminder_before_due(tasks: list[Task], users: dict[str, Any]) -> None:
    # May is due 2026-06-03 (3 working days after 05-31); on 06-01 it is within the 2-day reminder window
    services.sweep(dt.date(2026, 6, 1))
    assert Notification.objects.filter(kind="reminder", user=users["staff"], channel="in_app").count() == 1
    services.sweep(dt.date(2026, 6, 2))
    assert Notification.objects.filter(kind="reminder", user=users["staff"], channel="in_app").count() == 1


def test_yellow_near_deadline_and_lagging(
    make_plan: Any, users: dict[str, Any], units: dict[str, Any]
) -> None:
    from luoshi.supervision.models import Assignment

    plan = make_plan(
        [{"text": "九月底前完成改造。", "deadline": dt.date(2026, 10, 20), "lead": ["jm_fgw"], "co": []}],
        cycle="quarterly",
        issued_on=dt.date(2026, 7, 1),
    )
    [task] = services.tasks_sync_from_plan(plan=plan, actor=users["admin"], today=dt.date(2026, 7, 1))
    a = Assignment.objects.get(task=task)
    services.report_file(
        assignment=a,
        user=users["staff"],
        period_start=dt.date(2026, 7, 1),
        narrative="开展中",
        percent=20,
        today=dt.date(2026, 9, 1),
        recolour_task=False,
    )
    assert services.sweep(dt.date(2026, 9, 21)).green == 1  # 16 working days left
    result = services.sweep(dt.date(2026, 9, 22))  # 15 working days left across 中秋 and 国庆
    task.refresh_from_db()
    assert result.changed == 1 and task.colour == "yellow"
    assert "仅剩15个工作日" in task.reason_on(dt.date(2026, 9, 22))
    assert AuditEvent.objects.filter(
        action="task.colour_changed", subject_id=str(task.pk), reason=task.reason_on(dt.date(2026, 9, 22))
    ).exists()
    services.sweep(dt.date(2026, 10, 21))
    task.refresh_from_db()
    assert task.colour == "red" and "已超过完成时限" in task.reason_on(dt.date(2026, 10, 21))


def test_command_prints_one_json_line(tasks: list[Task]) -> None:
    from luoshi.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["supervision", "sweep", "--date", "2026-06-02"]) == 0
    first = json.loads(out.getvalue().strip())
    assert set(first) == {"date", "green", "yellow", "red", "changed", "notifications"}
    assert first["date"] == "2026-06-02" and first["changed"] == 2
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["supervision", "sweep", "--date", "2026-06-02"]) == 0
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    again = json.loads(lines[0])
    assert again["changed"] == 0 and again["notifications"] == 0
    assert main(["supervision", "sweep", "--date", "2026-02-30"]) == 1


def test_the_periodic_job_runs_the_sweep(tasks: list[Task]) -> None:
    from luoshi.supervision.tasks import daily_sweep

    daily_sweep.call_local()
    from django.utils import timezone

    assert SweepRun.objects.filter(date=timezone.localdate()).exists()
