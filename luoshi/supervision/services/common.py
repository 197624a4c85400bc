"""Helpers shared by the supervision services: calendars, thresholds, and recolouring one task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from luoshi.audit.services import record
from luoshi.calendar import deadlines
from luoshi.orgs.models import Region
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import Colour, Task, TaskStatus, WarningThresholds

EPOCH = dt.date(2004, 1, 1)  # day 0 of luoshi.calendar's vectorised API


def calendar_for(region: Region | None) -> Any:
    from luoshi.calendar.services import calendar_for as _calendar_for

    return _calendar_for(region)


def add_workdays(region: Region | None, day: dt.date, n: int) -> dt.date:
    result = calendar_for(region).add_workdays(day, n)
    return getattr(result, "date", result)  # type: ignore[no-any-return]


def thresholds_of(row: WarningThresholds | None) -> deadlines.Thresholds:
    if row is None:
        return deadlines.DEFAULT_THRESHOLDS
    return deadlines.Thresholds(
        yellow_window_workdays=row.yellow_window_workdays,
        lag_tolerance=row.lag_tolerance,
        yellow_missed_reports=row.yellow_missed_reports,
        red_missed_reports=row.red_missed_reports,
        red_returns=row.red_returns,
    )


def plan_thresholds(plan_id: int) -> WarningThresholds:
    row, _ = WarningThresholds.objects.get_or_create(plan_id=plan_id)
    return row


def effective_today(task: Task, today: dt.date) -> dt.date:
    """A task awaiting the office's review is judged as of the day completion was requested."""
    if task.status == TaskStatus.SIGN_OFF_REQUESTED and task.sign_off_requested_at is not None:
        return min(today, timezone.localdate(task.sign_off_requested_at))
    return today


_UNSET: Any = object()


def assess_task(
    task: Task,
    today: dt.date | None = None,
    *,
    thresholds_row: WarningThresholds | None = _UNSET,
    calendar: Any = None,
    unassigned: bool | None = None,
) -> deadlines.Assessment:
    """The colour of one task now. A caller that already holds the plan's thresholds row (None: the plan has
    none, the defaults apply), the region's calendar or knows the task has an active assignment passes them
    and saves the queries."""
    return judge_task(
        task, today, thresholds_row=thresholds_row, calendar=calendar, unassigned=unassigned
    )[0]


def judge_task(
    task: Task,
    today: dt.date | None = None,
    *,
    thresholds_row: WarningThresholds | None = _UNSET,
    calendar: Any = None,
    unassigned: bool | None = None,
) -> tuple[deadlines.Assessment, int]:
    """`assess_task` and the yellow window (working days) it judged with."""
    today = today or timezone.localdate()
    if task.status == TaskStatus.SIGNED_OFF:
        done = deadlines.Assessment(deadlines.Colour.GREEN, "已销号", deadlines.Reason.DONE, None, None, None)
        return done, task.colour_limit
    if thresholds_row is _UNSET:
        thresholds_row = WarningThresholds.objects.filter(plan_id=task.plan_id).first()
    if unassigned is None:
        unassigned = not task.assignments.filter(active=True).exists()
    thresholds = thresholds_of(thresholds_row)
    verdict = deadlines.assess(
        today=effective_today(task, today),
        start=task.start_date,
        deadline=task.deadline,
        ongoing=task.ongoing,
        percent=task.percent,
        missed_reports=task.missed_count,
        returns=task.returns_count,
        unassigned=unassigned,
        thresholds=thresholds,
        calendar=calendar if calendar is not None else calendar_for(task.region),
    )
    return verdict, thresholds.yellow_window_workdays


def judgement_fields(
    task: Task, verdict: deadlines.Assessment, limit: int, today: dt.date
) -> dict[str, Any]:
    """The figure columns to write for `verdict` (empty when the stored figures already say it), set on `task`
    too. The working days are not among them: they are derived when shown (luoshi.supervision.reasons)."""
    flags = int(verdict.flags)
    if task.colour_judged_on is not None and task.colour_flags == flags and task.colour_limit == limit:
        return {}
    fields = {"colour_flags": flags, "colour_limit": limit, "colour_judged_on": today}
    for name, value in fields.items():
        setattr(task, name, value)
    return fields


def recolour(task: Task, *, actor: Any, today: dt.date | None = None) -> bool:
    """Recompute one task's colour now (after a report, a return, a sign-off); audit a change."""
    if task.status == TaskStatus.CANCELLED:
        return False
    today = today or timezone.localdate()
    verdict, limit = judge_task(task, today)
    new = Colour(verdict.colour.value)
    figures = judgement_fields(task, verdict, limit, today)
    if new == task.colour:
        if figures:  # same colour, other rules: no audit needed
            Task.objects.filter(pk=task.pk).update(**figures)
        return False
    before = {"colour": task.colour}
    Task.objects.filter(pk=task.pk).update(colour=new, colour_changed_on=today, **figures)
    task.colour, task.colour_changed_on = new, today
    record(
        actor=actor,
        action=SupervisionEvent.TASK_COLOUR_CHANGED,
        subject=task,
        before=before,
        after={"colour": str(new)},
        reason=verdict.reason,
    )
    return True
