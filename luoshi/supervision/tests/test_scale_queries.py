"""Query counts of the busiest pages and of one report write, pinned at city scale: 100,000 tasks and about
150,000 assignments built in bulk. A page's number of SQL statements must not grow with the rows it lists
(no query per row); the time these pages take is measured by bench/supervision.py, never asserted here."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from luoshi.core import bulk
from luoshi.supervision.models import OPEN_STATUSES, Assignment, ProgressReport, Task

N_TASKS = 100_000
PAGE_QUERY_LIMIT = 16  # 15 + the unread-notification badge of the navigation (one count per page)
WRITE_QUERY_LIMIT = 8
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def statements(ctx: CaptureQueriesContext) -> list[str]:
    """The SQL statements run, without transaction control (BEGIN, COMMIT, SAVEPOINT ...)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)
    ]


def plain_insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows in bulk as plain values (core.bulk: COPY on PostgreSQL, multi-row VALUES on SQLite); every
    column not given takes its field's default."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = []
    for row in rows:
        out = []
        for f in fields:
            v = row.get(f.name, f.get_default())
            if f.get_internal_type() == "JSONField":
                v = json.dumps(v)
            elif f.get_internal_type() == "DateTimeField":
                v = bulk.db_datetime(v)
            elif f.get_internal_type() == "DateField":
                v = bulk.db_date(v)
            out.append(v)
        values.append(out)
    bulk.insert(model, [f.name for f in fields], values)


def get_counted(client: Client, path: str) -> tuple[Any, list[str]]:
    client.get(path)  # warm (calendar cache, templates): the steady state is what is pinned
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp, statements(ctx)


@pytest.fixture
def city(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> dict[str, Any]:
    """100 published plans, 100,000 tasks of 荆门市, one or two of 60 units on each (about 150,000
    assignments); the staff user's unit (jm_fgw) holds 600 of them, with reports and open missed reports."""
    from luoshi.orgs.models import Unit
    from luoshi.plans.models import Plan, PlanStatus
    from luoshi.supervision.models import MissedReport, WarningThresholds

    rng = random.Random(14)
    region = regions["jingmen"]
    mine = units["jm_fgw"]
    others = Unit.objects.bulk_create([Unit(region=region, name=f"规模测试单位{i:02d}") for i in range(60)])
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        [
            Plan(
                region=region,
                title=f"规模测试方案{i}",
                status=PlanStatus.PUBLISHED,
                reporting_cycle=("monthly", "quarterly", "weekly", "biweekly")[i % 4],
                issued_on=dt.date(2026, 1, 5),
                published_at=now,
            )
            for i in range(100)
        ]
    )
    # half the plans have their own thresholds; the others use the defaults (no row)
    WarningThresholds.objects.bulk_create(
        [WarningThresholds(plan=p, report_grace_workdays=2 + i % 3) for i, p in enumerate(plans[::2])]
    )
    start = dt.date(2026, 1, 5)
    plain_insert(
        Task,
        [
            {
                "plan": plans[i % 100].pk,
                "region": region.pk,
                "seq": i // 100 + 1,
                "title": f"规模测试任务{i}",
                "text": "规模测试",
                "start_date": start,
                "reports_from": start,
                "deadline": None if i % 7 == 0 else start + dt.timedelta(days=30 + i % 400),
                "ongoing": i % 7 == 0,
                "reporting_cycle": plans[i % 100].reporting_cycle,
                "percent": float(i % 100),
                "status": "in_progress",
                "colour": ("green", "yellow", "red")[i % 3],
                "created_at": now,
                "updated_at": now,
            }
            for i in range(N_TASKS)
        ],
    )
    task_ids = list(
        Task.objects.filter(title__startswith="规模测试任务").order_by("id").values_list("id", flat=True)
    )
    rows = []
    for k, task_id in enumerate(task_ids):
        lead = mine if k % 166 == 0 else others[rng.randrange(60)]
        rows.append((task_id, lead.pk, True, 1.0, 0.0, "in_progress", True))
        if k % 2:
            co = others[(others.index(lead) + 1) % 60] if lead in others else others[0]
            rows.append((task_id, co.pk, False, 1.0, 0.0, "in_progress", True))
    bulk.insert(Assignment, ["task", "unit", "is_lead", "weight", "percent", "status", "active"], rows)
    mine_rows = list(
        Assignment.objects.filter(unit=mine)
        .select_related("task")
        .order_by("id")
        .values_list("id", "task_id", "task__reporting_cycle")
    )
    from luoshi.supervision import periods

    today = timezone.localdate()
    reports, missed = [], []
    for a_id, t_id, cycle in mine_rows[::2]:
        prev = periods.previous_period(cycle, periods.period_containing(cycle, today))
        reports.append(
            ProgressReport(
                assignment_id=a_id,
                task_id=t_id,
                unit=mine,
                period_start=prev.start,
                period_end=prev.end,
                narrative="按计划推进",
                percent=40,
                due_date=prev.end + dt.timedelta(days=3),
            )
        )
    for a_id, t_id, cycle in mine_rows[1::4]:
        prev = periods.previous_period(cycle, periods.period_containing(cycle, today))
        missed.append(
            MissedReport(
                assignment_id=a_id,
                task_id=t_id,
                unit=mine,
                period_start=prev.start,
                period_end=prev.end,
                due_date=prev.end + dt.timedelta(days=3),
                detected_on=today,
            )
        )
    ProgressReport.objects.bulk_create(reports)
    MissedReport.objects.bulk_create(missed)
    return {"unit": mine, "mine": mine_rows, "today": today}


