"""Audit events for people, on any page's history: `{{ events|presented }}` (presentation.present) and
`{{ event.action|action_label }}` (a stored action in Chinese)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from luoshi.audit.models import AuditEvent
from luoshi.audit.presentation import EventView, present
from luoshi.audit.presentation import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return _action_label(action)


@register.filter
def presented(events: Iterable[AuditEvent]) -> list[EventView]:
    return [present(e) for e in events]
