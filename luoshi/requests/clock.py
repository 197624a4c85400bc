"""The request clock: the one place this app asks the calendar for working days.

Thin over the shared calendar (`calendar.services.calendar_for`): class limits in working days, the sign-in limit
in working hours (a working day counts as `HOURS_PER_DAY` office hours from `OFFICE_START`), and moving a due date
when a 补正 pause ends (the working days left when it started are counted again from the day it ends).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from luoshi.calendar.services import calendar_for

if TYPE_CHECKING:
    from luoshi.orgs.models import Region

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OFFICE_START = dt.time(9, 0)
HOURS_PER_DAY = 8


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def add_workdays(region: Region | None, start: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after `start` (the day of receipt is not counted)."""
    return calendar_for(region).add_workdays(start, n).date


def workdays_between(region: Region | None, start: dt.date, end: dt.date) -> int:
    """Working days in [start, end)."""
    return calendar_for(region).workdays_between(start, end).count


def add_working_hours(region: Region | None, start: dt.datetime, hours: int) -> dt.datetime:
    """`hours` office hours after `start` (09:00-17:00 on working days, Asia/Shanghai)."""
    cal = calendar_for(region)
    local = start.astimezone(SHANGHAI)
    day = local.date()
    opening = dt.datetime.combine(day, OFFICE_START, SHANGHAI)
    closing = opening + dt.timedelta(hours=HOURS_PER_DAY)
    if not cal.is_workday(day).value or local >= closing:
        day = cal.add_workdays(day, 1).date
        cursor = dt.datetime.combine(day, OFFICE_START, SHANGHAI)
    else:
        cursor = max(local, opening)
    remaining = dt.timedelta(hours=hours)
    while True:
        closing = dt.datetime.combine(cursor.date(), OFFICE_START, SHANGHAI) + dt.timedelta(
            hours=HOURS_PER_DAY
        )
        left_today = closing - cursor
        if remaining <= left_today:
            return cursor + remaining
        remaining -= left_today
        nxt = cal.add_workdays(cursor.date(), 1).date
        cursor = dt.datetime.combine(nxt, OFFICE_START, SHANGHAI)


def deadline(
    region: Region | None,
    *,
    start: dt.date,
    limit: int,
    pauses: list[tuple[dt.date, dt.date | None]],
    extension_days: int,
    today: dt.date,
) -> dt.date:
    """The day a limit of `limit` working days from `start` runs out: plus approved extensions, plus the working
    days of every pause [since, until) (an open pause counts up to `today`)."""
    paused = 0
    for since, until in pauses:
        paused += workdays_between(region, since, until or max(today, since))
    return add_workdays(region, start, limit + extension_days + paused)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` months later (the last day of a shorter month)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in range(day.day, 27, -1):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))
