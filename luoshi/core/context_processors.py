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


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for entry in nav_items():
        if entry.visible(user):
            url = reverse(entry.url_name)
            active = request.path == url if url == "/" else request.path.startswith(url)
            item: dict[str, Any] = {"label": entry.label, "url": url, "active": active}
            if entry.badge is not None:
                item["badge"] = entry.badge(user)
            items.append(item)
    context: dict[str, Any] = {"nav_items": items}
    for module in declared_modules("nav_module"):
        if hasattr(module, "context"):
            context.update(module.context(user))
    return context
