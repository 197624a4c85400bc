"""Red/yellow/green warning rules (红黄绿三色预警) as plain code: no Django, no database.

Used by the daily sweep over tasks (luoshi.supervision.services.sweep) and by the major-project milestones
(luoshi.projects). The API is small and meant to stay stable:

- ``Colour``: green / yellow / red.
- ``Thresholds``: the per-plan configuration (defaults below; stored in ``WarningThresholds``).
- ``assess(...) -> Assessment``: one item, scalar dates, a calendar with ``workdays_between(a, b)``.
- ``assess_counts(...)``: the same rules on numpy arrays of working-day counts (the sweep's fast path).
- ``explain(...)``: the reason in Chinese for one row of ``assess_counts``.

The rules (first matching colour wins; every matching reason of that colour is listed):

red
  * overdue: the deadline has passed (today is after the deadline) and the item is not done;
  * missed reports >= ``red_missed_reports`` (default 2);
  * returned >= ``red_returns`` times (default 2).
yellow
  * the deadline is within ``yellow_window_workdays`` working days (default 15: today to the deadline,
    counted as working days in (today, deadline]) and progress lags 序时进度 by more than
    ``lag_tolerance`` percentage points (default 0);
  * missed reports >= ``yellow_missed_reports`` (default 1);
  * no responsible unit is assigned (nobody reports on it: never shown green).
green
  * everything else (on track, done, or ongoing and reporting).

序时进度 (schedule progress) is the elapsed share of the item's working days:
``workdays in [start, today] / workdays in [start, deadline]``, as a percentage capped to 0..100.
Working days follow the calendar passed in: ``workdays_between(a, b)`` counts working days in [a, b)
(the convention of ``luoshi.calendar``), so a National Day week does not eat into the window.
Ongoing items (长期坚持) have no deadline: they are never overdue or "near", only reporting counts.
"Missed reports" counts reporting periods with a report still missing (a task with two units that both
miss the same month has missed one report, not two); a late report filed afterwards clears its period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntFlag, StrEnum
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Assessment",
    "Colour",
    "Reason",
    "Thresholds",
    "WorkdayCalendar",
    "assess",
    "assess_counts",
    "explain",
    "schedule_percent",
]


class Colour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}[self.value]


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
    """Per-plan warning thresholds. Defaults are the seeds' practice (15 working days, 1/2 missed, 2 returns)."""

    yellow_window_workdays: int = 15
    lag_tolerance: float = 0.0
    yellow_missed_reports: int = 1
    red_missed_reports: int = 2
    red_returns: int = 2


DEFAULT_THRESHOLDS = Thresholds()


class WorkdayCalendar(Protocol):
    """What the rules need from a calendar: working days in [start, end). Results may be an int or an
    object with ``count``/``value`` and ``provisional`` (as ``luoshi.calendar`` returns)."""

    def workdays_between(self, start: dt.date, end: dt.date) -> Any: ...


@dataclass(frozen=True)
class Assessment:
    colour: Colour
    reason: str
    flags: Reason
    schedule_percent: float | None
    remaining_workdays: int | None
    overdue_workdays: int | None
    provisional: bool = False


def _count(result: Any) -> tuple[int, bool]:
    if isinstance(result, int | np.integer):
        return int(result), False
    for attr in ("count", "value"):
        value = getattr(result, attr, None)
        if isinstance(value, int | np.integer):
            return int(value), bool(getattr(result, "provisional", False))
    raise TypeError(f"calendar returned {result!r}; expected an int or an object with .count")


def schedule_percent(
    *, today: dt.date, start: dt.date, deadline: dt.date, calendar: WorkdayCalendar
) -> float:
    """序时进度: working days elapsed since `start` (today included) over the working days to `deadline`."""
    total, _ = _count(calendar.workdays_between(start, deadline + dt.timedelta(days=1)))
    elapsed, _ = _count(calendar.workdays_between(start, min(today, deadline) + dt.timedelta(days=1)))
    if today < start:
        return 0.0
    if total <= 0:
        return 100.0
    return float(min(100.0, max(0.0, 100.0 * elapsed / total)))


IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def assess_counts(
    *,
    has_deadline: BoolArray,
    remaining: IntArray,
    overdue: IntArray,
    elapsed: IntArray,
    total: IntArray,
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
    """The rules on arrays (one element per item). Counts are in working days:

    remaining = working days in (today, deadline] (0 when due today or past);
    overdue = working days in (deadline, today] (> 0 only after the deadline; calendar days are used by the
    caller when the deadline has passed but no working day has, so a deadline on a Friday is overdue on Saturday);
    elapsed / total = working days in [start, min(today, deadline)] and [start, deadline].

    Returns (colour index into COLOURS, Reason flags, schedule percent; NaN where there is no deadline).
    """
    n = len(percent)
    sched = np.full(n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total > 0, 100.0 * elapsed / np.maximum(total, 1), 100.0)
    sched = np.where(has_deadline, np.clip(ratio, 0.0, 100.0), np.nan)
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
    remaining = overdue = elapsed = total = 0
    provisional = False
    if has_deadline:
        assert deadline is not None
        one = dt.timedelta(days=1)
        if today < deadline:
            remaining, p1 = _count(calendar.workdays_between(today + one, deadline + one))
            provisional |= p1
        elif today > deadline:
            overdue, p2 = _count(calendar.workdays_between(deadline + one, today + one))
            overdue = max(overdue, 1)  # past the deadline is overdue even before the next working day
            provisional |= p2
        total, p3 = _count(calendar.workdays_between(start, deadline + one))
        if today >= start:
            elapsed, p4 = _count(calendar.workdays_between(start, min(today, deadline) + one))
            provisional |= p4
        provisional |= p3

    def arr(value: Any, dtype: Any) -> Any:
        return np.array([value], dtype=dtype)

    colour_idx, flags, sched = assess_counts(
        has_deadline=arr(has_deadline, np.bool_),
        remaining=arr(remaining, np.int64),
        overdue=arr(overdue, np.int64),
        elapsed=arr(elapsed, np.int64),
        total=arr(total, np.int64),
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
        remaining=remaining if has_deadline else None,
        overdue=overdue if has_deadline else None,
        missed=missed_reports,
        returns=returns,
        window=thresholds.yellow_window_workdays,
    )
    if provisional:
        reason += "(含尚未公布放假安排的年份,工作日按法定节假日预估)"
    return Assessment(
        colour=COLOURS[int(colour_idx[0])],
        reason=reason,
        flags=Reason(int(flags[0])),
        schedule_percent=schedule,
        remaining_workdays=remaining if has_deadline else None,
        overdue_workdays=overdue if has_deadline else None,
        provisional=provisional,
    )
