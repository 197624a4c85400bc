"""Figures supervision provides to the monitoring dashboard (see luoshi/dashboard/providers.py).

Every tally counts from dated facts as of the period's last day — a task's deadline, the day it was signed
off, the day a report was due — so a past period always gives the same numbers. The colours are the one
exception (the colour is today's state): they are counted when the summary is refreshed and frozen once the
period is over. Record lists read through `selectors.task_ledger(user)`, so they are scoped like the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import subtree_q
from luoshi.accounts.models import User
from luoshi.calendar.deadlines import Colour
from luoshi.dashboard.engine import Period, Tally
from luoshi.dashboard.providers import Escalated, FigureSource, RecordList, RecordQuery, RecordRow, Row
from luoshi.orgs.models import Unit
from luoshi.supervision import selectors
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.models import (
    OPEN_STATUSES,
    Assignment,
    MissedReport,
    ProgressReport,
    Task,
    TaskStatus,
)

SECTION = "督查督办"


def _end_dt(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone())


def _existing(period: Period, prefix: str = "") -> Q:
    """Tasks that existed at the period's end and were not cancelled."""
    return Q(**{f"{prefix}created_at__lt": _end_dt(period.end)}) & ~Q(
        **{f"{prefix}status": TaskStatus.CANCELLED}
    )


def _due(period: Period, prefix: str = "") -> Q:
    return _existing(period, prefix) & Q(**{f"{prefix}ongoing": False, f"{prefix}deadline__lte": period.end})


def _on_time(prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}status": TaskStatus.SIGNED_OFF,
            f"{prefix}signed_off_on__lte": F(f"{prefix}deadline"),
        }
    )


def _overdue(period: Period, prefix: str = "") -> Q:
    """Past the deadline at the period's end and not signed off by then."""
    not_done = Q(**{f"{prefix}signed_off_on__isnull": True}) | Q(**{f"{prefix}signed_off_on__gt": period.end})
    return (
        _existing(period, prefix)
        & Q(**{f"{prefix}ongoing": False, f"{prefix}deadline__lt": period.end})
        & not_done
    )


