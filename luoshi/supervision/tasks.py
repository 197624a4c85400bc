"""Background jobs of supervision (huey). Thin: each calls one service and is safe to run twice."""

from __future__ import annotations

from typing import Any

from luoshi.core.jobs import crontab, periodic_job


@periodic_job(crontab(hour="1", minute="30"))
def daily_sweep() -> dict[str, Any]:
    """The daily warning sweep (01:30 Asia/Shanghai): missed reports, colours, reminders."""
    from luoshi.supervision.services import sweep

    return sweep().summary()
