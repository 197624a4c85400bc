"""supervision's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.accounts.access import is_government, is_staff_role
from luoshi.core.nav import NavItem

NAV = [
    NavItem("我的任务", "supervision:my_tasks", 20, is_staff_role),
    NavItem("督查督办", "supervision:index", 30, is_government),
]
