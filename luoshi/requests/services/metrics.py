"""Metrics per unit and period: 受理率, 按时签收率, 按时办结率, 解决率, 满意率, 重办率, the 7-day procedural reply rate and
the 3-month substantive answer rate, and the 好差评 summary; exported to .xlsx.

The page never scans the requests. Every figure is a ratio of counters (``METRIC_COUNTERS``) of the requests
received in a month, per region and lead unit, kept in a roll-up:

- on every state change (``post_save`` of a request, inside its transaction) the change of the request's
  counter vector is appended to ``MetricsDelta`` (insert-only: concurrent writers never wait on a counter row);
- ``metrics_fold`` (every 15 minutes) adds the deltas into ``MetricsSummary`` and deletes them;
- ``metrics_rebuild`` (nightly for the last four months — the 3-month answer window — and after bulk loads)
  recomputes a month from the requests, so a write that bypassed the ORM cannot leave the figures wrong for long.

``unit_metrics`` sums the summary rows and the not yet folded deltas of the month: a few hundred rows at most.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from luoshi.core.prepared import PreparedInsert
from luoshi.core.sanitize import xlsx_row
from luoshi.requests import access
from luoshi.requests.models import (
    METRIC_COUNTERS,
    MetricsDelta,
    MetricsSummary,
    Request,
    RequestStatus,
    Satisfaction,
)
from luoshi.requests.services.hotspots import period_bounds

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region

S = RequestStatus
REVIEWED = [
    S.ACCEPTED,
    S.REJECTED,
    S.TRANSFERRED,
    S.ASSIGNED,
    S.IN_PROGRESS,
    S.REPLIED,
    S.COMPLETED,
    S.ESCALATED,
    S.CLOSED,
]
ACCEPTED = [S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.REPLIED, S.COMPLETED, S.ESCALATED, S.CLOSED]
COLUMNS = [
    ("total", "诉求数"),
    ("acceptance", "受理率"),
    ("signin_on_time", "按时签收率"),
    ("completion_on_time", "按时办结率"),
    ("resolution", "解决率"),
    ("satisfaction", "满意率"),
    ("reopen", "重办率"),
    ("procedural_7d", "7日程序性回复率"),
    ("substantive_3m", "3个月实体性答复率"),
    ("good", "好评(满意)"),
    ("fair", "基本满意"),
    ("bad", "差评(不满意)"),
]


@dataclass(frozen=True)
class UnitMetrics:
    unit_id: int | None
    unit: str
    values: dict[str, Any]


def _rate(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def _aggregate() -> dict[str, Any]:
    return {
        "total": Count("pk"),
        "reviewed": Count("pk", filter=Q(status__in=REVIEWED)),
        "accepted": Count("pk", filter=Q(status__in=ACCEPTED)),
        "signed": Count("pk", filter=Q(signed_at__isnull=False)),
        "signed_on_time": Count("pk", filter=Q(signed_at__isnull=False, signed_at__lte=F("signin_due_at"))),
        "completed": Count("pk", filter=Q(completed_at__isnull=False)),
        "completed_on_time": Count(
            "pk", filter=Q(completed_at__isnull=False, completed_at__date__lte=F("due_on"))
        ),
        "resolved": Count("pk", filter=Q(resolved=True)),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "good": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "fair": Count("pk", filter=Q(satisfaction=Satisfaction.BASIC)),
        "bad": Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "reopened_completed": Count("pk", filter=Q(completed_at__isnull=False, reopen_count__gt=0)),
        "proc_ok": Count("pk", filter=Q(first_response_at__date__lte=F("procedural_due_on"))),
        "subst_ok": Count("pk", filter=Q(replied_at__date__lte=F("substantive_due_on"))),
    }


def _values(a: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "total": a["total"],
        "acceptance": _rate(a["accepted"], a["reviewed"]),
        "signin_on_time": _rate(a["signed_on_time"], a["signed"]),
        "completion_on_time": _rate(a["completed_on_time"], a["completed"]),
        "resolution": _rate(a["resolved"], a["completed"]),
        "satisfaction": _rate(a["good"] + a["fair"], a["rated"]),
        "reopen": _rate(a["reopened"], a["completed"] or a["rated"]),
        "procedural_7d": _rate(a["proc_ok"], a["total"]),
        "substantive_3m": _rate(a["subst_ok"], a["total"]),
        "good": a["good"],
        "fair": a["fair"],
        "bad": a["bad"],
    }


# --- the counter vector of one request (the same predicates as `_aggregate`, in Python) ---------------------
Key = tuple[int, int, str]  # (region id, lead unit id or 0, period)
_NEEDED = {
    "region_id",
    "lead_unit_id",
    "received_at",
    "status",
    "signed_at",
    "signin_due_at",
    "completed_at",
    "due_on",
    "resolved",
    "satisfaction",
    "reopen_count",
    "first_response_at",
    "procedural_due_on",
    "replied_at",
    "substantive_due_on",
}
UNKNOWN: Any = object()


def period_of(moment: dt.datetime) -> str:
    day = timezone.localdate(moment)
    return f"{day.year:04d}-{day.month:02d}"


def _on_or_before(moment: dt.datetime | None, day: dt.date | None) -> bool:
    return moment is not None and day is not None and timezone.localdate(moment) <= day


def contribution(req: Request) -> tuple[Key, tuple[int, ...]] | None:
    """Where `req` counts in the roll-up and what it adds there (None: not counted, e.g. not saved yet)."""
    if req.received_at is None or req.region_id is None:
        return None
    sat = req.satisfaction or ""
    vector = {
        "total": 1,
        "reviewed": req.status in REVIEWED,
        "accepted": req.status in ACCEPTED,
        "signed": req.signed_at is not None,
        "signed_on_time": req.signed_at is not None
        and req.signin_due_at is not None
        and req.signed_at <= req.signin_due_at,
        "completed": req.completed_at is not None,
        "completed_on_time": _on_or_before(req.completed_at, req.due_on),
        "resolved": req.resolved is True,
        "rated": sat != "",
        "good": sat == Satisfaction.SATISFIED,
        "fair": sat == Satisfaction.BASIC,
        "bad": sat == Satisfaction.UNSATISFIED,
        "reopened": (req.reopen_count or 0) > 0,
        "reopened_completed": req.completed_at is not None and (req.reopen_count or 0) > 0,
        "proc_ok": _on_or_before(req.first_response_at, req.procedural_due_on),
        "subst_ok": _on_or_before(req.replied_at, req.substantive_due_on),
    }
    key = (int(req.region_id), int(req.lead_unit_id or 0), period_of(req.received_at))
    return key, tuple(int(vector[c]) for c in METRIC_COUNTERS)


def remember(sender: Any, instance: Request, **kwargs: Any) -> None:
    """``post_init``: the vector as loaded, so the save after a change knows what to take away."""
    if instance.pk is None:
        instance._metrics_before = None  # type: ignore[attr-defined]
    elif _NEEDED & instance.get_deferred_fields():
        instance._metrics_before = UNKNOWN  # type: ignore[attr-defined]  # partial load: the nightly rebuild covers it
    else:
        instance._metrics_before = contribution(instance)  # type: ignore[attr-defined]


_INSERT_DELTA = PreparedInsert(MetricsDelta, returning=False)


def record_change(sender: Any, instance: Request, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """``post_save``: append the change of the request's vector (nothing when it did not change)."""
    if raw:
        return
    before = None if created else getattr(instance, "_metrics_before", UNKNOWN)
    after = contribution(instance)
    instance._metrics_before = after  # type: ignore[attr-defined]
    if before is UNKNOWN:
        logger.warning("request %s saved from a partial load: metrics wait for the nightly rebuild", instance.pk)
        return
    if before == after:
        return
    sums: dict[Key, list[int]] = defaultdict(lambda: [0] * len(METRIC_COUNTERS))
    if before is not None:
        for i, v in enumerate(before[1]):
            sums[before[0]][i] -= v
    if after is not None:
        for i, v in enumerate(after[1]):
            sums[after[0]][i] += v
    rows = [
        MetricsDelta(region_id=k[0], unit_key=k[1], period=k[2], **dict(zip(METRIC_COUNTERS, vec, strict=True)))
        for k, vec in sums.items()
        if any(vec)
    ]
    if len(rows) == 1:  # a request filed or moved within its key: one row, its INSERT compiled once (ADR 0130)
        _INSERT_DELTA.insert(rows[0], save=False)
    elif rows:
        MetricsDelta.objects.bulk_create(rows)


