"""Figures support policies provide to the monitoring dashboard (see luoshi/dashboard/providers.py).

Policy reach (政策直达) as of the period's last day, from dated facts: pushes made (matched = the firm
qualifies; near misses are pushed too), applications (applied_at), and grants with their amounts — both kinds:
an application granted by its department (Push.granted_at, granted_amount) and a 免申即享 payment
(Payout.paid_at, amount). Regions are the firms' regions; units are the paying departments. Record lists read through
`selectors.items(user)`, so a department sees only its own items' pushes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import subtree_q
from luoshi.accounts.models import User
from luoshi.dashboard.engine import Period, Tally
from luoshi.dashboard.providers import FigureSource, RecordList, RecordQuery, RecordRow, Row
from luoshi.policies import selectors
from luoshi.policies.models import Payout, PayoutState, Push, PushKind

SECTION = "惠企政策"
COLUMNS = ("企业", "政策事项", "推送类型", "推送时间", "已申报")
STAGES = (("matched", "匹配"), ("pushed", "推送"), ("applied", "申报"), ("granted", "兑现"))


def _end(period: Period) -> dt.datetime:
    return dt.datetime.combine(
        period.end + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
    )


def _grants(period: Period) -> tuple[QuerySet[Push], QuerySet[Payout]]:
    """Grants as of the period's end: applications granted (Push.granted_at) and 免申即享 payments paid."""
    end = _end(period)
    return (Push.objects.filter(granted_at__lt=end),
            Payout.objects.filter(state=PayoutState.PAID, paid_at__lt=end))


GRANT_KINDS = (("grant:applied", "申报兑现"), ("grant:automatic", "免申即享"))


def _grant_rows(period: Period, measure: str) -> Iterable[tuple[str, str, int | None, float]]:
    """(dimension, grant kind, region or unit id, count or 万元) for both kinds of grant."""
    granted, paid = _grants(period)
    for kind, qs, region, unit, amount in (
        ("grant:applied", granted, "enterprise__region_id", "item__department_id", "granted_amount"),
        ("grant:automatic", paid, "enterprise__region_id", "batch__item__department_id", "amount"),
    ):
        for dim, key in (("region", region), ("unit", unit)):
            for group_id, n, total in (
                qs.values(key).annotate(n=Count("pk"), s=Sum(amount)).values_list(key, "n", "s")
            ):
                value = float(n) if measure == "count" else float((total or Decimal(0)) / 10000)
                yield dim, kind, group_id, value


def _reach(period: Period) -> Iterable[Row]:
    end = _end(period)
    pushes = Push.objects.filter(created_at__lt=end)
    labels = dict(STAGES)
    for region_id, pushed, matched, applications in (
        pushes.values("enterprise__region_id")
        .annotate(
            pushed=Count("pk"),
            matched=Count("pk", filter=Q(kind=PushKind.QUALIFYING)),
            applied=Count("pk", filter=Q(applied_at__lt=end)),
        )
        .values_list("enterprise__region_id", "pushed", "matched", "applied")
    ):
        yield Row(Tally(pushed), region_id=region_id)
        for key, n in (("pushed", pushed), ("matched", matched), ("applied", applications)):
            yield Row(Tally(n), region_id=region_id, bucket=f"stage:{key}", bucket_label=labels[key])
    for dim, _kind, group_id, grants in _grant_rows(period, "count"):
        if dim == "region":
            yield Row(Tally(grants), region_id=group_id, bucket="stage:granted", bucket_label=labels["granted"])
    for unit_id, pushed in (
        pushes.values("item__department_id").annotate(pushed=Count("pk")).values_list("item__department_id", "pushed")
    ):
        yield Row(Tally(pushed), unit_id=unit_id)


def _by_kind(period: Period, measure: str) -> Iterable[Row]:
    labels = dict(GRANT_KINDS)
    for dim, kind, group_id, value in _grant_rows(period, measure):
        region_id, unit_id = (group_id, None) if dim == "region" else (None, group_id)
        yield Row(Tally(value), region_id=region_id, unit_id=unit_id)
        yield Row(Tally(value), region_id=region_id, unit_id=unit_id, bucket=kind, bucket_label=labels[kind])


