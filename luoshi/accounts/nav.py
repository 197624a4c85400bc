"""What the user is, for templates that show or hide links (templates never compare roles): template context
for every page (``luoshi.core.nav``)."""

from __future__ import annotations

from typing import Any

from luoshi.accounts.access import is_office_admin, is_reader, is_staff_role
from luoshi.core.nav import NavItem

NAV = [NavItem("账号管理", "accounts:users", 120, is_office_admin)]


def context(user: Any) -> dict[str, Any]:
    return {
        "user_is": {"unit_staff": is_staff_role(user), "reader": is_reader(user), "office": is_office_admin(user)},
        "role_label": user.get_role_display() if not user.is_superuser else "超级管理员",
    }

