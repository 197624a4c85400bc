"""Deadlines in working days: time windows, red/yellow/green, and a deadline clock. Plain code, no Django.

The kernel every domain with a time limit builds on (supervision tasks, major-project milestones, enterprise
requests, policy items). It sits beside the working-day engine (``luoshi.calendar.engine``) and takes the
calendar as an argument, so it can be tested and benchmarked without a database.

- ``Colour``: the one red/yellow/green enum with the one set of Chinese labels (绿灯/黄灯/红灯, 未评估).
- ``window(...) -> Window`` for one item and ``windows(...) -> Windows`` for numpy arrays of day numbers:
  remaining / elapsed / total / overdue working days and the share of time used (序时进度), with one
  clamping rule (``_clamp``) applied to both paths.
- ``assess(...)`` / ``assess_counts(...)`` / ``explain(...)``: the colour rules shared by supervision and
  projects (first matching colour wins; every matching reason of that colour is listed):

  red
    * overdue: the deadline has passed (today is after the deadline) and the item is not done;
    * missed reports >= ``red_missed_reports`` (default 2);
    * returned >= ``red_returns`` times (default 2).
  yellow
    * the deadline is within ``yellow_window_workdays`` working days (default 15: working days in
      (today, deadline]) and progress lags 序时进度 by more than ``lag_tolerance`` percentage points;
    * missed reports >= ``yellow_missed_reports`` (default 1);
    * no responsible unit is assigned (nobody reports on it: never shown green).
  green
    * everything else (on track, done, or ongoing and reporting).

- ``add_workdays(calendar, start, n)`` and ``Clock``: a time limit of N working days that can be paused
  (补正: waiting for the applicant; each pause recorded, paused working days do not count) and extended (延期).

Counting convention (the calendar's): ``workdays_between(a, b)`` counts working days in [a, b).

- remaining = working days in (today, deadline] while today < deadline, else 0;
- overdue   = working days in (deadline, today] once today > deadline, at least 1 (a deadline on a Friday is
  overdue on Saturday), else 0;
- total     = working days in [start, deadline], at least 0;
- elapsed   = working days in [start, min(today, deadline)] once today >= start, else 0;
- share     = 100 * elapsed / total clipped to 0..100 (100 when total is 0) — 序时进度.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import IntFlag, StrEnum
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from luoshi.calendar.engine import N_DAYS, date_of, day_number

__all__ = [
    "COLOURS",
    "DEFAULT_THRESHOLDS",
    "Assessment",
    "Clock",
    "Colour",
    "Extension",
    "Pause",
    "Reason",
    "Thresholds",
    "Window",
    "Windows",
    "WorkdayCalendar",
    "add_workdays",
    "assess",
    "assess_counts",
    "explain",
    "schedule_percent",
    "window",
    "windows",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ONE_DAY = dt.timedelta(days=1)
_TOP = N_DAYS - 1  # the last day number the calendar accepts as an end


class Colour(StrEnum):
    """The warning colour. ``NONE`` (""): not assessed (no deadline kernel ran, or the item is not coloured,
    e.g. a suspended project). Store ``.value``; show ``.label``."""

    NONE = ""
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a Django field's ``choices``."""
        return [(c.value, c.label) for c in cls]


_LABELS: dict[Colour, str] = {
    Colour.NONE: "未评估",
    Colour.GREEN: "绿灯",
    Colour.YELLOW: "黄灯",
    Colour.RED: "红灯",
}

# Integer codes used by the vectorised path (index into COLOURS).
COLOURS: tuple[Colour, ...] = (Colour.GREEN, Colour.YELLOW, Colour.RED)


class Reason(IntFlag):
    """Why an item has its colour; several may hold at once."""

    NONE = 0
    OVERDUE = 1
    MISSED_RED = 2
    RETURNED_RED = 4
    NEAR_AND_LAGGING = 8
    MISSED_YELLOW = 16
    DONE = 32
    ONGOING = 64
    UNASSIGNED = 128


@dataclass(frozen=True)
class Thresholds:
    """Warning thresholds. Defaults are the seeds' practice (15 working days, 1/2 missed, 2 returns)."""

    yellow_window_workdays: int = 15
    lag_tolerance: float = 0.0
    yellow_missed_reports: int = 1
    red_missed_reports: int = 2
    red_returns: int = 2


