"""The request figures of the monitoring dashboard (luoshi/requests/metrics.py) as the half-hourly incremental
refresh keeps them: request writes are audited under the app label `enterprise_requests`, so they must mark the
request figures changed; satisfaction and reopen rates of whole months come from the metrics roll-up (with its
unfolded deltas), weeks from the requests; hotspots from the membership table. All requests are received today,
so the week's figures (tallied from the requests) must equal the month's (summed from the roll-up)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

Figures = dict[tuple[Any, ...], tuple[Any, ...]]


def _open_periods() -> list[Any]:
    from django.utils import timezone

    from luoshi.dashboard import services

    return services.periods_to_refresh(timezone.localdate(), {"week": 1, "month": 1, "quarter": 1, "year": 1})


def _in(periods: list[Any]) -> Q:
    q = Q()
    for p in periods:
        q |= Q(period_kind=p.kind, period_start=p.start)
    return q


def _figures(periods: list[Any]) -> Figures:
    from luoshi.dashboard.models import FigureSnapshot

    return {
        (r[0], r[1], r[2], r[3], r[4], r[5]): (r[6], r[7], r[8])
        for r in FigureSnapshot.objects.filter(_in(periods), key__startswith="requests.").values_list(
            "key", "bucket", "region_id", "unit_id", "period_kind", "period_start", "numerator", "denominator", "value"
        )
    }


def _value(figures: Figures, key: str, kind: str, region: Any) -> tuple[Any, ...]:
    return next(v for k, v in figures.items() if k[0] == key and k[1] == "" and k[2] == region.pk and k[4] == kind)


def _completed(users: dict[str, Any], signed: Callable[..., Any], i: int) -> Any:
    from luoshi.requests import services

    req = signed(
        title=f"园区道路积水严重{i}", text=f"工业园区纬三路雨后积水严重,货车无法通行,影响企业生产第{i}次反映。"
    )
    req = services.request_reply(user=users["staff"], request=req, text="已协调城管部门排水")
    return services.request_complete(user=users["staff"], request=req, resolved=True)


def _hotspot(users: dict[str, Any], regions: dict[str, Any], reqs: list[Any]) -> Any:
    from luoshi.requests.services import hotspots

    return hotspots.hotspot_to_task(
        user=users["admin"],
        region=regions["jingmen"],
        period=f"{reqs[0].received_at:%Y-%m}",
        request_ids=[r.pk for r in reqs],
        label="园区道路积水",
    )


def test_incremental_refresh_after_ratings_reopens_and_a_growing_hotspot_equals_a_refresh_from_scratch(
    users: dict[str, Any], regions: dict[str, Any], units: dict[str, Any], signed: Callable[..., Any]
) -> None:
    from luoshi.dashboard import services
    from luoshi.dashboard.models import FigureSnapshot
    from luoshi.requests import services as rs
    from luoshi.requests.models import MetricsDelta, Request
    from luoshi.requests.services.metrics import metrics_fold

    periods = _open_periods()
    jm = regions["jingmen"]
    reqs = [_completed(users, signed, i) for i in range(4)]
    services.refresh(periods=periods)  # yesterday's state, as the nightly job leaves it
    before = _figures(periods)
    assert _value(before, "requests.reopen_rate", "month", jm)[:2] == (0, 4)
    assert not any(k[0] == "requests.satisfaction" for k in before)  # nothing rated yet

    # ratings: 满意, 基本满意, and 不满意 → 重办 (leaves the completed count until completed again)
    rs.request_revisit(user=users["enterprise"], request=reqs[0], satisfaction="satisfied")
    rs.request_revisit(user=users["enterprise"], request=reqs[1], satisfaction="basic")
    reopened = rs.request_revisit(
        user=users["enterprise"], request=reqs[2], satisfaction="unsatisfied", comment="积水仍未解决"
    )
    assert reopened.reopen_count == 1 and reopened.completed_at is None
    _hotspot(users, regions, reqs[:2])
    first = services.refresh(periods=periods, incremental=True)
    assert not any(":requests." in u for u in first.unchanged)  # the request writes were seen
    mid = _figures(periods)
    assert mid != before
    for kind in ("week", "month", "quarter", "year"):
        assert _value(mid, "requests.satisfaction", kind, jm)[:2] == (2, 3)  # 不满意 counts as rated
        assert _value(mid, "requests.reopen_rate", kind, jm)[:2] == (0, 3)
        assert _value(mid, "requests.hotspots", kind, jm)[0] == 2

    # the reopened request is done again and rated 不满意 a second time (提级); the hotspot grows to three
    again = rs.request_sign(user=users["staff"], request=reopened)
    again = rs.request_reply(user=users["staff"], request=again, text="已疏通排水管网")
    again = rs.request_complete(user=users["staff"], request=again, resolved=True)
    rs.request_revisit(user=users["enterprise"], request=again, satisfaction="unsatisfied", comment="仍积水")
    _hotspot(users, regions, reqs[:3])
    assert MetricsDelta.objects.exists()  # not folded: the roll-up's pending deltas count
    second = services.refresh(periods=periods, incremental=True)
    assert not any(":requests." in u for u in second.unchanged)
    incremental = _figures(periods)

    rated = Request.objects.exclude(satisfaction="")
    good = rated.filter(satisfaction__in=("satisfied", "basic")).count()
    completed = Request.objects.filter(completed_at__isnull=False)
    for kind in ("week", "month", "quarter", "year"):  # week from the requests, the others from the roll-up
        assert _value(incremental, "requests.satisfaction", kind, jm)[:2] == (good, rated.count()) == (2, 3)
        assert _value(incremental, "requests.reopen_rate", kind, jm)[:2] == (
            completed.filter(reopen_count__gt=0).count(),
            completed.count(),
        ) == (1, 4)
        assert _value(incremental, "requests.hotspots", kind, jm)[0] == 3
    unit_rows = {k[0]: v for k, v in incremental.items() if k[3] == units["jm_fgw"].pk and k[4] == "month"}
    assert unit_rows["requests.satisfaction"][:2] == (2, 3) and unit_rows["requests.reopen_rate"][:2] == (1, 4)

    # the same rows as a refresh from scratch, before and after the deltas are folded
    FigureSnapshot.objects.filter(_in(periods), key__startswith="requests.").delete()
    services.refresh(periods=periods)
    assert _figures(periods) == incremental
    metrics_fold()
    assert not MetricsDelta.objects.exists()
    services.refresh(periods=periods)
    assert _figures(periods) == incremental


def test_request_figures_depend_on_the_app_label_the_audit_trail_writes(
    users: dict[str, Any], file_request: Callable[..., Any]
) -> None:
    from luoshi.audit.models import AuditEvent
    from luoshi.dashboard import providers

    file_request()
    written = {t.split(".", 1)[0] for t in AuditEvent.objects.values_list("subject_type", flat=True)}
    assert "enterprise_requests" in written
    request_sources = [s for s in providers.sources() if s.key.startswith("requests.")]
    assert request_sources
    assert all(providers.depends_on(s)[0] == "enterprise_requests" for s in request_sources)


def test_the_incremental_refresh_reads_the_audit_trail_once_per_period(
    users: dict[str, Any], signed: Callable[..., Any]
) -> None:
    from luoshi.dashboard import services

    periods = _open_periods()
    _completed(users, signed, 0)
    services.refresh(periods=periods)
    with CaptureQueriesContext(connection) as ctx:
        result = services.refresh(periods=periods, incremental=True)
    audit_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "audit_auditevent"' in q["sql"]]
    assert len(audit_reads) == len(periods) == 4
    assert len(result.unchanged) > 0  # nothing written since: figures kept
