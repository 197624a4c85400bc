"""Figures enterprise requests provide to the monitoring dashboard (see luoshi/dashboard/providers.py).

Volumes count requests received in the period (by channel and by category); on-time, satisfaction and reopen
rates count the requests due / received in the period from their dated fields (due_on, completed_at,
received_at), so a past period always gives the same numbers. Record lists read through
`selectors.request_list(user)`, so they are scoped like the request ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import subtree_q
from luoshi.accounts.models import User
from luoshi.dashboard.engine import Period, Tally
from luoshi.dashboard.providers import FigureSource, RecordList, RecordQuery, RecordRow, Row
from luoshi.requests import selectors
from luoshi.requests.models import Category, Channel, Hotspot, Request, Satisfaction

SECTION = "企业诉求"
CHANNEL_LABEL = dict(Channel.choices)
CATEGORY_LABEL = dict(Category.choices)
COLUMNS = ("诉求", "企业", "渠道", "类别", "状态", "办结时限")


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(period.start, dt.time(), tzinfo=tz),
        dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=tz),
    )


def _received(period: Period) -> Q:
    start, end = _bounds(period)
    return Q(received_at__gte=start, received_at__lt=end)


def _due(period: Period) -> Q:
    return Q(due_on__gte=period.start, due_on__lte=period.end)


def _grouped(base: QuerySet[Request], num: Q | None, *, rate: bool) -> Iterable[Row]:
    agg = {"n": Count("pk", filter=num)} if num is not None else {"n": Count("pk")}
    for region_id, d, n in (
        base.values("region_id").annotate(d=Count("pk"), **agg).values_list("region_id", "d", "n")
    ):
        yield Row(Tally(n, d if rate else None), region_id=region_id)
    for unit_id, d, n in (
        base.exclude(lead_unit__isnull=True)
        .values("lead_unit_id")
        .annotate(d=Count("pk"), **agg)
        .values_list("lead_unit_id", "d", "n")
    ):
        yield Row(Tally(n, d if rate else None), unit_id=unit_id)


def _by(field: str, labels: dict[str, str]) -> Callable[[Period], Iterable[Row]]:
    def tally(period: Period) -> Iterable[Row]:
        base = Request.objects.filter(_received(period))
        yield from _grouped(base, None, rate=False)
        for region_id, value, n in (
            base.values("region_id", field).annotate(n=Count("pk")).values_list("region_id", field, "n")
        ):
            yield Row(
                Tally(n),
                region_id=region_id,
                bucket=f"{field}:{value}",
                bucket_label=labels.get(value, value),
            )

    return tally


def _on_time(period: Period) -> Iterable[Row]:
    """Requests due in the period: completed on or before their due day ÷ due."""
    _, end = _bounds(period)
    # completed on or before the due day = before the local midnight after it, one bound per due day: plain
    # comparisons (`completed_at__date` is a Python function call per row on SQLite)
    tz = timezone.get_current_timezone()
    by_due_day = Q()
    day = period.start
    while day <= period.end:
        by_due_day |= Q(due_on=day, completed_at__lt=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz))
        day += dt.timedelta(days=1)
    done = Q(completed_at__isnull=False, completed_at__lt=end) & by_due_day
    return _grouped(Request.objects.filter(_due(period)), done, rate=True)


def _roll_up_months(period: Period) -> list[str] | None:
    """The months of the metrics roll-up that hold exactly the requests received in `period` as of now: the
    period starts on a month's first day and ends on a month's last day, or on today or later (nothing has been
    received after now). None: the period cuts a month (a week), so it is tallied from the requests."""
    if period.start.day != 1:
        return None
    if (period.end + dt.timedelta(days=1)).day != 1 and period.end < timezone.localdate():
        return None
    out, day = [], period.start
    while day <= period.end:
        out.append(f"{day.year:04d}-{day.month:02d}")
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _rolled_up(months: list[str], num: tuple[str, ...], den: str) -> Iterable[Row]:
    """Rate rows (per region, per lead unit) from the roll-up's counters: sum(num) ÷ den; a region or unit
    with nothing in the denominator has no row, as in the tally from the requests."""
    from luoshi.requests.services.metrics import month_sums

    regions: dict[int, list[int]] = {}
    units: dict[int, list[int]] = {}
    for r in month_sums(months, [*num, den]):
        n, d = sum(r[f] for f in num), r[den]
        for acc in (regions.setdefault(r["region_id"], [0, 0]),) + (
            (units.setdefault(r["unit_key"], [0, 0]),) if r["unit_key"] else ()
        ):
            acc[0] += n
            acc[1] += d
    for region_id, (n, d) in regions.items():
        if d:
            yield Row(Tally(n, d), region_id=region_id)
    for unit_id, (n, d) in units.items():
        if d:
            yield Row(Tally(n, d), unit_id=unit_id)


def _satisfaction(period: Period) -> Iterable[Row]:
    """Requests received in the period and rated: 满意 + 基本满意 ÷ rated (whole months from the roll-up)."""
    months = _roll_up_months(period)
    if months is not None:
        return _rolled_up(months, ("good", "fair"), "rated")
    base = Request.objects.filter(_received(period)).exclude(satisfaction="")
    good = Q(satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))
    return _grouped(base, good, rate=True)


def _reopen(period: Period) -> Iterable[Row]:
    """Requests received in the period and completed: reopened at least once ÷ completed (whole months from
    the roll-up)."""
    months = _roll_up_months(period)
    if months is not None:
        return _rolled_up(months, ("reopened_completed",), "completed")
    base = Request.objects.filter(_received(period), completed_at__isnull=False)
    return _grouped(base, Q(reopen_count__gt=0), rate=True)


def _hotspots(period: Period) -> Iterable[Row]:
    """Requests received in the period that belong to a hotspot (a cluster made into a task), read from the
    membership table (a few requests per hotspot), never by scanning the period's requests."""
    member_ids = sorted(set(Hotspot.requests.through.objects.values_list("request_id", flat=True)))
    start, end = _bounds(period)
    regions: Counter[int] = Counter()
    units: Counter[int] = Counter()
    for i in range(0, len(member_ids), 2000):
        for region_id, unit_id in Request.objects.filter(
            pk__in=member_ids[i : i + 2000], received_at__gte=start, received_at__lt=end
        ).values_list("region_id", "lead_unit_id"):
            regions[region_id] += 1
            if unit_id is not None:
                units[unit_id] += 1
    for region_id, n in regions.items():
        yield Row(Tally(n), region_id=region_id)
    for unit_id, n in units.items():
        yield Row(Tally(n), unit_id=unit_id)