# --- the roll-up: fold and rebuild ----------------------------------------------------------------------------
def _add(key: Key, vec: list[int], now: dt.datetime) -> None:
    region_id, unit_key, period = key
    changes = {c: F(c) + v for c, v in zip(METRIC_COUNTERS, vec, strict=True) if v}
    if not changes:
        return
    row = MetricsSummary.objects.filter(period=period, region_id=region_id, unit_key=unit_key)
    if row.update(**changes, updated_at=now):
        return
    try:
        with transaction.atomic():
            MetricsSummary.objects.create(
                period=period,
                region_id=region_id,
                unit_key=unit_key,
                unit_id=unit_key or None,
                updated_at=now,
                **dict(zip(METRIC_COUNTERS, vec, strict=True)),
            )
    except IntegrityError:  # created meanwhile by a parallel fold
        row.update(**changes, updated_at=now)


def metrics_fold(batch: int = 5000) -> int:
    """Add the appended deltas into the summary and delete them, in batches; returns how many were folded.
    The batch's rows are locked (skipped by a parallel fold) and exactly those are deleted."""
    folded = 0
    last = 0
    skip_locked = bool(connection.features.has_select_for_update_skip_locked)
    while True:
        with transaction.atomic():
            rows = list(
                MetricsDelta.objects.select_for_update(skip_locked=skip_locked)
                .filter(pk__gt=last)
                .order_by("pk")
                .values("pk", "region_id", "unit_key", "period", *METRIC_COUNTERS)[:batch]
            )
            if not rows:
                return folded
            sums: dict[Key, list[int]] = defaultdict(lambda: [0] * len(METRIC_COUNTERS))
            for r in rows:
                vec = sums[(r["region_id"], r["unit_key"], r["period"])]
                for i, c in enumerate(METRIC_COUNTERS):
                    vec[i] += r[c]
            now = timezone.now()
            for key, vec in sums.items():
                _add(key, vec, now)
            MetricsDelta.objects.filter(pk__in=[r["pk"] for r in rows]).delete()
        last = rows[-1]["pk"]
        folded += len(rows)


