"""Background jobs of enterprise requests (huey). Thin: each calls one service and is safe to run twice."""

from __future__ import annotations

from typing import Any

from luoshi.core.jobs import crontab, job, periodic_job


@periodic_job(crontab(minute="*/15"), retries=2, retry_delay=60)
def overdue_sweep() -> dict[str, Any]:
    """Overdue sign-in / reply / completion onto the accountability list (every 15 minutes: sign-in limits are in
    working hours)."""
    from luoshi.requests.services.sweep import sweep

    return sweep().summary()


@periodic_job(crontab(minute="*/15"), retries=2, retry_delay=60)
def metrics_fold() -> int:
    """Fold the appended metric deltas into the roll-up the metrics page reads (every 15 minutes)."""
    from luoshi.requests.services.metrics import metrics_fold as fold

    return fold()


@periodic_job(crontab(hour="1", minute="40"), retries=2, retry_delay=300)
def metrics_rebuild() -> dict[str, Any]:
    """Recompute the last four months of the metrics roll-up from the requests (nightly; the 3-month answer
    window keeps those months moving)."""
    from luoshi.requests.services.metrics import metrics_rebuild as rebuild
    from luoshi.requests.services.metrics import recent_periods

    return rebuild(recent_periods(4))


@periodic_job(crontab(hour="2", minute="10"))
def retrain_routing() -> dict[str, int]:
    """Retrain the routing model of every region that has confirmed assignments (nightly)."""
    from luoshi.orgs.models import Region
    from luoshi.requests.models import Request
    from luoshi.requests.services.routing import routing_train

    trained = 0
    region_ids = (
        Request.objects.filter(signed_at__isnull=False).values_list("region_id", flat=True).distinct()
    )
    for region in Region.objects.filter(pk__in=list(region_ids)):
        trained += int(routing_train(region=region) is not None)
    return {"trained": trained}


@job(retries=2, retry_delay=30)
def train_region(region_id: int) -> bool:
    from luoshi.orgs.models import Region
    from luoshi.requests.services.routing import routing_train

    return routing_train(region=Region.objects.get(pk=region_id)) is not None


@periodic_job(crontab(hour="3", minute="20"), retries=2, retry_delay=300)
def erase_expired_contacts() -> int:
    from luoshi.requests.services.privacy import erase_expired_contacts as erase

    return erase()


@job(retries=3, retry_delay=10)
def notify_office_of_new() -> int:
    """Tell the office of the requests filed since the last run, all at once (queued at most once a second per
    web process after intakes: ADR 110). Safe to run twice: a request is told once (its flag and the event key)."""
    from luoshi.requests.notify import office_of_new

    return office_of_new()


@periodic_job(crontab(minute="*"), retries=2, retry_delay=30)
def notify_office_of_new_periodically() -> int:
    """The safety net of `notify_office_of_new`: anything filed while no job was queued or run."""
    from luoshi.requests.notify import office_of_new

    return office_of_new()
