"""The scoreboard's task figures come from a snapshot kept at the current ScoreStamp; every change of what they
read raises the stamp through database triggers, whatever writes it, so a kept snapshot is never stale."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.supervision import periods, selectors
from luoshi.supervision.models import Assignment, ScoreSnapshot, ScoreStamp, Task, TaskStatus

pytestmark = pytest.mark.django_db

MAY = periods.period_containing("monthly", dt.date(2026, 5, 1))


def _stamp() -> int:
    return int(ScoreStamp.objects.get(pk=1).n)


def _figures() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for unit_id, _region, *figures in selectors.task_figures(MAY, None, MAY.end):
        acc = out.setdefault(unit_id, [0, 0, 0, 0])
        out[unit_id] = [a + b for a, b in zip(acc, figures, strict=True)]
    return out


def _live() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for unit_id, _region, *figures in selectors._task_figures_live(MAY, None, MAY.end):
        acc = out.setdefault(unit_id, [0, 0, 0, 0])
        out[unit_id] = [a + b for a, b in zip(acc, figures, strict=True)]
    return out


def test_snapshot_is_kept_and_read_back_with_fewer_queries(tasks: list[Task]) -> None:
    first = _figures()
    assert first == _live() and ScoreSnapshot.objects.filter(stamp=_stamp()).count() == 1
    with CaptureQueriesContext(connection) as queries:
        again = _figures()
    assert again == first
    assert len(queries.captured_queries) == 2  # the stamp and the snapshot: no aggregate


def test_every_change_the_figures_read_raises_the_stamp_even_by_raw_update(tasks: list[Task]) -> None:
    _figures()
    task = tasks[0]
    before = _stamp()
    # progress and colours are not read by the task figures: they leave the stamp (and the snapshot) alone
    Task.objects.filter(pk=task.pk).update(percent=55, colour="red", missed_count=2)
    Assignment.objects.filter(task=task).update(percent=55)
    assert _stamp() == before
    # a status, a deadline, an assignment's activity: each raises it, and the figures follow at once
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.CANCELLED)
    assert _stamp() > before and _figures() == _live()
    stamp = _stamp()
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 5, 10))
    assert _stamp() > stamp and _figures() == _live()
    stamp = _stamp()
    Assignment.objects.filter(task=tasks[1]).update(active=False)
    assert _stamp() > stamp and _figures() == _live()
    stamp = _stamp()
    Assignment.objects.filter(task=tasks[1]).delete()
    assert _stamp() > stamp and _figures() == _live()


def test_without_the_stamp_row_nothing_is_kept(tasks: list[Task], users: dict[str, Any]) -> None:
    ScoreStamp.objects.all().delete()
    assert _figures() == _live() and not ScoreSnapshot.objects.exists()
    assert selectors.scoreboard(users["admin"], MAY)  # the page still works


def test_the_sweep_leaves_this_months_snapshot_for_the_first_page(
    tasks: list[Task], django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils import timezone

    from luoshi.supervision.services import sweep

    with django_capture_on_commit_callbacks(execute=True):
        sweep(dt.date(2026, 6, 2))
    month = periods.period_containing("monthly", timezone.localdate())
    kept = ScoreSnapshot.objects.get(stamp=_stamp())
    assert kept.key.startswith(month.start.isoformat())
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.task_figures(month)
    assert rows == kept.rows and len(queries.captured_queries) == 2
