"""Reporting periods (填报周期) as plain code: weekly (Monday–Sunday), 双周 (two-week blocks counted from
Monday 2024-01-01), monthly and quarterly. A period is identified by its first day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

BIWEEKLY_ANCHOR = dt.date(2024, 1, 1)  # a Monday

CYCLES = ("weekly", "biweekly", "monthly", "quarterly")


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    def label(self) -> str:
        if self.start.day == 1 and self.end.month == self.start.month:
            return f"{self.start.year}年{self.start.month}月"
        if self.start.day == 1 and (self.end.month - self.start.month) == 2 and self.start.month % 3 == 1:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_containing(cycle: str, day: dt.date) -> Period:
    if cycle == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6))
    if cycle == "biweekly":
        offset = (day - BIWEEKLY_ANCHOR).days // 14
        start = BIWEEKLY_ANCHOR + dt.timedelta(days=14 * offset)
        return Period(start, start + dt.timedelta(days=13))
    if cycle == "monthly":
        return Period(day.replace(day=1), _month_end(day.year, day.month))
    if cycle == "quarterly":
        first = 3 * ((day.month - 1) // 3) + 1
        return Period(dt.date(day.year, first, 1), _month_end(day.year, first + 2))
    raise ValueError(f"unknown reporting cycle {cycle!r}")


def next_period(cycle: str, period: Period) -> Period:
    return period_containing(cycle, period.end + dt.timedelta(days=1))


def previous_period(cycle: str, period: Period) -> Period:
    return period_containing(cycle, period.start - dt.timedelta(days=1))


def periods_between(cycle: str, first: dt.date, last: dt.date) -> Iterator[Period]:
    """Every period that overlaps [first, last], oldest first."""
    period = period_containing(cycle, first)
    while period.start <= last:
        yield period
        period = next_period(cycle, period)


def is_period_start(cycle: str, day: dt.date) -> bool:
    return period_containing(cycle, day).start == day
