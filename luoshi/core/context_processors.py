from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from luoshi.accounts.access import is_government, is_office_admin, is_reader, is_staff_role

# Navigation for every module; each entry is (label, url name, who sees it — a predicate of luoshi.accounts.access).
_ALL: Callable[[Any], bool] = bool
NAV: list[tuple[str, str, Callable[[Any], bool]]] = [
    ("首页", "core:home", _ALL),
    ("行动方案", "plans:index", is_government),
    ("我的任务", "supervision:my_tasks", is_staff_role),
    ("督查督办", "supervision:index", is_government),
    ("企业诉求", "requests:index", _ALL),
    ("惠企政策", "policies:index", _ALL),
    ("重大项目", "projects:index", is_government),
    ("监测分析", "dashboard:index", is_government),
    ("组织机构", "orgs:index", is_reader),
    ("工作日历", "calendar:index", is_government),
    ("通知", "notifications:index", _ALL),
    ("审计记录", "audit:index", is_reader),
    ("账号管理", "accounts:users", is_office_admin),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, sees in NAV:
        if sees(user):
            url = reverse(name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            item: dict[str, Any] = {"label": label, "url": url, "active": active}
            if name == "notifications:index":
                from luoshi.notifications.selectors import unread_count

                item["badge"] = unread_count(user)
            items.append(item)
    return {
        "nav_items": items,
        # what the user is, for templates that show or hide links (templates never compare roles)
        "user_is": {"unit_staff": is_staff_role(user), "reader": is_reader(user), "office": is_office_admin(user)},
        "role_label": user.get_role_display() if not user.is_superuser else "超级管理员",
    }
