"""Background jobs of notifications (huey): deliver the email/SMS outbox, send the daily digests."""

from __future__ import annotations

from luoshi.core.jobs import crontab, job, periodic_job


@job(retries=3, retry_delay=60)
def deliver_notifications() -> dict[str, int]:
    """Send waiting email/SMS notifications (each claimed before sending, so never twice)."""
    from luoshi.notifications.services import deliver_pending

    return deliver_pending()


@periodic_job(crontab(minute="*/10"), retries=2, retry_delay=60)
def deliver_notifications_periodically() -> dict[str, int]:
    """Retry what failed and pick up anything enqueued while no worker ran."""
    from luoshi.notifications.services import deliver_pending

    return deliver_pending()


@periodic_job(crontab(hour="8", minute="0"), retries=2, retry_delay=300)
def send_daily_digests() -> dict[str, int]:
    """08:00 Asia/Shanghai: one email per person who asked for a daily digest."""
    from luoshi.notifications.services import send_digests

    return send_digests()
