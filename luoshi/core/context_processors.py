from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

# Navigation for every module; each entry is (label, url name, roles that see it).
_ALL = ("admin", "staff", "leader", "enterprise", "observer")
_GOV = ("admin", "staff", "leader")
NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("首页", "core:home", _ALL),
    ("行动方案", "plans:index", _GOV),
    ("我的任务", "supervision:my_tasks", ("staff",)),
    ("督查督办", "supervision:index", _GOV),
    ("企业诉求", "requests:index", _ALL),
    ("惠企政策", "policies:index", _ALL),
    ("重大项目", "projects:index", _GOV),
    ("监测分析", "dashboard:index", _GOV),
    ("组织机构", "orgs:index", ("admin", "leader")),
    ("工作日历", "calendar:index", ("admin", "staff", "leader")),
    ("通知", "supervision:notifications", _GOV),
    ("审计记录", "audit:index", ("admin", "leader")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = "admin" if user.is_superuser else user.role
    items = []
    for label, name, roles in NAV:
        if role in roles:
            url = reverse(name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {
        "nav_items": items,
        "role_label": user.get_role_display() if not user.is_superuser else "超级管理员",
    }
