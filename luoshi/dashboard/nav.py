"""dashboard's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.accounts.access import is_government
from luoshi.core.nav import NavItem

NAV = [NavItem("监测分析", "dashboard:index", 70, is_government)]
