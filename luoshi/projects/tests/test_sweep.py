"""The daily sweep: colours as of a date, idempotent, notifications once, the job and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.notifications import services as notify_service
from luoshi.projects import services
from luoshi.projects.models import Project

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake(**kwargs: Any) -> int:
        calls.append(kwargs)
        return 1

    monkeypatch.setattr(notify_service, "notify", fake)
    return calls


def test_sweep_colours_and_is_idempotent(
    project: Project, other_project: Project, sent: list[dict[str, Any]]
) -> None:
    first = services.projects_sweep(on=D(2026, 6, 1))
    assert (first.green, first.yellow, first.red) == (2, 0, 0)
    assert first.changed == 1  # the fixture project was red today (2026-07-10 long past); green on 06-01
    again = services.projects_sweep(on=D(2026, 6, 1))
    assert (again.changed, again.notifications) == (0, 0)

    red = services.projects_sweep(on=D(2026, 7, 11))
    assert (red.red, red.changed, red.notifications) == (1, 1, 1)
    project.refresh_from_db()
    assert project.colour == "red" and "开工节点已超过计划日期(2026-07-10)" in project.colour_reason
    assert sent[-1]["key"].startswith(f"project:project:{project.pk}:red")
    assert services.projects_sweep(on=D(2026, 7, 11)).as_dict() == {
        "date": "2026-07-11",
        "green": 1,
        "yellow": 0,
        "red": 1,
        "changed": 0,
        "notifications": 0,
    }
    audit = AuditEvent.objects.filter(action="project.colour_changed", subject_id=str(project.pk)).first()
    assert (
        audit is not None
        and audit.after is not None
        and audit.after["colour"] == "red"
        and audit.interface == "command"
    )


def test_overdue_problem_escalates_once(
    other_project: Project, users: dict[str, Any], units: dict[str, Any], sent: list[dict[str, Any]]
) -> None:
    due = services.today() + dt.timedelta(days=2)
    services.problem_raise(
        user=users["admin"],
        project=other_project,
        description="电力增容未落实",
        unit=units["jm_jxj"],
        due=due,
    )
    later = due + dt.timedelta(days=1)
    first = services.projects_sweep(on=later)
    assert first.red == 1
    assert first.notifications == 2  # the red colour and the overdue problem (督办)
    assert any(c["key"].endswith(":overdue") for c in sent)
    second = services.projects_sweep(on=later)
    assert (second.changed, second.notifications) == (0, 0)


def test_bulk_projects_then_sweep(regions: dict[str, Any], units: dict[str, Any]) -> None:
    ids = services.create_projects_bulk(
        60, regions["jingmen"], random.Random(7), units=[units["jm_fgw"]], on=D(2026, 6, 1)
    )
    assert len(ids) == 60 and Project.objects.filter(code__startswith="BULK-").count() == 60
    result = services.projects_sweep(on=D(2026, 6, 1))
    assert result.green + result.yellow + result.red == 60 and result.changed == 60
    assert result.red > 0 and result.green > 0
    assert services.projects_sweep(on=D(2026, 6, 1)).changed == 0


def test_job_runs_the_sweep(project: Project) -> None:
    from luoshi.projects.tasks import projects_daily_sweep

    # a stale colour the job must correct: the fixture's 开工 was planned for 2026-07-10, long past today
    Project.objects.filter(pk=project.pk).update(colour="green", colour_reason="过期的颜色")
    projects_daily_sweep.call_local()
    project.refresh_from_db()
    assert project.colour == "red" and "开工节点已超过计划日期" in project.colour_reason
    assert AuditEvent.objects.filter(
        action="project.colour_changed", subject_id=str(project.pk), interface="job"
    ).exists()
    assert services.projects_sweep().changed == 0  # the job left nothing to do


def test_cli_prints_one_json_line(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    from luoshi.cli import main

    assert main(["projects", "sweep", "--date", "2026-06-01"]) == 0
    line = capsys.readouterr().out.strip()
    assert json.loads(line) == {
        "date": "2026-06-01",
        "green": 1,
        "yellow": 0,
        "red": 0,
        "changed": 1,
        "notifications": 0,
    }
    assert main(["projects", "sweep", "--date", "2026-02-30"]) == 1


def test_real_notifications_reach_unit_staff(project: Project, users: dict[str, Any]) -> None:
    from luoshi.notifications.models import Notification

    services.projects_sweep(on=D(2026, 6, 1))
    result = services.projects_sweep(on=D(2026, 7, 11))
    assert result.notifications >= 1
    assert Notification.objects.filter(user=users["staff"], title__contains=project.name).exists()
    assert not Notification.objects.filter(user=users["staff_other"]).exists()
    assert services.projects_sweep(on=D(2026, 7, 11)).notifications == 0
