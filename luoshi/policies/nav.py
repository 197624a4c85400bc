"""policies's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.core.nav import NavItem

NAV = [NavItem("惠企政策", "policies:index", 50)]