DEFAULT_THRESHOLDS = Thresholds()


class WorkdayCalendar(Protocol):
    """What the kernel needs of a calendar (``luoshi.calendar.engine.WorkdayCalendar`` is one). Scalar results
    may be an int or an object with ``count``/``date`` and ``provisional``."""

    def workdays_between(self, start: dt.date, end: dt.date) -> Any: ...

    def workdays_between_many(self, start_days: Any, end_days: Any) -> tuple[IntArray, BoolArray]: ...

    def add_workdays(self, start: dt.date, n: int) -> Any: ...


def _count(result: Any) -> tuple[int, bool]:
    if isinstance(result, int | np.integer):
        return int(result), False
    for attr in ("count", "value"):
        value = getattr(result, attr, None)
        if isinstance(value, int | np.integer):
            return int(value), bool(getattr(result, "provisional", False))
    raise TypeError(f"calendar returned {result!r}; expected an int or an object with .count")


# --- time windows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The working-day window of one item on one day."""

    remaining: int
    elapsed: int
    total: int
    overdue: int
    share: float  # 序时进度, percent of the item's working days used, 0..100
    provisional: bool = False


@dataclass(frozen=True)
class Windows:
    """``Window`` for many items at once (numpy arrays, one element per item)."""

    remaining: IntArray
    elapsed: IntArray
    total: IntArray
    overdue: IntArray
    share: FloatArray
    provisional: BoolArray


