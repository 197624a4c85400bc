"""`{% requests_nav as nav %}`: which links of the requests sub-navigation the user gets (rules in access.py)."""

from __future__ import annotations

from typing import Any

from django import template

from luoshi.requests.access import nav_flags

register = template.Library()


@register.simple_tag(takes_context=True)
def requests_nav(context: Any) -> dict[str, bool]:
    return nav_flags(context.get("user"))
