"""Background jobs of supervision (huey). Thin: each calls one service and is safe to run twice."""

from __future__ import annotations

from typing import Any

from luoshi.core.jobs import crontab, job, periodic_job


@periodic_job(crontab(hour="1", minute="30"))
def daily_sweep() -> dict[str, Any]:
    """The daily warning sweep (01:30 Asia/Shanghai): missed reports, colours, reminders."""
    from luoshi.supervision.services import sweep

    return sweep().summary()


@job(retries=3, retry_delay=60)
def deliver_notifications() -> dict[str, int]:
    """Send waiting email/SMS notifications (each claimed before sending, so never twice)."""
    from luoshi.supervision.notifications import deliver_pending

    return deliver_pending()


@periodic_job(crontab(minute="*/10"))
def deliver_notifications_periodically() -> dict[str, int]:
    """Retry what failed and pick up anything enqueued while no worker ran."""
    from luoshi.supervision.notifications import deliver_pending

    return deliver_pending()