def test_city_scale_pages_and_report_write_keep_a_fixed_number_of_queries(
    city: dict[str, Any], users: dict[str, Any]
) -> None:
    assert Task.objects.count() >= N_TASKS and Assignment.objects.count() >= 140_000
    staff = Client()
    staff.force_login(users["staff"])
    resp, sql = get_counted(staff, "/")
    assert len(sql) <= PAGE_QUERY_LIMIT, sql
    # the home's counts cover every open assignment (not the 500 rows of the unit workbook)
    from luoshi.supervision.selectors import my_task_counts, my_tasks

    total, due = my_task_counts(users["staff"])
    listed = my_tasks(users["staff"])
    open_here = Assignment.objects.filter(
        unit_id=users["staff"].unit_id, active=True, task__status__in=OPEN_STATUSES
    ).count()
    assert total == open_here > len(listed) == 500 and due >= sum(1 for i in listed if not i.reported)
    # 我的任务 in pages of 50: every page (first, middle, last, filtered) in the same fixed number of queries;
    # the pages together hold each of the unit's open assignments exactly once
    seen: list[int] = []
    pages = -(-open_here // 50)
    for n in range(1, pages + 1):
        resp, sql = get_counted(staff, f"/supervision/mine/?page={n}")
        assert len(sql) <= PAGE_QUERY_LIMIT, sql
        assert len(resp.context["items"]) == (50 if n < pages else open_here - 50 * (pages - 1))
        seen += [i.assignment.pk for i in resp.context["items"]]
    assert len(seen) == len(set(seen)) == open_here
    assert set(seen) == set(
        Assignment.objects.filter(unit_id=users["staff"].unit_id, active=True).values_list("pk", flat=True)
    )
    resp, sql = get_counted(staff, "/supervision/mine/?pending=1&page=2")
    assert len(sql) <= PAGE_QUERY_LIMIT, sql
    assert resp.context["items"] and not any(i.reported for i in resp.context["items"])
    office = Client()
    office.force_login(users["admin"])
    resp, sql = get_counted(office, "/supervision/")
    assert len(sql) <= PAGE_QUERY_LIMIT, sql
    # the count stops at the cap (a COUNT over every visible task was the page's slowest statement)
    from luoshi.supervision.views import LEDGER_COUNT_CAP

    paginator = resp.context["page"].paginator
    assert paginator.count == LEDGER_COUNT_CAP and paginator.capped
    assert "超过 5000 项任务" in resp.content.decode()
    resp, sql = get_counted(office, f"/supervision/?unit={city['unit'].pk}")
    assert len(sql) <= PAGE_QUERY_LIMIT, sql
    # the unit filter is a semi-join: each task once, exactly the unit's tasks
    assert resp.context["page"].paginator.count == len({t for _, t, _ in city["mine"]})
    assert {t.pk for t in resp.context["page"]} <= {t for _, t, _ in city["mine"]}

    # the scoreboard at this scale: after the first view (the task figures' snapshot), a fixed number of queries,
    # none of them over the report tables (the report figures are the trigger-kept tally, ADR 0125), with the
    # figures of the live grouped reads
    from luoshi.supervision import selectors
    from luoshi.supervision.models import MissedReport

    first_due = ProgressReport.objects.filter(unit=city["unit"]).values_list("due_date", flat=True).first()
    month = f"{first_due:%Y-%m}"
    get_counted(office, f"/supervision/scoreboard/?period={month}")
    resp, sql = get_counted(office, f"/supervision/scoreboard/?period={month}")
    assert len(sql) <= PAGE_QUERY_LIMIT, sql
    tables = (ProgressReport._meta.db_table, MissedReport._meta.db_table)
    assert not [q for q in sql if any(t in q for t in tables)], sql
    live = {u: (f, o, m) for u, f, o, m in selectors._report_figures_live(selectors.parse_period(month), None)}
    for score in resp.context["scores"]:
        f, o, m = live.get(score.unit_id, (0, 0, 0))
        assert (score.reports_expected, score.reports_on_time) == (f + m, o)
    assert any(score.reports_expected for score in resp.context["scores"])

    # one progress report through the JSON API (the write path requests intake reuses)
    from luoshi.accounts.services import token_create
    from luoshi.supervision import periods

    token = token_create(user=users["staff"], name="规模测试")
    client = Client()
    a_id, t_id, cycle = city["mine"][1]  # has an open missed report for the previous period
    sibling = Assignment.objects.filter(task_id=t_id).exclude(pk=a_id).first()
    if sibling is not None:
        Assignment.objects.filter(pk=sibling.pk).update(percent=80.0, weight=3.0)
    current = periods.period_containing(cycle, city["today"])
    headers = {"Authorization": f"Bearer {token}"}
    # the first call of the process warms the calendar cache and sets the token's last use: not counted
    warm = {
        "assignment_id": a_id,
        "period_start": current.start.isoformat(),
        "narrative": "预热",
        "percent": 1,
    }
    assert (
        client.post(
            f"/api/supervision/tasks/{t_id}/reports", warm, content_type="application/json", headers=headers
        ).status_code
        == 200
    )
    ProgressReport.objects.filter(assignment_id=a_id, period_start=current.start).delete()
    body = {
        "assignment_id": a_id,
        "period_start": current.start.isoformat(),
        "narrative": "本期完成节点",
        "percent": 60,
    }
    with CaptureQueriesContext(connection) as ctx:
        resp = client.post(
            f"/api/supervision/tasks/{t_id}/reports",
            json.dumps(body),
            content_type="application/json",
            headers=headers,
        )
    assert resp.status_code == 200, resp.content
    sql = statements(ctx)
    assert len(sql) <= WRITE_QUERY_LIMIT, "\n".join(sql)
    assert resp.json()["percent"] == 60 and resp.json()["attachments"] == []
    task = Task.objects.get(pk=t_id)
    expected = 60.0 if sibling is None else round((60.0 * 1 + 80.0 * 3) / 4, 2)
    assert task.percent == expected
    assert Assignment.objects.get(pk=a_id).percent == 60.0
