"""Scoped reads: every function takes the user and returns only what that user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from luoshi.accounts.access import (
    is_reader,
    is_staff_role,
    is_unit_staff,
    own_unit,
    region_subtree_ids,
    region_subtree_q,
    require_role,
)
from luoshi.accounts.models import Role, User
from luoshi.audit.selectors import events_for
from luoshi.core.errors import AccessDenied, NotFound, ValidationFailed
from luoshi.orgs.models import Region
from luoshi.supervision import periods
from luoshi.supervision.access import require_see_task, task_scope_q, visible_tasks
from luoshi.supervision.models import (
    OPEN_STATUSES,
    Assignment,
    Attachment,
    MissedReport,
    ProgressReport,
    Review,
    ReviewDecision,
    SupervisionNotice,
    SweepRun,
    Task,
    TaskStatus,
)

# --- tasks ---------------------------------------------------------------------------------------------------


@dataclass
class LedgerFilters:
    plan: int | None = None
    unit: int | None = None
    status: str = ""
    colour: str = ""
    q: str = ""


def task_ledger(user: User | None, filters: LedgerFilters | None = None) -> QuerySet[Task]:
    f = filters or LedgerFilters()
    qs = visible_tasks(user).select_related("plan")
    if f.plan:
        qs = qs.filter(plan_id=f.plan)
    if f.unit:
        qs = qs.filter(assignments__unit_id=f.unit, assignments__active=True)
    if f.status == "overdue":  # 逾期 is derived
        qs = qs.filter(status__in=OPEN_STATUSES, ongoing=False, deadline__lt=timezone.localdate())
    elif f.status:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.exclude(status=TaskStatus.CANCELLED)
    if f.colour:
        qs = qs.filter(colour=f.colour)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(text__icontains=f.q) | Q(lead_units_text__icontains=f.q))
    return qs.order_by("plan_id", "seq", "id")


def task_get(user: User | None, pk: int) -> Task:
    task = Task.objects.select_related("plan", "region").filter(pk=pk).first()
    if task is None:
        raise NotFound("未找到该任务,或您无权查看。")
    require_see_task(user, task)
    return task


@dataclass
class TaskDetail:
    task: Task
    assignments: list[Assignment]
    reports: list[ProgressReport]
    reviews: list[Review]
    notices: list[SupervisionNotice]
    events: Any
    targets: list[dict[str, Any]]
    missed: list[MissedReport]
    assessment: Any
    my_assignment: Assignment | None = None
    open_periods: list[periods.Period] = field(default_factory=list)


def task_detail(user: User | None, pk: int) -> TaskDetail:
    from luoshi.supervision.services.common import assess_task
    from luoshi.supervision.services.reports import periods_open_for, task_target_progress

    task = task_get(user, pk)
    assignments = list(task.assignments.select_related("unit").order_by("-is_lead", "id"))
    reports = list(
        ProgressReport.objects.filter(task=task)
        .select_related("unit", "submitted_by")
        .prefetch_related("attachments")
        .order_by("-period_start", "unit_id")[:100]
    )
    mine = None
    if user is not None and is_staff_role(user):
        mine = next((a for a in assignments if a.unit_id == user.unit_id and a.active), None)
    today = timezone.localdate()
    return TaskDetail(
        task=task,
        assignments=assignments,
        reports=reports,
        reviews=list(task.reviews.select_related("by")),
        notices=list(task.notices.select_related("unit")),
        events=events_for(task)[:200],
        targets=task_target_progress(task),
        missed=list(task.missed.select_related("unit").order_by("-period_start")[:50]),
        assessment=None if task.status == TaskStatus.CANCELLED else assess_task(task, today),
        my_assignment=mine,
        open_periods=periods_open_for(task, today) if mine and task.status in OPEN_STATUSES else [],
    )


def attachment_get(user: User | None, pk: int) -> Attachment:
    """An attachment the user may download: one whose task the user may see."""
    row = Attachment.objects.select_related("report__task__region").filter(pk=pk).first()
    if row is None:
        raise NotFound("未找到该附件,或您无权下载。")
    try:
        require_see_task(user, row.report.task)
    except NotFound as exc:
        raise NotFound("未找到该附件,或您无权下载。") from exc
    return row


def assignment_get_for_filing(user: User | None, pk: int) -> Assignment:
    row = Assignment.objects.select_related("task", "unit").filter(pk=pk).first()
    if row is None or (user is not None and is_staff_role(user) and not own_unit(user, row)):
        raise NotFound("未找到该分工,或它不属于您的单位。")
    require_see_task(user, row.task)
    return row


@dataclass
class DueItem:
    assignment: Assignment
    period: periods.Period
    due: dt.date
    reported: bool
    missed_open: int


def my_tasks(user: User, today: dt.date | None = None) -> list[DueItem]:
    """The unit's open assignments with the report due now (the latest ended period, or the current one)."""
    if not is_unit_staff(user) or user.unit_id is None:
        raise AccessDenied("“我的任务”仅供部门工作人员使用。")
    from luoshi.supervision.services.common import add_workdays, plan_thresholds

    today = today or timezone.localdate()
    rows = list(
        Assignment.objects.filter(unit_id=user.unit_id, active=True, task__status__in=OPEN_STATUSES)
        .select_related("task", "task__plan", "task__region")
        .annotate(missed_open=Count("missed", filter=Q(missed__resolved_at__isnull=True)))
        .order_by("task__deadline", "task_id")[:500]
    )
    wanted: list[tuple[Any, periods.Period]] = []
    for a in rows:
        current = periods.period_containing(a.task.reporting_cycle, today)
        prev = periods.previous_period(a.task.reporting_cycle, current)
        wanted.append((a, prev if prev.start >= a.task.start_date else current))
    starts = {p.start for _, p in wanted}
    reported = set(
        ProgressReport.objects.filter(
            assignment__in=[a for a, _ in wanted], period_start__in=starts
        ).values_list("assignment_id", "period_start")
    )
    grace: dict[int, int] = {}
    out = []
    for a, p in wanted:
        if a.task.plan_id not in grace:
            grace[a.task.plan_id] = plan_thresholds(a.task.plan_id).report_grace_workdays
        due = add_workdays(a.task.region, p.end, grace[a.task.plan_id])
        out.append(DueItem(a, p, due, (a.pk, p.start) in reported, a.missed_open))  # type: ignore[attr-defined]
    out.sort(key=lambda d: (d.reported, d.due))
    return out


