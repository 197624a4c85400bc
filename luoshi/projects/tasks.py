"""Background jobs: the daily project warning sweep (thin: it calls the service, which is idempotent)."""

from __future__ import annotations

from typing import Any

from luoshi.core.jobs import crontab, periodic_job


@periodic_job(crontab(hour="1", minute="20"), retries=2, retry_delay=300)
def projects_daily_sweep() -> dict[str, Any]:
    """Every night at 01:20: colour every project for today (re-running changes nothing)."""
    from luoshi.projects.services import projects_sweep

    return projects_sweep().as_dict()