def _granted(period: Period) -> Iterable[Row]:
    """Grants (户次): applications granted plus 免申即享 payments, bucketed by kind."""
    return _by_kind(period, "count")


def _amount(period: Period) -> Iterable[Row]:
    """Amounts granted, in 万元: applications granted (granted_amount) plus 免申即享 payments, bucketed by kind."""
    return _by_kind(period, "amount")


def _apply_rate(period: Period) -> Iterable[Row]:
    """Matched pushes that led to an application ÷ matched pushes (per paying department: rankable)."""
    end = _end(period)
    matched = Push.objects.filter(created_at__lt=end, kind=PushKind.QUALIFYING)
    applied = Q(applied_at__lt=end)
    for region_id, d, n in (
        matched.values("enterprise__region_id")
        .annotate(d=Count("pk"), n=Count("pk", filter=applied))
        .values_list("enterprise__region_id", "d", "n")
    ):
        yield Row(Tally(n, d), region_id=region_id)
    for unit_id, d, n in (
        matched.values("item__department_id")
        .annotate(d=Count("pk"), n=Count("pk", filter=applied))
        .values_list("item__department_id", "d", "n")
    ):
        yield Row(Tally(n, d), unit_id=unit_id)


def _records(user: User | None, query: RecordQuery) -> RecordList:
    end = _end(query.period)
    if user is None:
        from luoshi.policies.models import PolicyItem

        scoped = PolicyItem.objects.all()
    else:
        scoped = selectors.items(user)
    qs = Push.objects.filter(item__in=scoped, created_at__lt=end).select_related("enterprise", "item")
    if query.region is not None:
        qs = qs.filter(subtree_q(query.region, "enterprise__region"))
    if query.unit is not None:
        qs = qs.filter(item__department=query.unit)
    if query.bucket == "stage:matched":
        qs = qs.filter(kind=PushKind.QUALIFYING)
    elif query.bucket == "stage:applied":
        qs = qs.filter(applied_at__lt=end)
    elif query.bucket in ("stage:granted", "grant:applied", "grant:automatic"):
        paid = Payout.objects.filter(
            enterprise=OuterRef("enterprise"),
            batch__item=OuterRef("item"),
            state=PayoutState.PAID,
            paid_at__lt=end,
        )
        by_application = Q(granted_at__lt=end)
        qs = qs.filter(
            by_application if query.bucket == "grant:applied"
            else Exists(paid) if query.bucket == "grant:automatic"
            else by_application | Exists(paid)
        )
    qs = qs.distinct().order_by("-created_at", "-pk")
    rows = [
        RecordRow(
            (
                p.enterprise.name,
                p.item.title[:60],
                p.get_kind_display(),
                timezone.localtime(p.created_at).date(),
                "是" if p.applied_at else "否",
            ),
            reverse("policies:item", args=[p.item_id]),
        )
        for p in qs[query.offset : query.offset + query.limit]
    ]
    return RecordList(COLUMNS, rows, qs.count(), reverse("policies:reach"))


SOURCES = [
    FigureSource(
        key="policies.reach",
        label="政策推送",
        section=SECTION,
        kind="count",
        measure_unit="次",
        tally=_reach,
        records=_records,
        description="截至期末的政策推送(匹配、推送、申报、兑现各环节)",
        bucket_chart="bar",
        order=10,
        extra={"bucket_order": [f"stage:{k}" for k, _ in STAGES]},
    ),
    FigureSource(
        key="policies.granted",
        label="政策兑现",
        section=SECTION,
        kind="count",
        measure_unit="户次",
        tally=_granted,
        records=_records,
        description="截至期末已兑现的企业户次(申报兑现与免申即享拨付)",
        bucket_chart="bar",
        order=20,
    ),
    FigureSource(
        key="policies.amount",
        label="兑现金额",
        section=SECTION,
        kind="sum",
        measure_unit="万元",
        tally=_amount,
        records=_records,
        description="截至期末已兑现的资金(申报兑现与免申即享拨付)",
        bucket_chart="bar",
        order=30,
    ),
    FigureSource(
        key="policies.apply_rate",
        label="符合条件企业申报率",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        tally=_apply_rate,
        records=_records,
        description="推送给符合条件企业的政策中,企业已申报的比例",
        rankable=True,
        order=40,
    ),
]