def _signed_off(period: Period, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": TaskStatus.SIGNED_OFF, f"{prefix}signed_off_on__lte": period.end})


def _section_of(path: object) -> str:
    if isinstance(path, list) and path:
        return str(path[0])[:100]
    return "(未分章节)"


def _grouped(
    period: Period, num: Q, den: Q | None, *, buckets: bool = True, rate: bool = True
) -> Iterable[Row]:
    """Rows per region, per unit (through active assignments), per plan and per section of each region."""
    base = Task.objects.filter(den if den is not None else num)
    agg = {"n": Count("id", filter=num)} if den is not None else {"n": Count("id")}
    for region_id, d, n in (
        base.values("region_id").annotate(d=Count("id"), **agg).values_list("region_id", "d", "n")
    ):
        yield Row(Tally(n, d if rate else None), region_id=region_id)
    prefixed_num = _prefix(num)
    a_base = Assignment.objects.filter(active=True).filter(_prefix(den if den is not None else num))
    a_agg = {"n": Count("id", filter=prefixed_num)} if den is not None else {"n": Count("id")}
    for unit_id, d, n in (
        a_base.values("unit_id").annotate(d=Count("id"), **a_agg).values_list("unit_id", "d", "n")
    ):
        yield Row(Tally(n, d if rate else None), unit_id=unit_id)
    if not buckets:
        return
    hit = {"n": Count("id", filter=num)} if den is not None else {"n": Count("id")}
    for region_id, plan_id, title, d, n in (
        base.values("region_id", "plan_id", "plan__title")
        .annotate(d=Count("id"), **hit)
        .values_list("region_id", "plan_id", "plan__title", "d", "n")
    ):
        yield Row(
            Tally(n, d if rate else None), region_id=region_id, bucket=f"plan:{plan_id}", bucket_label=title
        )
    # the section is the first element of the task's path (the plan's part heading), read in SQL
    for region_id, section, d, n in (
        base.annotate(section=KT("path__0"))
        .values("region_id", "section")
        .annotate(d=Count("id"), **hit)
        .values_list("region_id", "section", "d", "n")
    ):
        label = _section_of([section] if section else [])
        yield Row(
            Tally(n, d if rate else None), region_id=region_id, bucket=f"section:{label}", bucket_label=label
        )


def _prefix(q: Q) -> Q:
    """The same condition on Assignment rows (every field through `task__`)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefix(child))
        else:
            name, value = child  # type: ignore[misc]
            if isinstance(value, F):
                value = F(f"task__{value.name}")  # type: ignore[attr-defined]
            out.children.append((f"task__{name}", value))
    return out


# --- record lists --------------------------------------------------------------------------------------------
COLUMNS = ("任务", "牵头单位", "完成时限", "状态", "预警")


def _records(user: User | None, query: RecordQuery, condition: Q) -> RecordList:
    qs: QuerySet[Task] = selectors.task_ledger(user).filter(condition)
    if query.region is not None:
        qs = qs.filter(subtree_q(query.region))
    if query.unit is not None:
        qs = qs.filter(assignments__unit=query.unit, assignments__active=True)
    bucket = query.bucket
    if bucket.startswith("plan:"):
        qs = qs.filter(plan_id=int(bucket.split(":", 1)[1]))
    elif bucket in ("green", "yellow", "red"):
        qs = qs.filter(colour=bucket)
    rows_qs = qs.distinct().order_by("plan_id", "seq", "id")
    if bucket.startswith("section:"):
        wanted = bucket.split(":", 1)[1]
        ids = [pk for pk, path in rows_qs.values_list("pk", "path") if _section_of(path) == wanted]
        rows_qs = Task.objects.filter(pk__in=ids).order_by("plan_id", "seq", "id")
    total = rows_qs.count()
    rows = [
        RecordRow(
            (
                t.title[:80],
                t.lead_units_text[:60],
                t.deadline or "长期",
                t.get_status_display(),
                t.get_colour_display(),
            ),
            reverse("supervision:task_detail", args=[t.pk]),
        )
        for t in rows_qs[query.offset : query.offset + query.limit]
    ]
    return RecordList(COLUMNS, rows, total, reverse("supervision:index"))


# --- figures -------------------------------------------------------------------------------------------------
def _signed_off_tally(period: Period) -> Iterable[Row]:
    return _grouped(period, _signed_off(period), None, rate=False)


def _on_time_tally(period: Period) -> Iterable[Row]:
    return _grouped(period, _on_time(), _due(period))


def _overdue_tally(period: Period) -> Iterable[Row]:
    return _grouped(period, _overdue(period), None, rate=False)


def _overdue_share_tally(period: Period) -> Iterable[Row]:
    return _grouped(period, _overdue(period), _due(period), buckets=False)


def _held_tally(period: Period) -> Iterable[Row]:
    return _grouped(period, _existing(period), None, buckets=False, rate=False)


def _overdue_days_tally(period: Period) -> Iterable[Row]:
    """For the heat calendar: tasks whose deadline passed unsigned, by the day they became overdue."""
    qs = Task.objects.filter(_overdue(period), deadline__gte=period.start - dt.timedelta(days=1))
    for region_id, deadline, n in (
        qs.values("region_id", "deadline").annotate(n=Count("id")).values_list("region_id", "deadline", "n")
    ):
        day: dt.date = deadline + dt.timedelta(days=1)  # type: ignore[operator,assignment]
        if day <= period.end:
            yield Row(
                Tally(n),
                region_id=region_id,
                bucket=f"day:{day.isoformat()}",
                bucket_label=str(day),
            )
    for region_id, n in (
        Task.objects.filter(_overdue(period))
        .values("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    ):
        yield Row(Tally(n), region_id=region_id)


def _timeliness_tally(period: Period) -> Iterable[Row]:
    """Reports due in the period: on time ÷ (filed by the period's end + still missing at its end).

    Each report that was due counts once, on its due day: filed by the period's end (on time when filed by the
    due day, which `late` records at filing), or missing at the period's end (a MissedReport not yet resolved
    then; its late report, filed after the period, is not counted again). So the tally of a quarter or year is
    the sum of its months' (`additive`), and a past period recomputed later says what it said at its end."""
    rq = Q(due_date__gte=period.start, due_date__lte=period.end)
    end = _end_dt(period.end)
    on_time: Counter[tuple[str, int]] = Counter()
    expected: Counter[tuple[str, int]] = Counter()
    for unit_id, region_id, total, ok in (
        ProgressReport.objects.filter(rq, submitted_at__lt=end)
        .values("unit_id", "task__region_id")
        .annotate(t=Count("id"), o=Count("id", filter=Q(late=False)))
        .values_list("unit_id", "task__region_id", "t", "o")
    ):
        for key in (("u", unit_id), ("r", region_id)):
            expected[key] += total
            on_time[key] += ok
    for unit_id, region_id, n in (
        MissedReport.objects.filter(rq)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=end))
        .values("unit_id", "task__region_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "task__region_id", "n")
    ):
        expected[("u", unit_id)] += n
        expected[("r", region_id)] += n
    for (kind, pk), total in expected.items():
        tally = Tally(on_time[(kind, pk)], total)
        yield Row(tally, unit_id=pk) if kind == "u" else Row(tally, region_id=pk)


