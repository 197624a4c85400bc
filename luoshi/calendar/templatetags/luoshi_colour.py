"""``{% colour_badge value %}``: the kernel's one colour label as a badge, for every domain's pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from luoshi.calendar.deadlines import Colour

register = template.Library()


@register.simple_tag
def colour_badge(value: object) -> str:
    """红灯 / 黄灯 / 绿灯 / 未评估 from a stored colour value (an unknown value shows as 未评估)."""
    try:
        colour = Colour(str(value or ""))
    except ValueError:
        colour = Colour.NONE
    css = f"badge {colour.value}" if colour.value else "badge"
    return format_html('<span class="{}">{}</span>', css, colour.label)
