"""Background jobs of supervision (huey). Thin: each calls one service and is safe to run twice."""

from __future__ import annotations

from typing import Any

from luoshi.core.jobs import crontab, job, periodic_job


@periodic_job(crontab(hour="1", minute="30"), retries=2, retry_delay=300)
def daily_sweep() -> dict[str, Any]:
    """The daily warning sweep (01:30 Asia/Shanghai): missed reports, colours, reminders."""
    from luoshi.supervision.services import sweep

    return sweep().summary()


@job(retries=2, retry_delay=60)
def take_scoreboard_snapshot() -> int:
    """After a sweep: the scoreboard's task figures of the current month, kept at the current stamp (so the
    first page of the morning reads them instead of aggregating). Returns the number of figure rows."""
    from django.utils import timezone

    from luoshi.supervision import periods, selectors

    return len(selectors.task_figures(periods.period_containing("monthly", timezone.localdate())))