def _clamp(
    today: IntArray,
    start: IntArray,
    deadline: IntArray,
    remaining: IntArray,
    elapsed: IntArray,
    total: IntArray,
    passed: IntArray,
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
    """The one clamping rule for raw working-day counts (scalar and array paths both end here)."""
    remaining = np.where(today < deadline, np.maximum(remaining, 0), 0)
    overdue = np.where(today > deadline, np.maximum(passed, 1), 0)
    total = np.maximum(total, 0)
    elapsed = np.where(today >= start, np.clip(elapsed, 0, total), 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, 100.0 * elapsed / np.maximum(total, 1), 100.0)
    share = np.where(today < start, 0.0, np.clip(share, 0.0, 100.0))
    return (
        remaining.astype(np.int64),
        elapsed.astype(np.int64),
        total.astype(np.int64),
        overdue.astype(np.int64),
        share.astype(np.float64),
    )


def window(*, today: dt.date, start: dt.date, deadline: dt.date, calendar: WorkdayCalendar) -> Window:
    """The window of one item (scalar path: the calendar's scalar counts)."""
    top = date_of(_TOP)
    end = min(deadline + ONE_DAY, top)
    after_today = min(today + ONE_DAY, top)
    rem, p1 = _count(calendar.workdays_between(min(after_today, end), end))
    passed, p2 = _count(calendar.workdays_between(min(end, after_today), max(end, after_today)))
    tot, p3 = _count(calendar.workdays_between(start, end)) if start <= end else (0, False)
    last = min(min(today, deadline) + ONE_DAY, top)
    ela, p4 = _count(calendar.workdays_between(start, last)) if start <= last else (0, False)

    def one(value: int) -> IntArray:
        return np.array([value], dtype=np.int64)

    r, e, t, o, s = _clamp(
        one(day_number(today)),
        one(day_number(start)),
        one(day_number(deadline)),
        one(rem),
        one(ela),
        one(tot),
        one(passed),
    )
    return Window(int(r[0]), int(e[0]), int(t[0]), int(o[0]), float(s[0]), p1 or p2 or p3 or p4)


def windows(
    *, today: npt.ArrayLike, start: npt.ArrayLike, deadline: npt.ArrayLike, calendar: WorkdayCalendar
) -> Windows:
    """The windows of many items; arguments are day numbers (``luoshi.calendar.engine.day_number``), each an
    array or a scalar broadcast to the others."""
    t, s, d = np.broadcast_arrays(
        np.asarray(today, dtype=np.int64),
        np.asarray(start, dtype=np.int64),
        np.asarray(deadline, dtype=np.int64),
    )
    t, s, d = (np.atleast_1d(x) for x in (t, s, d))
    end = np.minimum(d + 1, _TOP)
    after_today = np.minimum(t + 1, _TOP)
    rem, p1 = calendar.workdays_between_many(np.minimum(after_today, end), end)
    passed, p2 = calendar.workdays_between_many(np.minimum(end, after_today), np.maximum(end, after_today))
    tot, p3 = calendar.workdays_between_many(np.minimum(s, end), end)
    last = np.minimum(np.minimum(t, d) + 1, _TOP)
    ela, p4 = calendar.workdays_between_many(np.minimum(s, last), last)
    r, e, tt, o, sh = _clamp(t, s, d, rem, ela, tot, passed)
    provisional = np.asarray(p1 | p2 | p3 | p4, dtype=np.bool_)
    return Windows(r, e, tt, o, sh, provisional)


def schedule_percent(
    *, today: dt.date, start: dt.date, deadline: dt.date, calendar: WorkdayCalendar
) -> float:
    """序时进度: working days elapsed since `start` (today included) over the working days to `deadline`."""
    return window(today=today, start=start, deadline=deadline, calendar=calendar).share


# --- colour rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    colour: Colour
    reason: str
    flags: Reason
    schedule_percent: float | None
    remaining_workdays: int | None
    overdue_workdays: int | None
    provisional: bool = False


def assess_counts(
    *,
    has_deadline: BoolArray,
    remaining: IntArray,
    overdue: IntArray,
    share: FloatArray,
    percent: FloatArray,
    missed: IntArray,
    returns: IntArray,
    done: BoolArray,
    window: IntArray,
    tolerance: FloatArray,
    yellow_missed: IntArray,
    red_missed: IntArray,
    red_returns: IntArray,
    unassigned: BoolArray | None = None,
) -> tuple[npt.NDArray[np.int8], IntArray, FloatArray]:
    """The rules on arrays (one element per item), on the counts of ``windows``.

    Returns (colour index into COLOURS, Reason flags, schedule percent; NaN where there is no deadline).
    """
    n = len(percent)
    sched = np.where(has_deadline, share, np.nan)
    live = ~done
    is_overdue = live & has_deadline & (overdue > 0)
    missed_red = live & (missed >= red_missed)
    returned_red = live & (returns >= red_returns)
    near = live & has_deadline & ~is_overdue & (remaining <= window)
    lagging = percent + tolerance < np.nan_to_num(sched, nan=0.0)
    near_lag = near & lagging
    missed_yellow = live & (missed >= yellow_missed) & ~missed_red

    flags = np.zeros(n, dtype=np.int64)
    flags |= np.where(is_overdue, int(Reason.OVERDUE), 0)
    flags |= np.where(missed_red, int(Reason.MISSED_RED), 0)
    flags |= np.where(returned_red, int(Reason.RETURNED_RED), 0)
    red = is_overdue | missed_red | returned_red
    nobody = live & (np.zeros(n, dtype=np.bool_) if unassigned is None else unassigned)
    yellow = ~red & (near_lag | missed_yellow | nobody)
    flags |= np.where(~red & near_lag, int(Reason.NEAR_AND_LAGGING), 0)
    flags |= np.where(~red & missed_yellow, int(Reason.MISSED_YELLOW), 0)
    flags |= np.where(nobody, int(Reason.UNASSIGNED), 0)
    flags |= np.where(done, int(Reason.DONE), 0)
    flags |= np.where(live & ~has_deadline & ~red & ~yellow, int(Reason.ONGOING), 0)
    colour = np.where(red, 2, np.where(yellow, 1, 0)).astype(np.int8)
    return colour, flags, sched


def explain(
    flags: int,
    *,
    percent: float,
    schedule: float | None,
    remaining: int | None,
    overdue: int | None,
    missed: int,
    returns: int,
    window: int,
) -> str:
    """The reason in Chinese, with the figures that triggered it."""
    f = Reason(flags)
    parts: list[str] = []
    if f & Reason.OVERDUE:
        parts.append(f"已超过完成时限{overdue or 0}个工作日仍未销号")
    if f & Reason.MISSED_RED:
        parts.append(f"{missed}次未按期报送进展")
    if f & Reason.RETURNED_RED:
        parts.append(f"申请销号已被退回{returns}次")
    if f & Reason.NEAR_AND_LAGGING:
        parts.append(
            f"距完成时限仅剩{remaining or 0}个工作日(预警期{window}个工作日),"
            f"完成进度{percent:.0f}%落后序时进度{(schedule or 0):.0f}%"
        )
    if f & Reason.MISSED_YELLOW:
        parts.append(f"{missed}次未按期报送进展")
    if f & Reason.UNASSIGNED:
        parts.append("尚未指定责任单位,无人承办")
    if parts:
        return ";".join(parts)
    if f & Reason.DONE:
        return "已销号"
    if f & Reason.ONGOING:
        return "长期坚持任务,按周期报送进展"
    if schedule is not None and percent < schedule:
        return (
            f"完成进度{percent:.0f}%落后序时进度{schedule:.0f}%,"
            f"距完成时限还有{remaining or 0}个工作日,尚未进入预警期"
        )
    if schedule is not None:
        return f"按序时推进:完成进度{percent:.0f}%,序时进度{schedule:.0f}%"
    return "按序时推进"


def assess(
    *,
    today: dt.date,
    start: dt.date,
    deadline: dt.date | None,
    ongoing: bool = False,
    percent: float = 0.0,
    missed_reports: int = 0,
    returns: int = 0,
    done: bool = False,
    unassigned: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    calendar: WorkdayCalendar,
) -> Assessment:
    """Colour one item. `done` = signed off / completed. `ongoing` (长期坚持) ignores the deadline."""
    has_deadline = deadline is not None and not ongoing
    w = Window(0, 0, 0, 0, 0.0)
    if has_deadline:
        assert deadline is not None
        w = window(today=today, start=start, deadline=deadline, calendar=calendar)

    def arr(value: Any, dtype: Any) -> Any:
        return np.array([value], dtype=dtype)

    colour_idx, flags, sched = assess_counts(
        has_deadline=arr(has_deadline, np.bool_),
        remaining=arr(w.remaining, np.int64),
        overdue=arr(w.overdue, np.int64),
        share=arr(w.share, np.float64),
        percent=arr(percent, np.float64),
        missed=arr(missed_reports, np.int64),
        returns=arr(returns, np.int64),
        done=arr(done, np.bool_),
        window=arr(thresholds.yellow_window_workdays, np.int64),
        tolerance=arr(thresholds.lag_tolerance, np.float64),
        yellow_missed=arr(thresholds.yellow_missed_reports, np.int64),
        red_missed=arr(thresholds.red_missed_reports, np.int64),
        red_returns=arr(thresholds.red_returns, np.int64),
        unassigned=arr(unassigned, np.bool_),
    )
    schedule = None if np.isnan(sched[0]) else float(sched[0])
    reason = explain(
        int(flags[0]),
        percent=percent,
        schedule=schedule,
        remaining=w.remaining if has_deadline else None,
        overdue=w.overdue if has_deadline else None,
        missed=missed_reports,
        returns=returns,
        window=thresholds.yellow_window_workdays,
    )
    if w.provisional:
        reason += "(含尚未公布放假安排的年份,工作日按法定节假日预估)"
    return Assessment(
        colour=COLOURS[int(colour_idx[0])],
        reason=reason,
        flags=Reason(int(flags[0])),
        schedule_percent=schedule,
        remaining_workdays=w.remaining if has_deadline else None,
        overdue_workdays=w.overdue if has_deadline else None,
        provisional=w.provisional,
    )


# --- a deadline clock: add working days, pause / resume (补正), extend (延期) ------------------------------


def add_workdays(calendar: WorkdayCalendar, start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after `start` (n = 0: `start` itself)."""
    result = calendar.add_workdays(start, n)
    value = getattr(result, "date", result)
    assert isinstance(value, dt.date)
    return value


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months; the day is clamped to the end of a shorter month (2026-08-31 + 6 → 2027-02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar_module.monthrange(year, month)[1]))


OFFICE_START = dt.time(9, 0)
OFFICE_HOURS_PER_DAY = 8


def is_workday(calendar: WorkdayCalendar, day: dt.date) -> bool:
    return _count(calendar.workdays_between(day, day + ONE_DAY))[0] == 1


def add_working_hours(
    calendar: WorkdayCalendar,
    start: dt.datetime,
    hours: int,
    *,
    office_start: dt.time = OFFICE_START,
    hours_per_day: int = OFFICE_HOURS_PER_DAY,
) -> dt.datetime:
    """`hours` office hours after `start` (an aware datetime; office hours are ``office_start`` plus
    ``hours_per_day`` on working days, in `start`'s time zone). Time outside office hours does not count."""
    tz = start.tzinfo
    if tz is None:
        raise ValueError("add_working_hours needs an aware datetime")

    def opening(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, office_start, tz)

    day = start.date()
    closing = opening(day) + dt.timedelta(hours=hours_per_day)
    if not is_workday(calendar, day) or start >= closing:
        cursor = opening(add_workdays(calendar, day, 1))
    else:
        cursor = max(start, opening(day))
    remaining = dt.timedelta(hours=hours)
    while True:
        left_today = opening(cursor.date()) + dt.timedelta(hours=hours_per_day) - cursor
        if remaining <= left_today:
            return cursor + remaining
        remaining -= left_today
        cursor = opening(add_workdays(calendar, cursor.date(), 1))


@dataclass(frozen=True)
class Pause:
    """The clock stood still from ``since`` (inclusive) to ``until`` (exclusive; None: still paused)."""

    since: dt.date
    reason: str
    until: dt.date | None = None


@dataclass(frozen=True)
class Extension:
    workdays: int
    reason: str
    on: dt.date


class ClockError(ValueError):
    """A clock operation that makes no sense (resume when running, negative extension ...); message in Chinese."""


@dataclass(frozen=True)
class Clock:
    """A time limit of ``limit_workdays`` working days counted from ``start`` (the first working day after
    ``start`` is day 1, the calendar's convention). Immutable: each operation returns a new clock, so a
    service stores ``pauses`` and ``extensions`` as rows and rebuilds the clock from them.

    Working days on which the clock was paused do not count: each closed pause [since, until) moves the
    deadline by the working days in it; an open pause counts up to ``today``.
    """

    start: dt.date
    limit_workdays: int
    pauses: tuple[Pause, ...] = field(default=())
    extensions: tuple[Extension, ...] = field(default=())

    @classmethod
    def from_rows(
        cls,
        *,
        start: dt.date,
        limit_workdays: int,
        pauses: Iterable[tuple[dt.date, dt.date | None]] = (),
        extension_workdays: int = 0,
    ) -> Clock:
        """A clock rebuilt from stored rows: (since, until) pauses (until None: still paused) and the approved
        extensions' total working days."""
        return cls(
            start=start,
            limit_workdays=limit_workdays,
            pauses=tuple(Pause(since, "", until) for since, until in pauses),
            extensions=(Extension(extension_workdays, "", start),) if extension_workdays else (),
        )

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1].until is None

    def pause(self, on: dt.date, reason: str) -> Clock:
        if self.paused:
            raise ClockError("计时已暂停,不能重复暂停。")
        if on < self.start or (self.pauses and self.pauses[-1].until and on < self.pauses[-1].until):
            raise ClockError("暂停日期不能早于起算日或上一次恢复计时的日期。")
        return replace(self, pauses=(*self.pauses, Pause(on, reason)))

    def resume(self, on: dt.date) -> Clock:
        if not self.paused:
            raise ClockError("计时未暂停,无需恢复。")
        last = self.pauses[-1]
        if on < last.since:
            raise ClockError("恢复计时的日期不能早于暂停日期。")
        return replace(self, pauses=(*self.pauses[:-1], replace(last, until=on)))

    def extend(self, workdays: int, reason: str, on: dt.date) -> Clock:
        if workdays <= 0:
            raise ClockError("延期的工作日数必须大于0。")
        return replace(self, extensions=(*self.extensions, Extension(workdays, reason, on)))

    @property
    def extended_workdays(self) -> int:
        return sum(e.workdays for e in self.extensions)

    def paused_workdays(self, calendar: WorkdayCalendar, today: dt.date) -> int:
        total = 0
        for p in self.pauses:
            until = p.until or max(today, p.since)
            total += _count(calendar.workdays_between(p.since, until))[0]
        return total

    def deadline(self, calendar: WorkdayCalendar, today: dt.date) -> dt.date:
        """The day the limit runs out, counting pauses (an open one up to `today`) and extensions."""
        n = self.limit_workdays + self.extended_workdays + self.paused_workdays(calendar, today)
        return add_workdays(calendar, self.start, n)

    def window(self, calendar: WorkdayCalendar, today: dt.date) -> Window:
        return window(
            today=today,
            start=self.start + ONE_DAY,
            deadline=self.deadline(calendar, today),
            calendar=calendar,
        )
