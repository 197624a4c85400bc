"""Audit event types as enums: each app declares its own in ``<app>/events.py`` and passes a member as the
``action`` of ``audit.services.record``; the stored value is the member's plain string (``"task.created"``).

Every member carries a Chinese label, so the audit trail can be shown to people::

    class TaskEvent(Event):
        CREATED = "task.created", "生成任务"

``event_label("task.created") -> "生成任务"`` looks a stored value up among every app's declared events
(``LuoshiAppConfig.events_module``); an unknown value is shown as it is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Self


class Labelled(StrEnum):
    """A string enum whose members are ``VALUE = "value", "中文标签"`` (notification kinds, audit events)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class Event(Labelled):
    """An audit event type: value ``"<subject>.<what happened>"`` and a Chinese ``label``."""


def event_types(module: Any) -> list[type[Event]]:
    """The audit event enums defined in `module`: its ``Event`` subclasses (notification kinds, plain
    ``Labelled`` enums, are not audit events)."""
    return [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, Event) and v is not Event and v.__module__ == module.__name__
    ]


@dataclass(frozen=True)
class DeclaredEvent:
    value: str
    label: str


@functools.cache
def all_events() -> dict[str, DeclaredEvent]:
    """Every declared event type of every installed luoshi app, by stored value."""
    from luoshi.core.discovery import declared_modules

    out: dict[str, DeclaredEvent] = {}
    for module in declared_modules("events_module"):
        for enum in event_types(module):
            for member in enum:
                value = str(member.value)
                if value in out:
                    raise RuntimeError(f"audit event {value!r} is declared twice")
                out[value] = DeclaredEvent(value, member.label)
    return out


def event_label(value: str) -> str:
    """The Chinese label of a stored audit action (the value itself when no app declares it)."""
    member = all_events().get(value)
    return member.label if member is not None and member.label else value
