"""Figures the projects app provides to the monitoring dashboard (see luoshi/dashboard/providers.py).

Stage and milestone figures count from the milestones' dated actual and planned dates as of the period's
end; the colours are today's (counted at refresh, frozen once the period is over). Record lists read
through `selectors.ledger(user, …)`, so they are scoped like the project ledger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import subtree_q
from luoshi.accounts.models import User
from luoshi.calendar.deadlines import Colour
from luoshi.dashboard.engine import Period, Tally
from luoshi.dashboard.providers import FigureSource, RecordList, RecordQuery, RecordRow, Row
from luoshi.projects import selectors
from luoshi.projects.models import (
    MILESTONE_ORDER,
    Milestone,
    MilestoneKind,
    Project,
    ProjectProblem,
    ProjectStatus,
)

SECTION = "重大项目"
COLUMNS = ("项目", "层级", "当前节点", "预警", "总投资(万元)")
TRACKED = (ProjectStatus.ACTIVE, ProjectStatus.OPERATING)
STAGE_LABEL = dict(MilestoneKind.choices)


def _stages(period: Period) -> dict[int, str]:
    """The furthest milestone each project had reached by the period's end ('' = none yet)."""
    reached: dict[int, str] = {}
    for project_id, kind in Milestone.objects.filter(
        actual_date__lte=period.end, project__status__in=TRACKED
    ).values_list("project_id", "kind"):
        if MILESTONE_ORDER.index(kind) >= MILESTONE_ORDER.index(reached.get(project_id, kind)):
            reached[project_id] = kind
    return reached


def _stage_tally(period: Period) -> Iterable[Row]:
    reached = _stages(period)
    counts: Counter[tuple[int, str]] = Counter()
    totals: Counter[int] = Counter()
    for pk, region_id in Project.objects.filter(status__in=TRACKED).values_list("pk", "region_id"):
        stage = reached.get(pk, "")
        counts[(region_id, stage)] += 1
        totals[region_id] += 1
    for (region_id, stage), n in counts.items():
        yield Row(
            Tally(n),
            region_id=region_id,
            bucket=f"stage:{stage or 'none'}",
            bucket_label=STAGE_LABEL.get(stage, "未签约"),
        )
    for region_id, n in totals.items():
        yield Row(Tally(n), region_id=region_id)


def _colour_tally(period: Period) -> Iterable[Row]:
    if period.end < timezone.localdate():  # a colour is today's state: unknown for a past day
        return
    totals: Counter[int] = Counter()
    for r in (
        Project.objects.filter(status=ProjectStatus.ACTIVE).exclude(colour="").values("region_id", "colour")
    ).annotate(n=Count("id")):
        totals[r["region_id"]] += r["n"]
        label = Colour(r["colour"]).label
        yield Row(Tally(r["n"]), region_id=r["region_id"], bucket=r["colour"], bucket_label=label)
    for region_id, n in totals.items():
        yield Row(Tally(n), region_id=region_id)


def _milestone_due(period: Period) -> Q:
    return Q(planned_date__lte=period.end, project__status__in=TRACKED)


def _milestone_on_time_tally(period: Period) -> Iterable[Row]:
    """Milestones planned by the period's end: reached on or before the planned date ÷ due."""
    hit = Q(actual_date__isnull=False, actual_date__lte=F("planned_date"))
    base = Milestone.objects.filter(_milestone_due(period))
    for r in base.values("project__region_id").annotate(d=Count("id"), n=Count("id", filter=hit)):
        yield Row(Tally(r["n"], r["d"]), region_id=r["project__region_id"])
    for unit_id, d, n in (
        base.values("project__units")
        .annotate(d=Count("id"), n=Count("id", filter=hit))
        .values_list("project__units", "d", "n")
    ):
        if unit_id is not None:
            yield Row(Tally(n, d), unit_id=unit_id)


def _open_problems_tally(period: Period) -> Iterable[Row]:
    from luoshi.dashboard.engine import period_containing

    end = period_containing("day", period.end)
    import datetime as dt

    from django.utils import timezone

    end_dt = dt.datetime.combine(
        end.end + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
    )
    base = ProjectProblem.objects.filter(raised_at__lt=end_dt).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=end_dt)
    )
    for r in base.values("project__region_id").annotate(n=Count("id")):
        yield Row(Tally(r["n"]), region_id=r["project__region_id"])
    for unit_id, n in base.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"):
        yield Row(Tally(n), unit_id=unit_id)


def _investment_tally(period: Period) -> Iterable[Row]:
    for r in Project.objects.filter(status__in=TRACKED).values("region_id").annotate(s=Sum("investment")):
        yield Row(Tally(float(r["s"] or 0)), region_id=r["region_id"])


def _records(user: User | None, query: RecordQuery) -> RecordList:
    qs: QuerySet[Project] = selectors.ledger(user, selectors.LedgerFilters())
    qs = qs.filter(status__in=TRACKED)
    if query.region is not None:
        qs = qs.filter(subtree_q(query.region))
    if query.unit is not None:
        qs = qs.filter(Q(units=query.unit) | Q(problems__unit=query.unit))
    bucket = query.bucket
    if bucket in ("green", "yellow", "red"):
        qs = qs.filter(colour=bucket, status=ProjectStatus.ACTIVE)
    elif bucket.startswith("stage:"):
        wanted = bucket.split(":", 1)[1]
        reached = _stages(query.period)
        ids = [pk for pk in qs.values_list("pk", flat=True) if reached.get(pk, "none") == wanted]
        qs = Project.objects.filter(pk__in=ids).select_related("region")
    qs = qs.distinct().order_by("region_id", "code")
    total = qs.count()
    rows = [
        RecordRow(
            (
                p.name,
                p.get_level_display(),
                p.get_stage_display() or "—",
                p.get_colour_display(),
                p.investment,
            ),
            reverse("projects:detail", args=[p.pk]),
        )
        for p in qs[query.offset : query.offset + query.limit]
    ]
    return RecordList(COLUMNS, rows, total, reverse("projects:index"))


SOURCES = [
    FigureSource(
        key="projects.by_stage",
        label="重大项目",
        section=SECTION,
        kind="count",
        measure_unit="个",
        tally=_stage_tally,
        records=_records,
        description="推进中和已投产的重大项目,按期末已到达的最远节点分组",
        bucket_chart="bar",
        order=10,
        extra={"bucket_order": ["stage:none", *[f"stage:{k}" for k in MILESTONE_ORDER]]},
    ),
    FigureSource(
        key="projects.colour",
        label="项目预警",
        section=SECTION,
        kind="count",
        measure_unit="个",
        tally=_colour_tally,
        records=_records,
        description="推进中项目的红黄绿分布(刷新时的状态,期末后冻结)",
        bucket_chart="ring",
        order=20,
    ),
    FigureSource(
        key="projects.milestone_on_time",
        label="节点按期率",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        tally=_milestone_on_time_tally,
        records=_records,
        description="计划日期在期末前的节点中,按计划日期或之前完成的比例",
        rankable=True,
        order=30,
    ),
    FigureSource(
        key="projects.open_problems",
        label="未解决问题",
        section=SECTION,
        kind="count",
        measure_unit="个",
        higher_is_better=False,
        tally=_open_problems_tally,
        records=_records,
        description="期末时已提出、尚未解决的项目问题",
        order=40,
    ),
    FigureSource(
        key="projects.investment",
        label="项目总投资",
        section=SECTION,
        kind="sum",
        measure_unit="万元",
        tally=_investment_tally,
        records=_records,
        description="推进中和已投产重大项目的总投资",
        order=50,
    ),
]