def _records_for(condition: Callable[[Period], Q]) -> Callable[[User | None, RecordQuery], RecordList]:
    def records(user: User | None, query: RecordQuery) -> RecordList:
        qs = selectors.request_list(user).filter(condition(query.period))
        if query.region is not None:
            qs = qs.filter(subtree_q(query.region))
        if query.unit is not None:
            qs = qs.filter(lead_unit=query.unit)
        if ":" in query.bucket:
            field, value = query.bucket.split(":", 1)
            if field in ("channel", "category"):
                qs = qs.filter(**{field: value})
        qs = qs.distinct().order_by("-received_at", "-pk")
        rows = [
            RecordRow(
                (
                    f"{r.number} {r.title[:60]}",
                    r.enterprise_name,
                    r.get_channel_display(),
                    r.get_category_display(),
                    r.get_status_display(),
                    r.due_on or "—",
                ),
                reverse("requests:detail", args=[r.pk]),
            )
            for r in qs[query.offset : query.offset + query.limit]
        ]
        return RecordList(COLUMNS, rows, qs.count(), reverse("requests:index"))

    return records


SOURCES = [
    FigureSource(
        key="requests.by_channel",
        label="诉求受理量",
        section=SECTION,
        kind="count",
        measure_unit="件",
        tally=_by("channel", CHANNEL_LABEL),
        records=_records_for(_received),
        description="本期收到的企业诉求,按来源渠道分组",
        bucket_chart="bar",
        stock=False,
        additive=True,
        order=10,
    ),
    FigureSource(
        key="requests.by_category",
        label="诉求类别",
        section=SECTION,
        kind="count",
        measure_unit="件",
        tally=_by("category", CATEGORY_LABEL),
        records=_records_for(_received),
        description="本期收到的企业诉求,按诉求类别分组",
        headline=False,
        bucket_chart="bar",
        stock=False,
        additive=True,
        order=15,
    ),
    FigureSource(
        key="requests.on_time_rate",
        label="诉求按时办结率",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        tally=_on_time,
        records=_records_for(_due),
        description="办结时限在本期的诉求中,在时限内办结的比例",
        rankable=True,
        stock=False,
        additive=True,
        order=20,
    ),
    FigureSource(
        key="requests.satisfaction",
        label="诉求满意率",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        tally=_satisfaction,
        records=_records_for(lambda p: _received(p) & ~Q(satisfaction="")),
        description="本期收到并已回访评价的诉求中,满意和基本满意的比例",
        rankable=True,
        stock=False,
        order=30,
    ),
    FigureSource(
        key="requests.reopen_rate",
        label="诉求重办率",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        higher_is_better=False,
        tally=_reopen,
        records=_records_for(lambda p: _received(p) & Q(reopen_count__gt=0)),
        description="本期收到并已办结的诉求中,被退回重办过的比例",
        stock=False,
        order=40,
    ),
    FigureSource(
        key="requests.hotspots",
        label="热点诉求",
        section=SECTION,
        kind="count",
        measure_unit="件",
        higher_is_better=False,
        tally=_hotspots,
        records=_records_for(lambda p: _received(p) & Q(hotspots__isnull=False)),
        description="本期收到、已归入热点(同类诉求转为督办任务)的诉求",
        stock=False,
        order=50,
    ),
]
