"""The thin seams to other domains: the working-day calendar and notifications.

Working days come from `luoshi.calendar.services.calendar_for(region)` (national data, administrators'
corrections and the region's own holidays). Notifications go through
`luoshi.supervision.notifications.notify_project_event` (in-app, email, SMS; once per event key); when
that service is not installed they are not sent and count as zero.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.calendar.engine import WorkdayCalendar
    from luoshi.orgs.models import Region, Unit


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise


def calendar(region: Region | None) -> WorkdayCalendar:
    from luoshi.calendar.services import calendar_for

    return calendar_for(region)


def notify(
    *,
    units: Iterable[Unit] = (),
    users: Iterable[User] = (),
    subject: str,
    body: str,
    key: str,
    link: str = "",
) -> int:
    """Send an in-app notification (and whatever channels supervision configures) to the people of
    `units` and to `users`, at most once per `key`. Returns how many notifications were created."""
    module = _optional("luoshi.supervision.notifications")
    send = getattr(module, "notify_project_event", None) if module is not None else None
    if send is None:
        return 0
    return int(
        send(units=list(units), users=list(users), subject=subject, body=body, key=key, link=link) or 0
    )