def notices_for(user: User | None) -> QuerySet[SupervisionNotice]:
    qs = SupervisionNotice.objects.select_related("unit", "issued_by")
    if user is None or user.is_superuser:
        return qs
    if is_reader(user):
        return qs.filter(region_subtree_q(user))
    if is_staff_role(user):
        return qs.filter(unit_id=user.unit_id or 0)
    return qs.none()


def notice_get(user: User | None, pk: int) -> SupervisionNotice:
    row = notices_for(user).filter(pk=pk).first()
    if row is None:
        raise NotFound("未找到该督办单,或您无权查看。")
    return row


def sweep_status() -> dict[str, Any]:
    run = SweepRun.objects.order_by("-date").first()
    if run is None:
        return {"date": None, "counts": {}, "finished_at": None, "runs": 0}
    return {
        "date": run.date.isoformat(),
        "counts": run.counts,
        "runs": run.runs,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def colour_counts(user: User | None) -> dict[str, int]:
    rows = (
        visible_tasks(user)
        .exclude(status=TaskStatus.CANCELLED)
        .values_list("colour")
        .annotate(n=Count("id"))
        .values_list("colour", "n")
    )
    return {c or "none": n for c, n in rows}


# --- scoreboards ---------------------------------------------------------------------------------------------
SCORE_FORMULA = (
    "综合得分 = 40 × 按期完成率 + 30 × 按时报送率 + 30 × (1 − 逾期任务占比) − 5 × 退回次数(最低 0 分)。"
    "按期完成率 = 到期任务中按期销号的比例;按时报送率 = 本期应报进展中按时报送的比例;"
    "逾期任务占比 = 逾期未销号任务 ÷ 承担任务;无到期任务或无应报进展时该项按满分计。"
)


@dataclass
class UnitScore:
    unit_id: int
    unit: str
    held: int = 0
    due: int = 0
    done_on_time: int = 0
    overdue: int = 0
    reports_expected: int = 0
    reports_on_time: int = 0
    returns: int = 0

    @property
    def completion_rate(self) -> float | None:
        return self.done_on_time / self.due if self.due else None

    @property
    def timeliness(self) -> float | None:
        return self.reports_on_time / self.reports_expected if self.reports_expected else None

    @property
    def score(self) -> float:
        c = 1.0 if self.completion_rate is None else self.completion_rate
        t = 1.0 if self.timeliness is None else self.timeliness
        o = self.overdue / self.held if self.held else 0.0
        return round(max(0.0, 40 * c + 30 * t + 30 * (1 - o) - 5 * self.returns), 1)


def parse_period(text: str) -> periods.Period:
    try:
        year, month = (int(x) for x in text.split("-"))
        return periods.period_containing("monthly", dt.date(year, month, 1))
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(f"期间“{text}”格式不对,请写成 YYYY-MM(如 2026-05)。") from exc


def _scope_region_ids(user: User | None) -> list[int] | None:
    if user is None or user.is_superuser:
        return None
    require_role(user, Role.ADMIN, Role.LEADER, action="查看单位排名与调度通报")
    if user.region is None:
        return []
    return region_subtree_ids(user.region)


def _scoped_unit_ids(region_ids: list[int] | None) -> set[int] | None:
    if region_ids is None:
        return None
    from luoshi.orgs.models import Unit

    return set(Unit.objects.filter(region_id__in=region_ids).values_list("pk", flat=True))


def scoreboard(user: User | None, period: periods.Period, plan_id: int | None = None) -> list[UnitScore]:
    """Per-unit figures for one period, aggregated in SQL (four grouped queries)."""
    region_ids = _scope_region_ids(user)
    today = timezone.localdate()
    ref = min(period.end, today)
    tq = Q() if region_ids is None else Q(task__region_id__in=region_ids)
    if plan_id:
        tq &= Q(task__plan_id=plan_id)
    base = Assignment.objects.filter(tq, active=True).exclude(task__status=TaskStatus.CANCELLED)
    # grouped by the unit id alone (in the order of the (unit, active) index, no per-row unit lookup);
    # the 200-odd names are read afterwards
    rows = base.values("unit_id").annotate(
        held=Count("id"),
        due=Count("id", filter=Q(task__ongoing=False, task__deadline__lte=period.end)),
        done=Count(
            "id",
            filter=Q(
                task__ongoing=False,
                task__deadline__lte=period.end,
                task__status=TaskStatus.SIGNED_OFF,
                task__signed_off_on__lte=F("task__deadline"),
            ),
        ),
        overdue=Count(
            "id", filter=Q(task__ongoing=False, task__deadline__lt=ref, task__status__in=OPEN_STATUSES)
        ),
    )
    from luoshi.orgs.models import Unit

    unit_rows = list(rows)
    names = dict(Unit.objects.filter(pk__in=[r["unit_id"] for r in unit_rows]).values_list("pk", "name"))
    out: dict[int, UnitScore] = {}
    for r in unit_rows:
        out[r["unit_id"]] = UnitScore(
            r["unit_id"], names.get(r["unit_id"], ""), r["held"], r["due"], r["done"], r["overdue"]
        )
    # grouped by unit over the month only: the (due_date, unit, late) index answers it without the task table;
    # units outside the user's scope are dropped below (they are not in `out`)
    rq = Q(due_date__gte=period.start, due_date__lte=period.end)
    if plan_id:
        rq &= Q(task__plan_id=plan_id)
    for unit_id, total, on_time in (
        ProgressReport.objects.filter(rq)
        .values("unit_id")
        .annotate(t=Count("unit_id"), o=Count("unit_id", filter=Q(late=False)))
        .values_list("unit_id", "t", "o")
    ):
        if unit_id in out:
            out[unit_id].reports_expected += total
            out[unit_id].reports_on_time += on_time
    for unit_id, n in (
        MissedReport.objects.filter(rq, resolved_at__isnull=True)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    ):
        if unit_id in out:
            out[unit_id].reports_expected += n
    start_dt = dt.datetime.combine(period.start, dt.time(), tzinfo=timezone.get_current_timezone())
    end_dt = start_dt + dt.timedelta(days=(period.end - period.start).days + 1)
    for unit_id, n in (
        base.filter(
            is_lead=True,
            task__reviews__decision=ReviewDecision.RETURNED,
            task__reviews__at__gte=start_dt,
            task__reviews__at__lt=end_dt,
        )
        .values("unit_id")
        .annotate(n=Count("task__reviews"))
        .values_list("unit_id", "n")
    ):
        out[unit_id].returns = n
    return sorted(out.values(), key=lambda s: (-s.score, s.unit))


def top_bottom(scores: list[UnitScore], n: int = 10) -> tuple[list[UnitScore], list[UnitScore]]:
    """十优十差: the best and the worst n (with fewer than 2n units, the list is split in half)."""
    k = min(n, len(scores) // 2) if len(scores) < 2 * n else n
    top = scores[:k]
    bottom = list(reversed(scores[-k:])) if k else []
    return top, bottom


def trend(
    user: User | None, last: periods.Period, months: int = 6, plan_id: int | None = None
) -> list[dict[str, Any]]:
    """Region-wide figures for the last `months` monthly periods (one cheap grouped query each)."""
    from luoshi.orgs.models import Unit

    region_ids = _scope_region_ids(user)
    unit_ids = _scoped_unit_ids(region_ids)
    if unit_ids is not None and not Unit.objects.exclude(pk__in=unit_ids).exists():
        unit_ids = None  # the scope holds every unit (one city's installation): plain counts, no grouping
    out = []
    period = last
    seq = []
    for _ in range(months):
        seq.append(period)
        period = periods.previous_period("monthly", period)
    for p in reversed(seq):
        rq = Q(due_date__gte=p.start, due_date__lte=p.end)
        if plan_id:
            rq &= Q(task__plan_id=plan_id)
        total = on_time = missed = 0
        if unit_ids is None:  # counted over the (due_date, unit, late) index range alone
            agg = ProgressReport.objects.filter(rq).aggregate(
                t=Count("unit_id"), o=Count("unit_id", filter=Q(late=False))
            )
            total, on_time = agg["t"], agg["o"]
            missed = MissedReport.objects.filter(rq, resolved_at__isnull=True).count()
        else:  # grouped by unit; units out of scope are dropped
            for unit_id, t, o in (
                ProgressReport.objects.filter(rq)
                .values("unit_id")
                .annotate(t=Count("unit_id"), o=Count("unit_id", filter=Q(late=False)))
                .values_list("unit_id", "t", "o")
            ):
                if unit_id in unit_ids:
                    total, on_time = total + t, on_time + o
            for unit_id, n in (
                MissedReport.objects.filter(rq, resolved_at__isnull=True)
                .values("unit_id")
                .annotate(n=Count("id"))
                .values_list("unit_id", "n")
            ):
                if unit_id in unit_ids:
                    missed += n
        expected = total + missed
        run = SweepRun.objects.filter(date__gte=p.start, date__lte=p.end).order_by("-date").first()
        counts = run.counts if run else {}
        out.append(
            {
                "period": f"{p.start:%Y-%m}",
                "timeliness": round(100.0 * (on_time or 0) / expected, 1) if expected else None,
                "red": counts.get("red"),
                "yellow": counts.get("yellow"),
                "green": counts.get("green"),
            }
        )
    return out


# --- dispatch report data --------------------------------------------------------------------------------------
@dataclass
class DispatchData:
    title: str
    period: periods.Period
    summary: dict[str, Any]
    red: list[Task]
    yellow: list[Task]
    units: list[UnitScore]
    problems: list[ProgressReport]
    missed_units: list[tuple[str, int]]


def dispatch_data(
    user: User | None, period: periods.Period, plan_id: int | None = None, list_limit: int = 500
) -> DispatchData:
    region_ids = _scope_region_ids(user)
    tasks = Task.objects.exclude(status=TaskStatus.CANCELLED)
    if region_ids is not None:
        tasks = tasks.filter(region_id__in=region_ids)
    if plan_id:
        tasks = tasks.filter(plan_id=plan_id)
    today = timezone.localdate()
    summary = tasks.aggregate(
        total=Count("id"),
        signed_off=Count("id", filter=Q(status=TaskStatus.SIGNED_OFF)),
        in_progress=Count("id", filter=Q(status=TaskStatus.IN_PROGRESS)),
        requested=Count("id", filter=Q(status=TaskStatus.SIGN_OFF_REQUESTED)),
        overdue=Count(
            "id", filter=Q(status__in=OPEN_STATUSES, ongoing=False, deadline__lt=min(period.end, today))
        ),
        green=Count("id", filter=Q(colour="green")),
        yellow=Count("id", filter=Q(colour="yellow")),
        red=Count("id", filter=Q(colour="red")),
    )
    units = scoreboard(user, period, plan_id)
    summary["reports_expected"] = sum(u.reports_expected for u in units)
    summary["reports_on_time"] = sum(u.reports_on_time for u in units)
    rq = Q(period_end__gte=period.start, period_end__lte=period.end) & ~Q(problems="")
    pq = ProgressReport.objects.filter(rq, task__in=tasks).select_related("task", "unit").order_by("task_id")
    mq = MissedReport.objects.filter(
        due_date__gte=period.start, due_date__lte=period.end, resolved_at__isnull=True, task__in=tasks
    )
    missed_units = list(
        mq.values("unit__name").annotate(n=Count("id")).order_by("-n").values_list("unit__name", "n")
    )
    scope = (
        "、".join(
            Region.objects.filter(pk__in=region_ids).order_by("path").values_list("name", flat=True)[:1]
        )
        if region_ids
        else ""
    )
    title = f"{scope}优化营商环境重点任务调度通报({period.start.year}年{period.start.month}月)"
    return DispatchData(
        title=title,
        period=period,
        summary=summary,
        red=list(tasks.filter(colour="red").order_by("plan_id", "seq")[:list_limit]),
        yellow=list(tasks.filter(colour="yellow").order_by("plan_id", "seq")[:list_limit]),
        units=units,
        problems=list(pq[:list_limit]),
        missed_units=missed_units,
    )


def ledger_for_export(user: User | None, plan_id: int | None = None) -> QuerySet[Task]:
    qs = Task.objects.filter(task_scope_q(user)).exclude(status=TaskStatus.CANCELLED).select_related("plan")
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    return qs.order_by("plan_id", "seq", "id").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.filter(active=True).select_related("unit"))
    )
