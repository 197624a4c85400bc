"""calendar's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.accounts.access import is_government
from luoshi.core.nav import NavItem

NAV = [NavItem("工作日历", "calendar:index", 90, is_government)]
