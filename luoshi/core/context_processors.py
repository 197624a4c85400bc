from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from luoshi.core.discovery import declared_modules
from luoshi.core.nav import HOME, NavItem


def nav_items() -> list[NavItem]:
    """Every app's declared entries (``nav_module``: ``NAV``), by their order; 首页 first."""
    items = [HOME]
    for module in declared_modules("nav_module"):
        items.extend(getattr(module, "NAV", ()))
    return sorted(items, key=lambda item: item.order)


def active_entry_url(path: str, urls: list[str]) -> str | None:
    """The one entry a page belongs to: the longest entry URL that is the path's prefix (首页 only for "/").

    /supervision/mine/ lies under both 督查督办 (/supervision/) and 我的任务 (/supervision/mine/); only the
    nearer one is highlighted.
    """
    matches = [url for url in urls if (path == url if url == "/" else path.startswith(url))]
    return max(matches, key=len, default=None)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in nav_items():
        if entry.visible(user):
            item: dict[str, Any] = {"label": entry.label, "url": reverse(entry.url_name), "active": False}
            if entry.badge is not None:
                item["badge"] = entry.badge(user)
            items.append(item)
    current = active_entry_url(request.path, [item["url"] for item in items])
    for item in items:
        item["active"] = item["url"] == current
    context: dict[str, Any] = {"nav_items": items}
    for module in declared_modules("nav_module"):
        if hasattr(module, "context"):
            context.update(module.context(user))
    return context
