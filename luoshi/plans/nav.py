"""plans's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.accounts.access import is_government
from luoshi.core.nav import NavItem

NAV = [NavItem("行动方案", "plans:index", 10, is_government)]
