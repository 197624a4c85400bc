"""`{{ event.action|action_label }}`: a stored audit action in Chinese (``luoshi.audit.presentation``)."""

from __future__ import annotations

from django import template

from luoshi.audit.presentation import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)
