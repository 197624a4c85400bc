"""The navigation bar, gathered from the apps: each app declaring ``nav_module`` on its AppConfig lists its
entries there as ``NAV: list[NavItem]`` (who sees an entry is a predicate of the app's access rules; a badge is
a count, e.g. unread notifications) and may add template context with ``context(user) -> dict`` (accounts:
what the user is, for templates that show or hide links). The kernel knows no app and no role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int  # ascending, left to right
    visible: Callable[[Any], bool] = everyone
    badge: Callable[[Any], int] | None = None


HOME = NavItem("首页", "core:home", 0)