def _colour_tally(period: Period) -> Iterable[Row]:
    if period.end < timezone.localdate():  # a colour is today's state: unknown for a past day
        return
    live = Task.objects.filter(status__in=(*OPEN_STATUSES, TaskStatus.SIGN_OFF_REQUESTED)).exclude(colour="")
    totals: Counter[int] = Counter()
    for r in live.values("region_id", "colour").annotate(n=Count("id")):
        totals[r["region_id"]] += r["n"]
        label = Colour(r["colour"]).label
        yield Row(Tally(r["n"]), region_id=r["region_id"], bucket=r["colour"], bucket_label=label)
    for region_id, n in totals.items():
        yield Row(Tally(n), region_id=region_id)
    ua: Counter[int] = Counter()
    for unit_id, colour, n in (
        Assignment.objects.filter(active=True, task__in=live)
        .values("unit_id", "task__colour")
        .annotate(n=Count("id"))
        .values_list("unit_id", "task__colour", "n")
    ):
        ua[unit_id] += n
        yield Row(Tally(n), unit_id=unit_id, bucket=colour)
    for unit_id, n in ua.items():
        yield Row(Tally(n), unit_id=unit_id)


def _targets_tally(period: Period) -> Iterable[Row]:
    """Numeric targets of the tasks (量化目标) achieved by the period's end (latest actual per unit, summed)."""
    from luoshi.supervision.services import target_achievement

    tasks = {
        pk: (region_id, targets)
        for pk, region_id, targets in Task.objects.filter(_existing(period))
        .exclude(targets=[])
        .values_list("pk", "region_id", "targets")
        if targets
    }
    latest: dict[tuple[int, int], list[dict[str, object]]] = {}
    for task_id, assignment_id, actuals in (
        ProgressReport.objects.filter(task_id__in=list(tasks), period_end__lte=period.end)
        .order_by("task_id", "assignment_id", "-period_start")
        .values_list("task_id", "assignment_id", "actuals")
    ):
        latest.setdefault((task_id, assignment_id), actuals or [])
    set_: Counter[int] = Counter()
    met: Counter[int] = Counter()
    for pk, (region_id, targets) in tasks.items():
        acts = [a for (t, _), values in latest.items() if t == pk for a in values]
        for target in targets:
            metric = target.get("metric")
            values = [float(a["value"]) for a in acts if a.get("metric") == metric]  # type: ignore[arg-type]
            achieved = target_achievement(target, sum(values) if values else None)
            set_[region_id] += 1
            met[region_id] += 1 if achieved is not None and achieved >= 100 else 0
    for region_id, n in set_.items():
        yield Row(Tally(met[region_id], n), region_id=region_id)


def _escalate(user: User | None, unit: Unit, period: Period) -> Escalated:
    """Open a 督办单 to `unit` about its overdue or red tasks (supervision's public notice service)."""
    from luoshi.calendar.services import calendar_for
    from luoshi.core.errors import ValidationFailed
    from luoshi.supervision.services import notice_issue

    today = timezone.localdate()
    tasks = list(
        selectors.task_ledger(user)
        .filter(assignments__unit=unit, assignments__active=True)
        .filter(_overdue(Period("day", today, today)) | Q(colour="red"))
        .distinct()[:50]
    )
    if not tasks:
        raise ValidationFailed(
            f"{unit.name}当前没有逾期或红灯任务,无需督办。", code=SupervisionError.NO_ESCALATION_CANDIDATES
        )
    notice = notice_issue(
        user=user,
        unit=unit,
        tasks=tasks,
        reply_deadline=calendar_for(unit.region).add_workdays(today, 5).date,
        requirement=f"监测发现{unit.name}有 {len(tasks)} 项任务逾期或亮红灯,请于回复期限前报送整改情况。",
    )
    return Escalated(
        url=reverse("supervision:notice_detail", args=[notice.pk]),
        done=f"已向{unit.name}发出督办单 {notice.number}。",
    )


