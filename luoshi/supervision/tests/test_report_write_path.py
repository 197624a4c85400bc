"""The report write path by ids (`services.report_file_for`, used by the JSON API): the same answers and the
same refusals as the general path, in fewer statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.supervision import services
from luoshi.supervision.models import Assignment, MissedReport, ProgressReport, Task, TaskStatus

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 3, 20)


def _assignment(task: Task, unit: Any) -> Assignment:
    return Assignment.objects.get(task=task, unit=unit)


def file_for(task: Task, assignment: Assignment, user: Any, **kw: Any) -> ProgressReport:
    args: dict[str, Any] = {"period_start": MARCH, "narrative": "本月推进情况", "percent": 30, "today": TODAY}
    args.update(kw)
    return services.report_file_for(task_id=task.pk, assignment_id=assignment.pk, user=user, **args)


@pytest.mark.parametrize("who", ["staff_other", "admin_jz", "enterprise", "observer"])
def test_a_task_or_assignment_the_user_may_not_see_is_not_found(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any], who: str
) -> None:
    with pytest.raises(NotFound):
        file_for(tasks[0], _assignment(tasks[0], units["jm_fgw"]), users[who])
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_office_and_leader_may_not_file(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any], who: str
) -> None:
    with pytest.raises(AccessDenied):
        file_for(tasks[0], _assignment(tasks[0], units["jm_fgw"]), users[who])
    assert not ProgressReport.objects.exists()


def test_an_assignment_of_another_task_is_not_found(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    other = _assignment(tasks[1], units["jm_jxj"])
    with pytest.raises(NotFound, match="分工"):
        file_for(tasks[0], other, users["staff_other"])
    with pytest.raises(NotFound):
        services.report_file_for(
            task_id=tasks[0].pk,
            assignment_id=999_999,
            user=users["staff"],
            period_start=MARCH,
            narrative="x",
            percent=1,
            today=TODAY,
        )


def test_same_roll_up_status_missed_and_audit_as_the_general_path(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    task = tasks[0]
    services.assignment_set_weights(
        task=task,
        user=users["admin"],
        weights={_assignment(task, units["jm_fgw"]).pk: 3, _assignment(task, units["jm_jxj"]).pk: 1},
    )
    mine = _assignment(task, units["jm_fgw"])
    MissedReport.objects.create(
        assignment=mine,
        task=task,
        unit=units["jm_fgw"],
        period_start=MARCH,
        period_end=dt.date(2026, 3, 31),
        due_date=dt.date(2026, 4, 3),
        detected_on=TODAY,
    )
    Task.objects.filter(pk=task.pk).update(missed_count=1)
    report = file_for(task, mine, users["staff"], percent=40)
    file_for(task, _assignment(task, units["jm_jxj"]), users["staff_other"], percent=80)
    task.refresh_from_db()
    assert task.percent == pytest.approx((3 * 40 + 80) / 4)
    assert task.status == TaskStatus.IN_PROGRESS and task.missed_count == 0
    assert MissedReport.objects.get().resolved_at is not None
    assert report.late is False and report.version == 1 and report.unit == units["jm_fgw"]
    actions = list(
        AuditEvent.objects.filter(action__in=["report.filed", "task.in_progress"]).values_list(
            "action", flat=True
        )
    )
    assert actions.count("report.filed") == 2 and actions.count("task.in_progress") == 1
    assert _assignment(task, units["jm_fgw"]).percent == 40


def test_filing_the_same_period_again_is_a_revision(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    mine = _assignment(tasks[0], units["jm_fgw"])
    first = file_for(tasks[0], mine, users["staff"], percent=30)
    second = file_for(tasks[0], mine, users["staff"], percent=55, expected_version=1)
    assert second.pk == first.pk and second.version == 2 and second.percent == 55
    assert ProgressReport.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.revised").count() == 1


def test_api_posts_through_the_fast_path(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    c = Client()
    c.force_login(users["staff"])
    mine = _assignment(tasks[0], units["jm_fgw"])
    body = {"assignment_id": mine.pk, "period_start": "2026-03-01", "narrative": "接口报送", "percent": 45}
    r = c.post(f"/api/supervision/tasks/{tasks[0].pk}/reports", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["unit"] == units["jm_fgw"].name and r.json()["attachments"] == []
    c.force_login(users["admin"])
    r = c.post(f"/api/supervision/tasks/{tasks[0].pk}/reports", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_api_report_write_with_a_token_is_at_most_eight_statements(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    """ADR 0015's eight statements, pinned on a small ledger (test_scale_queries pins it at 100,000 tasks):
    the token, the locked assignment read (both compiled once per connection, ADR 0110), the insert, the two
    roll-up updates and the audit events; transaction control not counted. The audit entries are there."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luoshi.accounts.services import token_create

    token = token_create(user=users["staff"], name="platform")
    client = Client()
    mine = _assignment(tasks[0], units["jm_fgw"])
    other = _assignment(tasks[1], units["jm_fgw"]) if Assignment.objects.filter(
        task=tasks[1], unit=units["jm_fgw"]
    ).exists() else None

    def post(a: Assignment, task: Task, period: str, pct: int) -> Any:
        body = {"assignment_id": a.pk, "period_start": period, "narrative": "接口报送", "percent": pct}
        return client.post(
            f"/api/supervision/tasks/{task.pk}/reports",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert post(other or mine, tasks[1] if other else tasks[0], "2026-02-01", 10).status_code == 200  # warm
    with CaptureQueriesContext(connection) as ctx:
        response = post(mine, tasks[0], "2026-03-01", 45)
    assert response.status_code == 200, response.content
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
    sql = [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(control)]
    assert len(sql) <= 8, "\n".join(sql)
    report = ProgressReport.objects.get(assignment=mine, period_start=MARCH)
    assert report.percent == 45
    assert AuditEvent.objects.filter(action="report.filed", subject_id=str(report.pk)).count() == 1


def test_api_report_write_is_six_statements_each_prepared_on_postgresql(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    """A unit's report on a task already in progress, through the API with a token: exactly six statements,
    in this order (transaction control not counted), and on PostgreSQL each is a server-prepared statement
    of the connection (ADR 0142: parsed and planned once per connection, not on every write)."""
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luoshi.accounts.services import token_create

    token = token_create(user=users["staff"], name="platform")
    client = Client()
    mine = _assignment(tasks[0], units["jm_fgw"])

    def post(period: str, pct: int) -> Any:
        body = {"assignment_id": mine.pk, "period_start": period, "narrative": "接口报送", "percent": pct}
        return client.post(
            f"/api/supervision/tasks/{tasks[0].pk}/reports",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert post("2026-02-01", 30).status_code == 200  # the task is in progress now; the token's use noted
    with CaptureQueriesContext(connection) as ctx:
        response = post("2026-03-01", 30)
    assert response.status_code == 200, response.content
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
    sql = [q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(control)]
    heads = [" ".join(s.split()[:3]) for s in sql]
    expected = [
        ("SELECT", "accounts_apitoken"),
        ("SELECT", "supervision_assignment"),
        ("INSERT", "supervision_progressreport"),
        ("UPDATE", "supervision_assignment"),
        ("UPDATE", "supervision_task"),
        ("INSERT", "audit_auditevent"),
    ]
    assert len(sql) == len(expected), "\n".join(heads)
    for statement, (verb, table) in zip(sql, expected, strict=True):
        assert statement.startswith(verb) and f'"{table}"' in statement[:200], statement[:200]
    assert response.json()["version"] == 1 and response.json()["attachments"] == []
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [r[0] for r in c.fetchall()]
        for verb, table in expected:
            assert any(p.startswith(verb) and f'"{table}"' in p for p in prepared), (verb, table)
