"""projects's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.accounts.access import is_government
from luoshi.core.nav import NavItem

NAV = [NavItem("重大项目", "projects:index", 60, is_government)]
