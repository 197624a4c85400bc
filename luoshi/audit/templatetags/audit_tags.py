"""`{{ events|presented }}`: audit events as people read them (presentation.present), for any page's history."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from luoshi.audit.models import AuditEvent
from luoshi.audit.presentation import EventView, present

register = template.Library()


@register.filter
def presented(events: Iterable[AuditEvent]) -> list[EventView]:
    return [present(e) for e in events]
