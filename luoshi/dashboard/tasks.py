"""Background jobs of the dashboard (huey). Thin: each calls `services.refresh` and is safe to run twice (a
refresh replaces the rows of the periods it recomputes; closed periods already stored are kept)."""

from __future__ import annotations

from typing import Any

from luoshi.core.jobs import crontab, periodic_job

OPEN_ONLY = {"week": 1, "month": 1, "quarter": 1, "year": 1}


@periodic_job(crontab(hour="2", minute="10"), retries=2, retry_delay=300)
def nightly_refresh() -> dict[str, Any]:
    """After the warning sweeps (01:20 projects, 01:30 supervision): the open periods, and any closed period
    of the backfill window not stored yet (so the period that just ended is frozen with its final numbers)."""
    from luoshi.dashboard.services import refresh

    return refresh().summary()


@periodic_job(crontab(minute="*/30", hour="7-22"), retries=1, retry_delay=120)
def refresh_open_periods() -> dict[str, Any]:
    """Incremental during office hours: only the periods that contain today, and in them only the figures
    whose domain the audit trail shows written since they were computed (ADR 0080)."""
    from django.utils import timezone

    from luoshi.dashboard.services import periods_to_refresh, refresh

    return refresh(periods=periods_to_refresh(timezone.localdate(), OPEN_ONLY), incremental=True).summary()
