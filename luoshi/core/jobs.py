"""Background jobs on huey. Jobs are thin: they take ids, call one service, and are safe to run twice
(the service makes them idempotent). Define them in `<app>/tasks.py` with these decorators so the
audit trail records the change as coming from a job.

Embedded default: huey keeps jobs in `$LUOSHI_DATA_DIR/jobs.sqlite3` and `luoshi serve` runs a worker beside
the web server. Production: `REDIS_URL` switches huey to Redis; run `luoshi worker` processes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from luoshi.core.interface import Interface, interface

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["crontab", "job", "periodic_job"]


def _as_job[F: Callable[..., Any]](fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with interface(Interface.JOB):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def job(**huey_options: Any) -> Callable[[F], Any]:
    """A one-off job: `@job(retries=2)`; enqueue with `my_job(id)`."""

    def decorate(fn: F) -> Any:
        return db_task(**huey_options)(_as_job(fn))

    return decorate


def periodic_job(schedule: Any, **huey_options: Any) -> Callable[[F], Any]:
    """A periodic job: `@periodic_job(crontab(hour="1", minute="0"))`."""

    def decorate(fn: F) -> Any:
        return db_periodic_task(schedule, **huey_options)(_as_job(fn))

    return decorate
