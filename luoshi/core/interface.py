"""Which interface a change came through (page, API, command, job), for the audit trail.

Set once at the edge (middleware, CLI entry point, job wrapper); read by `audit.services.record`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum


class Interface(StrEnum):
    PAGE = "page"
    API = "api"
    COMMAND = "command"
    JOB = "job"


_current: ContextVar[Interface] = ContextVar("luoshi_interface", default=Interface.COMMAND)


def current_interface() -> Interface:
    return _current.get()


@contextmanager
def interface(value: Interface) -> Iterator[None]:
    token = _current.set(value)
    try:
        yield
    finally:
        _current.reset(token)
