"""Colour reasons rendered from stored figures (ADR 0095).

The sweep stores *why* a task has its colour as small figures, not as text: ``Task.colour_flags`` (the
``luoshi.calendar.deadlines.Reason`` bits that held), ``Task.colour_limit`` (the yellow window in working days
then in force), ``Task.colour_judged_on`` (the day those flags were judged) and the counts the task row keeps
anyway (``missed_count``, ``returns_count``, ``percent``). The reason text is built here when it is shown.

The figures that move by themselves every working day — working days remaining or overdue, and 序时进度 — are
not stored at all: they follow from the task's own start date and deadline and the day it is shown, through
the calendar kernel (``deadlines.window``), exactly as the sweep computes them. So "已超过完成时限298个工作日"
reads 299 the next working day with no row rewritten; the sweep writes a row only when its colour, flags,
missed count or yellow window changed.

``render`` is pure (figures in, text out) and gives the same text ``deadlines.explain`` gives for the same
figures; ``figures_of`` / ``reason_of`` derive the current figures of a task row.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from luoshi.calendar import deadlines
from luoshi.calendar.deadlines import Reason

if TYPE_CHECKING:
    from luoshi.orgs.models import Region
    from luoshi.supervision.models import Task

__all__ = ["PROVISIONAL_NOTE", "REASON_FIELDS", "Figures", "figures_of", "reason_of", "render"]

MAX_LENGTH = 500
# the Task columns a reason is rendered from (for ``QuerySet.only``)
REASON_FIELDS = (
    "region",
    "status",
    "sign_off_requested_at",
    "start_date",
    "deadline",
    "ongoing",
    "percent",
    "missed_count",
    "returns_count",
    "colour_flags",
    "colour_limit",
    "colour_judged_on",
)
PROVISIONAL_NOTE = "(含尚未公布放假安排的年份,工作日按法定节假日预估)"


@dataclass(frozen=True)
class Figures:
    """What a reason states. ``remaining`` / ``overdue`` / ``schedule`` are None for a task without a deadline
    (长期坚持)."""

    flags: int
    percent: float
    schedule: float | None
    remaining: int | None
    overdue: int | None
    missed: int
    returns: int
    window: int  # the yellow window (预警期) in working days
    provisional: bool = False


def render(f: Figures) -> str:
    """The reason in Chinese (at most 500 characters)."""
    text = deadlines.explain(
        f.flags,
        percent=f.percent,
        schedule=f.schedule,
        remaining=f.remaining,
        overdue=f.overdue,
        missed=f.missed,
        returns=f.returns,
        window=f.window,
    )
    if f.provisional:
        text += PROVISIONAL_NOTE
    return text[:MAX_LENGTH]


def figures_of(
    *,
    flags: int,
    today: dt.date,
    start: dt.date,
    deadline: dt.date | None,
    ongoing: bool,
    percent: float,
    missed: int,
    returns: int,
    window: int,
    calendar: deadlines.WorkdayCalendar,
) -> Figures:
    """The current figures of a judgement: the stored flags and counts, the working days and 序时进度 of
    `today` (the day shown; for a task awaiting review, the day completion was requested)."""
    if deadline is None or ongoing:
        return Figures(flags, percent, None, None, None, missed, returns, window)
    w = deadlines.window(today=today, start=start, deadline=deadline, calendar=calendar)
    return Figures(flags, percent, w.share, w.remaining, w.overdue, missed, returns, window, w.provisional)


CalendarOf = Callable[[int], deadlines.WorkdayCalendar]


def reason_of(task: Task, today: dt.date | None = None, calendar_of: CalendarOf | None = None) -> str:
    """The reason of a task as of `today` (default: today in Beijing); "" for a task never judged."""
    if task.colour_judged_on is None:
        return ""
    from django.utils import timezone

    from luoshi.supervision.services.common import effective_today

    day = effective_today(task, today or timezone.localdate())
    flags = task.colour_flags
    if flags & Reason.DONE:
        return "已销号"
    if calendar_of is not None:
        cal = calendar_of(task.region_id)
    else:
        region = task.region if type(task).region.is_cached(task) else None
        cal = _calendar_of(task.region_id, region)
    return render(
        figures_of(
            flags=flags,
            today=day,
            start=task.start_date,
            deadline=task.deadline,
            ongoing=task.ongoing,
            percent=task.percent,
            missed=task.missed_count,
            returns=task.returns_count,
            window=task.colour_limit,
            calendar=cal,
        )
    )


# Calendars per region for the length of one request in its thread: a page of 50 reasons reads the calendar's
# version token once and each region once, not 50 times. Outside a request each call asks the calendar
# service (its own per-process cache behind one version query).
_local = threading.local()


def _calendar_of(region_id: int, region: Region | None = None) -> deadlines.WorkdayCalendar:
    from luoshi.calendar.services import calendar_for, current_token
    from luoshi.orgs.models import Region

    cache: dict[int, Any] | None = getattr(_local, "calendars", None)
    if cache is None:
        return calendar_for(region or Region.objects.get(pk=region_id))
    cal = cache.get(region_id)
    if cal is None:
        token = cache.get(-1)
        if token is None:
            token = cache[-1] = current_token()
        cal = cache[region_id] = calendar_for(region or Region.objects.get(pk=region_id), token=token)
    return cal  # type: ignore[no-any-return]


def request_started(**_: Any) -> None:
    _local.calendars = {}


def request_finished(**_: Any) -> None:
    _local.calendars = None