def _months(first: dt.date, last: dt.date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def recent_periods(months: int = 4, today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return _months(first, today)


def _lock_deltas() -> None:
    """While months are recomputed, new deltas wait (PostgreSQL; SQLite has one writer anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {MetricsDelta._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def _summary_rows(rows: list[dict[str, Any]], now: dt.datetime) -> list[MetricsSummary]:
    return [
        MetricsSummary(
            period=r["period"],
            region_id=r["region_id"],
            unit_id=r["lead_unit_id"],
            unit_key=r["lead_unit_id"] or 0,
            updated_at=now,
            **{c: r[c] for c in METRIC_COUNTERS},
        )
        for r in rows
    ]


def metrics_rebuild(periods: list[str] | None = None) -> dict[str, Any]:
    """Recompute the summary of `periods` from the requests (None: everything, in one pass — after a bulk
    load). While it runs on PostgreSQL new deltas wait (the delta table is locked against inserts), so every
    change is counted exactly once: in the scan, or in a delta folded later. A month is read region by region
    through the (region, received_at) index."""
    from django.db.models.functions import TruncMonth

    from luoshi.orgs.models import Region

    metrics_fold()
    now = timezone.now()
    if periods is None:
        with transaction.atomic():
            _lock_deltas()
            rows = []
            for r in (
                Request.objects.annotate(month=TruncMonth("received_at", tzinfo=timezone.get_current_timezone()))
                .values("month", "region_id", "lead_unit_id")
                .annotate(**_aggregate())
                .order_by()
            ):
                day = timezone.localdate(r["month"]) if isinstance(r["month"], dt.datetime) else r["month"]
                rows.append({**r, "period": f"{day.year:04d}-{day.month:02d}"})
            MetricsSummary.objects.all().delete()
            MetricsDelta.objects.all().delete()
            MetricsSummary.objects.bulk_create(_summary_rows(rows, now), batch_size=2000)
        return {"periods": len({r["period"] for r in rows}), "rows": len(rows)}
    made = 0
    region_ids = list(Region.objects.values_list("pk", flat=True))
    for period in periods:
        start, end = period_bounds(period)
        with transaction.atomic():
            _lock_deltas()
            rows = []
            for region_id in region_ids:
                rows += [
                    {**r, "period": period}
                    for r in Request.objects.filter(
                        region_id=region_id, received_at__gte=start, received_at__lt=end
                    )
                    .values("region_id", "lead_unit_id")
                    .annotate(**_aggregate())
                    .order_by()
                ]
            MetricsSummary.objects.filter(period=period).delete()
            MetricsDelta.objects.filter(period=period).delete()
            MetricsSummary.objects.bulk_create(_summary_rows(rows, now))
        made += len(rows)
    return {"periods": len(periods), "rows": made}


def month_sums(periods: list[str], fields: list[str]) -> list[dict[str, Any]]:
    """The roll-up's counters `fields` of the requests received in the months `periods`, summed per (region,
    lead unit): summary rows plus the deltas not folded yet, so a change is counted as soon as it is committed.
    A month with requests but no roll-up (before the roll-up existed, or emptied by a migration) is rebuilt
    once first. Rows are {"region_id", "unit_key", **fields} (unit_key 0: not routed yet)."""
    sums: dict[tuple[int, int], dict[str, int]] = {}
    for period in periods:
        if not MetricsSummary.objects.filter(period=period).exists() and not MetricsDelta.objects.filter(
            period=period
        ).exists():
            start, end = period_bounds(period)
            if Request.objects.filter(received_at__gte=start, received_at__lt=end).exists():
                metrics_rebuild([period])
    for model in (MetricsSummary, MetricsDelta):
        for r in (
            model.objects.filter(period__in=periods)
            .values("region_id", "unit_key")
            .annotate(**{f: Sum(f) for f in fields})
            .order_by()
        ):
            row: Mapping[str, Any] = r
            acc = sums.setdefault((row["region_id"], row["unit_key"]), dict.fromkeys(fields, 0))
            for f in fields:
                acc[f] += int(row[f] or 0)
    return [{"region_id": k[0], "unit_key": k[1], **v} for k, v in sums.items()]


# --- the page -------------------------------------------------------------------------------------------------
def _visible_region_ids(user: User | None, region: Region) -> list[int]:
    ids = access.subtree_ids(region)
    if user is None or user.is_superuser:
        return ids
    if user.region_id is None and user.unit_id is not None:
        own = set(access.subtree_ids(user.unit.region)) if user.unit else set()
    else:
        own = set(access.subtree_ids(user.region)) if user.region else set()
    return [i for i in ids if i in own]


def _unit_scope(user: User | None) -> int | None:
    """None: every unit (office, leaders); a unit's staff see their own unit's row only."""
    if access.is_office(user) or access.is_leader(user):
        return None
    return int(user.unit_id or -1) if user is not None else None


def _sums(model: Any, period: str, region_ids: list[int], unit: int | None) -> dict[int, dict[str, int]]:
    qs = model.objects.filter(period=period, region_id__in=region_ids)
    if unit is not None:
        qs = qs.filter(unit_key=unit)
    return {
        r["unit_key"]: r
        for r in qs.values("unit_key").annotate(**{c: Sum(c) for c in METRIC_COUNTERS}).order_by()
    }


def unit_metrics(*, user: User | None, region: Region, period: str) -> tuple[list[UnitMetrics], UnitMetrics]:
    """Rows per lead unit for requests received in `period` (YYYY-MM), and the region's total row, from the
    roll-up (summary + unfolded deltas)."""
    start, end = period_bounds(period)
    region_ids = _visible_region_ids(user, region)
    unit = _unit_scope(user)
    if (
        region_ids
        and not MetricsSummary.objects.filter(period=period).exists()
        and not MetricsDelta.objects.filter(period=period).exists()
        and Request.objects.filter(received_at__gte=start, received_at__lt=end).exists()
    ):
        metrics_rebuild([period])  # a month from before the roll-up existed: built once, then kept
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRIC_COUNTERS, 0))
    for model in (MetricsSummary, MetricsDelta):
        for key, r in _sums(model, period, region_ids, unit).items():
            for c in METRIC_COUNTERS:
                counts[key][c] += int(r[c] or 0)
    from luoshi.orgs.models import Unit

    names = dict(Unit.objects.filter(pk__in=[k for k in counts if k]).values_list("pk", "name"))
    live = [(k, v) for k, v in counts.items() if any(v.values())]
    live.sort(key=lambda kv: (kv[0] == 0, names.get(kv[0], "")))
    out = [UnitMetrics(k or None, names.get(k, "(未分办)") if k else "(未分办)", _values(v)) for k, v in live]
    total = {c: sum(v[c] for _, v in live) for c in METRIC_COUNTERS}
    return out, UnitMetrics(None, "合计", _values(total))


def metrics_xlsx(rows: list[UnitMetrics], total: UnitMetrics, period: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"诉求办理指标{period}"
    ws.append(xlsx_row(ws, ["单位", *[label for _, label in COLUMNS]]))
    for r in [*rows, total]:
        ws.append(xlsx_row(ws, [r.unit, *[r.values[key] for key, _ in COLUMNS]]))
    ws.column_dimensions["A"].width = 32
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