def _records_for(condition_of: object) -> object:
    def records(user: User | None, query: RecordQuery) -> RecordList:
        return _records(user, query, condition_of(query.period))  # type: ignore[operator]

    return records


SOURCES = [
    FigureSource(
        key="supervision.on_time_rate",
        label="按期完成率",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        tally=_on_time_tally,
        records=_records_for(_due),  # type: ignore[arg-type]
        description="期末前到期的任务中,在完成时限内销号的比例(按完成时限、销号日期计算)",
        rankable=True,
        bucket_chart="bar",
        escalate=_escalate,
        order=10,
    ),
    FigureSource(
        key="supervision.signed_off",
        label="已销号任务",
        section=SECTION,
        kind="count",
        measure_unit="项",
        tally=_signed_off_tally,
        records=_records_for(_signed_off),  # type: ignore[arg-type]
        description="期末前已销号的任务数",
        order=20,
    ),
    FigureSource(
        key="supervision.overdue",
        label="逾期未销号",
        section=SECTION,
        kind="count",
        measure_unit="项",
        higher_is_better=False,
        tally=_overdue_tally,
        records=_records_for(_overdue),  # type: ignore[arg-type]
        description="期末时已过完成时限仍未销号的任务数",
        bucket_chart="bar",
        escalate=_escalate,
        order=30,
    ),
    FigureSource(
        key="supervision.overdue_share",
        label="逾期任务占比",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        higher_is_better=False,
        tally=_overdue_share_tally,
        records=_records_for(_overdue),  # type: ignore[arg-type]
        description="逾期未销号任务 ÷ 期末前到期的任务",
        headline=False,
        rankable=True,
        escalate=_escalate,
        order=35,
    ),
    FigureSource(
        key="supervision.held",
        label="承担任务",
        section=SECTION,
        kind="count",
        measure_unit="项",
        tally=_held_tally,
        records=_records_for(_existing),  # type: ignore[arg-type]
        description="期末时存在且未撤销的任务(单位按有效分工计)",
        headline=False,
        order=5,
    ),
    FigureSource(
        key="supervision.overdue_days",
        label="逾期发生日历",
        section=SECTION,
        kind="count",
        measure_unit="项",
        higher_is_better=False,
        tally=_overdue_days_tally,
        records=_records_for(_overdue),  # type: ignore[arg-type]
        description="按逾期发生日(完成时限次日)统计的逾期未销号任务",
        headline=False,
        bucket_chart="calendar",
        stock=False,
        order=36,
    ),
    FigureSource(
        key="supervision.report_timeliness",
        label="按时报送率",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        tally=_timeliness_tally,
        records=_records_for(_existing),  # type: ignore[arg-type]
        description="本期应报进展中按时报送的比例(未报视为未按时)",
        rankable=True,
        escalate=_escalate,
        stock=False,
        additive=True,  # each expected report counts once, on its due day (see _timeliness_tally)
        order=40,
    ),
    FigureSource(
        key="supervision.colour",
        label="在办任务预警",
        section=SECTION,
        kind="count",
        measure_unit="项",
        tally=_colour_tally,
        records=_records_for(lambda p: Q(status__in=(*OPEN_STATUSES, TaskStatus.SIGN_OFF_REQUESTED))),  # type: ignore[arg-type]
        description="在办任务的红黄绿分布(刷新时的状态,期末后冻结)",
        bucket_chart="ring",
        escalate=_escalate,
        order=50,
    ),
    FigureSource(
        key="supervision.targets",
        label="量化目标达成",
        section=SECTION,
        kind="rate",
        measure_unit="%",
        tally=_targets_tally,
        records=_records_for(lambda p: _existing(p) & ~Q(targets=[])),  # type: ignore[arg-type]
        description="任务量化目标中已达成的比例(各单位最近一次填报的完成值之和对照目标值)",
        order=60,
    ),
]
