"""The thin seams to other domains: the working-day calendar and notifications.

Kept in one place so the project domain does not depend on how those apps are built: when
`luoshi.calendar.services.calendar_for` exists it decides working days (with its holiday corrections);
until then the built-in Chinese calendar (chinese-calendar, 2004–2026) with a weekday fallback.
Notifications go through luoshi.supervision when it offers a notification service; otherwise they are
counted but not delivered.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region, Unit

IsWorkingDay = Callable[[dt.date], bool]


def _builtin_is_working_day(day: dt.date) -> bool:
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # outside the years the library knows
        return day.weekday() < 5


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def working_day_function(region: Region | None) -> IsWorkingDay:
    """`is_working_day(date) -> bool` for a region (its own corrections when the calendar app has them)."""
    services = _optional("luoshi.calendar.services")
    calendar_for = getattr(services, "calendar_for", None) if services is not None else None
    if calendar_for is None or region is None:
        return _builtin_is_working_day
    cal = calendar_for(region)
    check = getattr(cal, "is_working_day", None) or getattr(cal, "is_workday", None)
    if check is None:
        return _builtin_is_working_day

    def is_working_day(day: dt.date) -> bool:
        result = check(day)
        return bool(getattr(result, "value", result))

    return is_working_day


def notify(
    *, units: Iterable[Unit] = (), users: Iterable[User] = (), subject: str, body: str, key: str,
    link: str = "",
) -> int:
    """Send an in-app notification (and whatever channels supervision configures) to the people of
    `units` and to `users`, at most once per `key`. Returns how many notifications were created."""
    module = _optional("luoshi.supervision.notifications")
    send = getattr(module, "notify_project_event", None) if module is not None else None
    if send is None:
        return 0
    return int(send(units=list(units), users=list(users), subject=subject, body=body, key=key, link=link) or 0)
