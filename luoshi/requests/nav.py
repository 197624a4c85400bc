"""requests's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.core.nav import NavItem

NAV = [NavItem("企业诉求", "requests:index", 40)]
