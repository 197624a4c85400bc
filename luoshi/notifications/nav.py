"""notifications's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.core.nav import NavItem
from luoshi.notifications.selectors import unread_count

NAV = [NavItem("通知", "notifications:index", 100, badge=unread_count)]
