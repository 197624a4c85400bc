"""Scoped reads: every function takes the user and returns only what that user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
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
from luoshi.core.bounds import parse_month
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.orgs.models import Region, Unit
from luoshi.plans.models import Plan
from luoshi.supervision import dispatch, periods
from luoshi.supervision.access import allowed_actions, require_see_task, task_scope_q, visible_tasks
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Colour,
    MissedReport,
    NoticeStatus,
    ProgressReport,
    ReportTally,
    Review,
    ReviewDecision,
    ScoreSnapshot,
    ScoreStamp,
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
    unassigned: bool = False  # only live tasks with no responsible unit


def task_ledger(user: User | None, filters: LedgerFilters | None = None) -> QuerySet[Task]:
    f = filters or LedgerFilters()
    # the page's plans in a second small query (by primary key), not a join: joined, PostgreSQL misjudges the
    # region filter's selectivity and sorts all 100k rows instead of walking the (plan, seq) index
    qs = visible_tasks(user).prefetch_related(Prefetch("plan", queryset=Plan.objects.only("id", "title")))
    if f.plan:
        qs = qs.filter(plan_id=f.plan)
    if f.unit:
        # a semi-join driven by the unit's current assignments (`task IN (SELECT task_id ...)`), read from the
        # partial (unit, task) WHERE active index alone; each task is kept once, so no DISTINCT. A correlated
        # EXISTS here made both engines walk every visible task and probe the assignments once per task.
        qs = qs.filter(pk__in=Assignment.objects.filter(unit_id=f.unit, active=True).values("task_id"))
    if f.status == "overdue":  # 逾期 is derived
        qs = qs.filter(status__in=OPEN_STATUSES, ongoing=False, deadline__lt=timezone.localdate())
    elif f.status:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.exclude(status=TaskStatus.CANCELLED)
    if f.colour:
        qs = qs.filter(colour=f.colour)
    if f.unassigned:
        qs = qs.filter(pk__in=unassigned_tasks(user).values("pk"))
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(text__icontains=f.q) | Q(lead_units_text__icontains=f.q))
    return qs.order_by("plan_id", "seq", "id")


def _visible_tasks_by_region_ids(user: User | None) -> QuerySet[Task]:
    """`visible_tasks`, with an office's or leader's region subtree as a list of region ids (one small query)
    instead of the join on the region path: inside a correlated EXISTS the join made PostgreSQL hash all 100k
    tasks once per page; `region_id = ANY(...)` is checked on the task row found by the plan or unit index."""
    if user is not None and not user.is_superuser and is_reader(user):
        if user.region_id is None:
            return Task.objects.none()
        assert user.region is not None
        # read once per request (the user object lives as long as the request): the plan and unit options share it
        ids: list[int] | None = getattr(user, "_ledger_region_ids", None)
        if ids is None:
            ids = region_subtree_ids(user.region)
            user._ledger_region_ids = ids  # type: ignore[attr-defined]
        return Task.objects.filter(region_id__in=ids)
    return visible_tasks(user)


def ledger_plans(user: User | None) -> QuerySet[Plan]:
    """The plans the ledger's plan filter offers: those with a task the user may see (one EXISTS per plan)."""
    tasks = _visible_tasks_by_region_ids(user)
    return Plan.objects.filter(Exists(tasks.filter(plan_id=OuterRef("pk")))).only("id", "title")


def ledger_units(user: User | None) -> QuerySet[Unit]:
    """The units the ledger's unit filter offers: those with an active assignment on a task the user may
    see (one EXISTS per unit, stopping at its first visible assignment; no DISTINCT over every assignment)."""
    tasks = _visible_tasks_by_region_ids(user)
    visible = Assignment.objects.filter(unit_id=OuterRef("pk"), active=True, task__in=tasks.values("pk"))
    return Unit.objects.filter(Exists(visible)).only("id", "name")


def task_get(user: User | None, pk: int) -> Task:
    task = Task.objects.select_related("plan", "region").filter(pk=pk).first()
    if task is None:
        raise NotFound("未找到该任务,或您无权查看。", code=SupervisionError.TASK_NOT_FOUND)
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
    due_period: periods.Period | None = None
    rollup: str = ""
    revisions: dict[int, list[Any]] = field(default_factory=dict)  # report id -> earlier versions
    instructions: list[Any] = field(default_factory=list)
    ongoing_note: str = ""
    actions: frozenset[str] = frozenset()  # what the user may do now (access.allowed_actions): the page's buttons


def task_detail(user: User | None, pk: int) -> TaskDetail:
    from luoshi.supervision.models import ReportRevision
    from luoshi.supervision.services.common import assess_task
    from luoshi.supervision.services.reports import (
        due_period,
        periods_open_for,
        rollup_explanation,
        task_target_progress,
    )

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
    revisions: dict[int, list[Any]] = {}
    for rev in ReportRevision.objects.filter(report__in=[r.pk for r in reports]).select_related(
        "submitted_by"
    ):
        revisions.setdefault(rev.report_id, []).append(rev)
    for r in reports:
        r.earlier = revisions.get(r.pk, [])  # type: ignore[attr-defined]
    task._active_assignments = [a for a in assignments if a.active]  # type: ignore[attr-defined]
    actions = allowed_actions(user, task)
    can_file = mine is not None and "task.report" in actions
    return TaskDetail(
        actions=actions,
        due_period=due_period(task, mine, today) if can_file and mine else None,
        rollup=rollup_explanation(task, assignments),
        revisions=revisions,
        instructions=list(task.instructions.select_related("by")[:50]),
        ongoing_note=(
            "长期坚持任务:按填报周期每期报送进展,营商办逐期评价;不设完成时限,不办理销号。"
            if task.ongoing
            else ""
        ),
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
        open_periods=periods_open_for(task, today) if can_file else [],
    )


def attachment_get(user: User | None, pk: int) -> Attachment:
    """An attachment the user may download: one whose task the user may see."""
    row = Attachment.objects.select_related("report__task__region").filter(pk=pk).first()
    if row is None:
        raise NotFound("未找到该附件,或您无权下载。", code=SupervisionError.ATTACHMENT_NOT_FOUND)
    from luoshi.supervision.access import can_read_reports

    if not can_read_reports(user, row.report.task):  # co-assigned units included: the access module's rule
        raise NotFound("未找到该附件,或您无权下载。", code=SupervisionError.ATTACHMENT_NOT_FOUND)
    return row


def assignment_get_for_filing(user: User | None, pk: int) -> Assignment:
    row = Assignment.objects.select_related("task", "unit").filter(pk=pk).first()
    if row is None or (user is not None and is_staff_role(user) and not own_unit(user, row)):
        raise NotFound("未找到该分工,或它不属于您的单位。", code=SupervisionError.ASSIGNMENT_NOT_FOUND)
    require_see_task(user, row.task)
    return row


@dataclass
class DueItem:
    assignment: Assignment
    period: periods.Period
    due: dt.date
    reported: bool
    missed_open: int


def _due_period(today: dt.date) -> tuple[Case, Case]:
    """The start and end of the period whose report is due now, as SQL over the task's cycle and start date:
    the latest ended period, or the current one when the task started after that period began."""
    starts, ends = [], []
    for cycle in periods.CYCLES:
        current = periods.period_containing(cycle, today)
        prev = periods.previous_period(cycle, current)
        ended = Q(task__reporting_cycle=cycle, task__start_date__lte=prev.start)
        starts += [When(ended, then=Value(prev.start)), When(task__reporting_cycle=cycle, then=Value(current.start))]
        ends += [When(ended, then=Value(prev.end)), When(task__reporting_cycle=cycle, then=Value(current.end))]
    return Case(*starts, output_field=DateField()), Case(*ends, output_field=DateField())


def my_task_rows(user: User, today: dt.date | None = None, *, pending: bool = False) -> QuerySet[Assignment]:
    """The unit's open assignments in the page's order: still owed first, then by the end of the period due
    now, the task's deadline, the task and the assignment's key (a total order, so pages never overlap or skip).
    `pending` keeps only the rows whose report is still owed. Annotated with `due_start`, `due_end`, `reported`;
    `due_items` turns one page of them into rows."""
    if not is_unit_staff(user) or user.unit_id is None:
        raise AccessDenied("“我的任务”仅供部门工作人员使用。", code=SupervisionError.MY_TASKS_STAFF_ONLY)
    start, end = _due_period(today or timezone.localdate())
    filed = ProgressReport.objects.filter(assignment=OuterRef("pk"), period_start=OuterRef("due_start"))
    qs = (
        Assignment.objects.filter(unit_id=user.unit_id, active=True, task__status__in=OPEN_STATUSES)
        .annotate(due_start=start, due_end=end, reported=Exists(filed))
        .select_related("task", "task__region")
    )
    if pending:
        qs = qs.filter(reported=False)
    return qs.order_by("reported", "due_end", "task__deadline", "task_id", "pk")


def due_items(rows: list[Assignment]) -> list[DueItem]:
    """One page of `my_task_rows` as rows with their due date: one query for the open missed reports of the
    page's rows, one for the plans' thresholds, one calendar per region (usually one), whatever the rows."""
    from luoshi.supervision.models import WarningThresholds
    from luoshi.supervision.services.common import calendar_for

    if not rows:
        return []
    missed = dict(
        MissedReport.objects.filter(assignment__in=rows, resolved_at__isnull=True)
        .order_by()
        .values("assignment_id")
        .annotate(n=Count("pk"))
        .values_list("assignment_id", "n")
    )
    # a plan without a thresholds row has the model's defaults (a read page creates nothing)
    default_grace = WarningThresholds().report_grace_workdays
    grace = dict(
        WarningThresholds.objects.filter(plan_id__in={a.task.plan_id for a in rows}).values_list(
            "plan_id", "report_grace_workdays"
        )
    )
    calendars: dict[int | None, Any] = {}
    out = []
    for a in rows:
        region_id = a.task.region_id
        if region_id not in calendars:
            calendars[region_id] = calendar_for(a.task.region)
        p = periods.Period(a.due_start, a.due_end)  # type: ignore[attr-defined]
        due = calendars[region_id].add_workdays(p.end, grace.get(a.task.plan_id, default_grace)).date
        out.append(DueItem(a, p, due, a.reported, missed.get(a.pk, 0)))  # type: ignore[attr-defined]
    return out


def my_tasks(user: User, today: dt.date | None = None) -> list[DueItem]:
    """The first 500 rows of `my_task_rows` (the unit workbook's rows), in the page's order."""
    return due_items(list(my_task_rows(user, today)[:500]))


def my_task_counts(user: User, today: dt.date | None = None) -> tuple[int, int]:
    """(open assignments of the user's unit, how many of them still owe the report due now) for the staff home:
    the same rule as `my_tasks` over every row (not its first 500), read as plain tuples in two queries, no model
    instances, no calendar (the counts need no due dates)."""
    if not is_unit_staff(user) or user.unit_id is None:
        raise AccessDenied("“我的任务”仅供部门工作人员使用。", code=SupervisionError.MY_TASKS_STAFF_ONLY)
    today = today or timezone.localdate()
    rows = list(
        Assignment.objects.filter(unit_id=user.unit_id, active=True, task__status__in=OPEN_STATUSES)
        .order_by()
        .values_list("id", "task__reporting_cycle", "task__start_date")
    )
    wanted: list[tuple[int, dt.date]] = []
    cache: dict[tuple[str, dt.date], dt.date] = {}
    for a_id, cycle, start_date in rows:
        key = (cycle, start_date)
        if key not in cache:
            current = periods.period_containing(cycle, today)
            prev = periods.previous_period(cycle, current)
            cache[key] = (prev if prev.start >= start_date else current).start
        wanted.append((a_id, cache[key]))
    if not wanted:
        return 0, 0
    reported = set(
        ProgressReport.objects.filter(
            assignment_id__in=[a for a, _ in wanted], period_start__in={p for _, p in wanted}
        ).values_list("assignment_id", "period_start")
    )
    return len(wanted), sum(1 for w in wanted if w not in reported)


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
        raise NotFound("未找到该督办单,或您无权查看。", code=SupervisionError.NOTICE_NOT_FOUND)
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
    def assessed(self) -> bool:
        """Whether the unit had anything to be judged on in the period (a task due, overdue, or a report due)."""
        return self.due > 0 or self.overdue > 0 or self.reports_expected > 0

    @property
    def score_label(self) -> str:
        return f"{self.score:.1f}" if self.assessed else "本期无考核任务"

    @property
    def score(self) -> float:
        c = 1.0 if self.completion_rate is None else self.completion_rate
        t = 1.0 if self.timeliness is None else self.timeliness
        o = self.overdue / self.held if self.held else 0.0
        return round(max(0.0, 40 * c + 30 * t + 30 * (1 - o) - 5 * self.returns), 1)


def parse_period(text: str) -> periods.Period:
    return periods.period_containing("monthly", parse_month(text))  # bounded years: 0001-01, 9999-12 refused


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


def _task_figures_live(period: periods.Period, plan_id: int | None, ref: dt.date) -> list[list[int]]:
    """[unit, task region, held, due, done on time, overdue] per unit and task region: one grouped join of the
    active assignments with their tasks (about a second at 100,000 tasks on SQLite)."""
    tq = Q(task__plan_id=plan_id) if plan_id else Q()
    rows = (
        Assignment.objects.filter(tq, active=True)
        .exclude(task__status=TaskStatus.CANCELLED)
        .values("unit_id", "task__region_id")
        .annotate(
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
        .order_by()
        .values_list("unit_id", "task__region_id", "held", "due", "done", "overdue")
    )
    return sorted([list(r) for r in rows])


def _snapshot_key(period: periods.Period, plan_id: int | None, ref: dt.date) -> str:
    return f"{period.start.isoformat()}:{plan_id or 0}:{ref.isoformat()}"


def task_figures(period: periods.Period, plan_id: int | None = None, ref: dt.date | None = None) -> list[list[int]]:
    """The scoreboard's task figures (see `_task_figures_live`) from the snapshot taken at the current
    ScoreStamp, or aggregated and kept as that snapshot. The stamp is read first, so a change committed while
    aggregating leaves a snapshot under an old stamp that nobody reads. Without the stamp row (a flushed test
    database) nothing is kept."""
    ref = ref or min(period.end, timezone.localdate())
    stamp = ScoreStamp.objects.filter(pk=1).values_list("n", flat=True).first()
    key = _snapshot_key(period, plan_id, ref)
    if stamp is not None:
        kept = ScoreSnapshot.objects.filter(key=key, stamp=stamp).values_list("rows", flat=True).first()
        if kept is not None:
            return kept  # type: ignore[no-any-return]
    rows = _task_figures_live(period, plan_id, ref)
    if stamp is not None:
        with transaction.atomic():
            ScoreSnapshot.objects.update_or_create(
                key=key, defaults={"stamp": stamp, "rows": rows, "computed_at": timezone.now()}
            )
    return rows


def _is_month(period: periods.Period) -> bool:
    return period.start.day == 1 and (period.end + dt.timedelta(days=1)).day == 1 and period.end.month == period.start.month


def report_figures(period: periods.Period, plan_id: int | None = None) -> list[tuple[int, int, int, int]]:
    """(unit, reports filed, filed on time, missed reports open) of the reports due in `period`, per unit. A
    calendar month without a plan filter sums the trigger-kept ReportTally rows (a few hundred); otherwise one
    grouped query per report table over the period (the (due_date, unit, late) index, and the tasks for a plan)."""
    if plan_id is None and _is_month(period):
        return list(
            ReportTally.objects.filter(month=period.start)
            .order_by()
            .values("unit_id")
            .annotate(f=Sum("filed"), o=Sum("on_time"), m=Sum("missed"))
            .values_list("unit_id", "f", "o", "m")
        )
    return _report_figures_live(period, plan_id)


def _report_figures_live(period: periods.Period, plan_id: int | None) -> list[tuple[int, int, int, int]]:
    """`report_figures` from the report tables themselves (what the tally must always equal)."""
    rq = Q(due_date__gte=period.start, due_date__lte=period.end)
    if plan_id:
        rq &= Q(task__plan_id=plan_id)
    out: dict[int, list[int]] = {}
    for unit_id, total, on_time in (
        ProgressReport.objects.filter(rq)
        .values("unit_id")
        .annotate(t=Count("unit_id"), o=Count("unit_id", filter=Q(late=False)))
        .values_list("unit_id", "t", "o")
    ):
        acc = out.setdefault(unit_id, [0, 0, 0])
        acc[0] += total
        acc[1] += on_time
    for unit_id, n in (
        MissedReport.objects.filter(rq, resolved_at__isnull=True)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    ):
        out.setdefault(unit_id, [0, 0, 0])[2] += n
    return [(u, f, o, m) for u, (f, o, m) in sorted(out.items())]


def scoreboard(user: User | None, period: periods.Period, plan_id: int | None = None) -> list[UnitScore]:
    """Per-unit figures for one period: the task figures from the snapshot of the current stamp (`task_figures`),
    the report figures from the trigger-kept tally (`report_figures`), returns in one grouped query."""
    region_ids = _scope_region_ids(user)
    today = timezone.localdate()
    ref = min(period.end, today)
    scope = None if region_ids is None else set(region_ids)
    totals: dict[int, list[int]] = {}
    for unit_id, region_id, *figures in task_figures(period, plan_id, ref):
        if scope is None or region_id in scope:
            acc = totals.setdefault(unit_id, [0, 0, 0, 0])
            for k, v in enumerate(figures):
                acc[k] += v
    tq = Q() if region_ids is None else Q(task__region_id__in=region_ids)
    if plan_id:
        tq &= Q(task__plan_id=plan_id)
    base = Assignment.objects.filter(tq, active=True).exclude(task__status=TaskStatus.CANCELLED)
    from luoshi.orgs.models import Unit

    names = dict(Unit.objects.filter(pk__in=list(totals)).values_list("pk", "name"))
    out: dict[int, UnitScore] = {}
    for unit_id, (held, due, done, overdue) in sorted(totals.items()):
        out[unit_id] = UnitScore(unit_id, names.get(unit_id, ""), held, due, done, overdue)
    # units outside the user's scope are dropped here (they are not in `out`)
    for unit_id, filed, on_time, missed in report_figures(period, plan_id):
        if unit_id in out:
            out[unit_id].reports_expected += filed + missed
            out[unit_id].reports_on_time += on_time
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
    # units with nothing to be judged on in the period come last and are never ranked
    return sorted(out.values(), key=lambda s: (not s.assessed, -s.score, s.unit))


def top_bottom(scores: list[UnitScore], n: int = 10) -> tuple[list[UnitScore], list[UnitScore]]:
    """十优十差: the best and the worst n of the units assessed in the period (with fewer than 2n, the list is
    split in half), so no unit is in both; a unit with nothing due is in neither."""
    ranked = sorted((s for s in scores if s.assessed), key=lambda s: (-s.score, s.unit))
    k = min(n, len(ranked) // 2)
    top = ranked[:k]
    bottom = list(reversed(ranked[len(ranked) - k :])) if k else []
    return top, bottom


def _trend_reports_live(
    seq: list[periods.Period],
    plan_id: int,
    unit_ids: set[int] | None,
    filed: dict[str, list[int]],
    missing: dict[str, int],
) -> None:
    """The trend's report figures of one plan, from the report tables (the tally is not kept per plan)."""
    # the reports and missed reports of all the months in ONE query: both grouped by their due date (a plain
    # column, read in order from the (due_date, ...) indexes; a handful of distinct due dates per month),
    # joined by UNION ALL and bucketed into months here
    rq = Q(due_date__gte=seq[-1].start, due_date__lte=seq[0].end)
    if plan_id:
        rq &= Q(task__plan_id=plan_id)
    group = ["due_date"] if unit_ids is None else ["due_date", "unit_id"]
    filed_q = (
        ProgressReport.objects.filter(rq)
        .order_by()
        .values(*group)
        .annotate(kind=Value(0), t=Count("id"), o=Count("id", filter=Q(late=False)))
        .values_list(*group, "kind", "t", "o")
    )
    missed_q = (
        MissedReport.objects.filter(rq, resolved_at__isnull=True)
        .order_by()
        .values(*group)
        .annotate(kind=Value(1), t=Count("id"), o=Value(0))
        .values_list(*group, "kind", "t", "o")
    )
    for row in filed_q.union(missed_q, all=True).order_by():
        due, *unit, kind, t, o = row
        if unit_ids is not None and unit[0] not in unit_ids:
            continue
        if isinstance(due, str):  # a compound query's values come back as the driver gives them
            due = dt.date.fromisoformat(due)
        key = f"{due:%Y-%m}"
        if kind:
            missing[key] = missing.get(key, 0) + t
        else:
            acc = filed.setdefault(key, [0, 0])
            acc[0] += t
            acc[1] += o


def trend(
    user: User | None, last: periods.Period, months: int = 6, plan_id: int | None = None
) -> list[dict[str, Any]]:
    """Region-wide figures for the last `months` monthly periods: report timeliness from one grouped query over
    both report tables, the colours from the sweep runs of those months."""
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
    filed: dict[str, list[int]] = {}
    missing: dict[str, int] = {}
    if plan_id is None:
        # the trigger-kept tally: one grouped read of a few thousand rows for all the months
        group = ["month"] if unit_ids is None else ["month", "unit_id"]
        for row in (
            ReportTally.objects.filter(month__gte=seq[-1].start, month__lte=seq[0].start)
            .order_by()
            .values(*group)
            .annotate(f=Sum("filed"), o=Sum("on_time"), m=Sum("missed"))
            .values_list(*group, "f", "o", "m")
        ):
            month, *unit, f, o, m = row
            if unit_ids is not None and unit[0] not in unit_ids:
                continue
            key = f"{month:%Y-%m}"
            acc = filed.setdefault(key, [0, 0])
            acc[0] += f
            acc[1] += o
            missing[key] = missing.get(key, 0) + m
    else:
        _trend_reports_live(seq, plan_id, unit_ids, filed, missing)
    # the colours as of each month's last sweep (one query for all the months, plus the last run before them
    # when the first month has none); a month without one carries the last known figures forward
    runs = list(
        SweepRun.objects.filter(date__gte=seq[-1].start, date__lte=seq[0].end)
        .order_by("date")
        .values_list("date", "counts")
    )
    if not runs or runs[0][0] > seq[-1].end:
        earlier = (
            SweepRun.objects.filter(date__lt=seq[-1].start).order_by("-date").values_list("date", "counts").first()
        )
        if earlier:
            runs.insert(0, earlier)
    for p in reversed(seq):
        total, on_time = filed.get(f"{p.start:%Y-%m}", [0, 0])
        missed = missing.get(f"{p.start:%Y-%m}", 0)
        expected = total + missed
        counts = next((c for d, c in reversed(runs) if d <= p.end), None) or {"red": 0, "yellow": 0, "green": 0}
        out.append(
            {
                "period": f"{p.start:%Y-%m}",
                "timeliness": round(100.0 * (on_time or 0) / expected, 1) if expected else None,
                "red": counts.get("red", 0),
                "yellow": counts.get("yellow", 0),
                "green": counts.get("green", 0),
            }
        )
    return out


# --- dispatch report data --------------------------------------------------------------------------------------
@dataclass
class DispatchTask:
    """A task as the report lists it: its figures as of the report's day."""

    id: int
    title: str
    lead_units_text: str
    deadline: dt.date | None
    colour: str
    colour_reason: str


@dataclass
class DispatchData:
    title: str
    period: periods.Period
    as_of: dt.date  # 截至: the day it was made, or the period's end if that is past
    totals: dispatch.Totals
    summary: dict[str, Any]
    red: list[DispatchTask]
    yellow: list[DispatchTask]
    units: list[UnitScore]
    problems: list[ProgressReport]
    missed_units: list[tuple[str, int]]
    good_units: list[str]
    slow_units: list[str]
    reporting_sentence: str
    historical: bool  # a past period, rebuilt from the colour history and the reports dated then


STATUS_ACTIONS = [f"task.{s.value}" for s in TaskStatus]


def _facts_as_of(
    tasks: QuerySet[Task], day: dt.date, today: dt.date
) -> list[tuple[dispatch.TaskFact, DispatchTask]]:
    """Each task's status and colour as of `day`: the rows as they are when `day` is today, else the last status
    and colour events recorded on or before `day` (tasks published after it are left out)."""
    rows = list(
        tasks.values_list(
            "id",
            "title",
            "lead_units_text",
            "deadline",
            "ongoing",
            "status",
            "colour",
            "reports_from",
            "signed_off_on",
        )
    )
    if day >= today:
        # the listed (red and yellow) tasks' reasons as of today, rendered from their figures
        from luoshi.supervision.reasons import REASON_FIELDS

        current = {
            t.pk: t.reason_on(today)
            for t in tasks.filter(colour__in=(Colour.RED, Colour.YELLOW)).only(*REASON_FIELDS)
        }
        return [
            (dispatch.TaskFact(st, dl, og, col), DispatchTask(pk, title, lead, dl, col, current.get(pk, "")))
            for pk, title, lead, dl, og, st, col, _, _ in rows
        ]
    from luoshi.audit.models import AuditEvent

    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    rows = [r for r in rows if r[8] is None or r[8] <= day]  # published on or before that day
    ids = [str(r[0]) for r in rows]
    status_at: dict[str, str] = {}
    colour_at: dict[str, tuple[str, str]] = {}
    for chunk in (ids[k : k + 5000] for k in range(0, len(ids), 5000)):
        for sid, action, after, reason in (
            AuditEvent.objects.filter(
                subject_type="supervision.task",
                subject_id__in=chunk,
                at__lt=end,
                action__in=[*STATUS_ACTIONS, "task.colour_changed"],
            )
            .order_by("at", "id")
            .values_list("subject_id", "action", "after", "reason")
        ):
            if action == "task.colour_changed":
                colour_at[sid] = (str((after or {}).get("colour", "")), reason)
            else:
                status_at[sid] = action.removeprefix("task.")
    out = []
    for pk, title, lead, dl, og, _st, _col, _created, signed_on in rows:
        status = status_at.get(str(pk), "not_started")
        if signed_on is not None and signed_on <= day:
            status = "signed_off"
        col, reason = colour_at.get(str(pk), ("", ""))
        if status == "cancelled":
            continue
        out.append((dispatch.TaskFact(status, dl, og, col), DispatchTask(pk, title, lead, dl, col, reason)))
    return out


def dispatch_data(
    user: User | None,
    period: periods.Period,
    plan_id: int | None = None,
    list_limit: int = 500,
    today: dt.date | None = None,
) -> DispatchData:
    region_ids = _scope_region_ids(user)
    scoped = Task.objects.all()
    if region_ids is not None:
        scoped = scoped.filter(region_id__in=region_ids)
    if plan_id:
        scoped = scoped.filter(plan_id=plan_id)
    tasks = scoped.exclude(status=TaskStatus.CANCELLED)
    today = today or timezone.localdate()
    day = dispatch.as_of(period.end, today)
    historical = day < today
    # a past period: tasks cancelled since then were still live on that day
    facts = _facts_as_of(scoped if historical else tasks, day, today)
    totals = dispatch.totals((f for f, _ in facts), day)
    summary: dict[str, Any] = {
        "total": totals.total,
        "signed_off": totals.signed_off,
        "in_progress": totals.in_progress,
        "requested": totals.requested,
        "overdue": totals.overdue,
        "green": totals.green,
        "yellow": totals.yellow,
        "red": totals.red,
    }
    units = scoreboard(user, period, plan_id)
    summary["reports_expected"] = sum(u.reports_expected for u in units)
    summary["reports_on_time"] = sum(u.reports_on_time for u in units)
    end_dt = dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
    )
    rq = Q(period_end__gte=period.start, period_end__lte=period.end) & ~Q(problems="")
    if historical:
        rq &= Q(submitted_at__lt=end_dt)  # the reports as they stood then
    pq = ProgressReport.objects.filter(rq, task__in=tasks).select_related("task", "unit").order_by("task_id")
    # missed as recorded then: due in the period and not made good by the report's day
    mq = MissedReport.objects.filter(
        due_date__gte=period.start, due_date__lte=period.end, task__in=tasks
    ).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=end_dt)
        if historical
        else Q(resolved_at__isnull=True)
    )
    missed_by_unit = dict(mq.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    facts_by_unit = [
        dispatch.UnitFact(
            name=u.unit,
            due=u.due,
            overdue=u.overdue,
            reports_expected=u.reports_expected,
            reports_on_time=u.reports_on_time,
            missed=missed_by_unit.get(u.unit_id, 0),
            returns=u.returns,
        )
        for u in units
    ]
    names = dict(Unit.objects.filter(pk__in=list(missed_by_unit)).values_list("pk", "name"))
    missed_units = sorted(
        ((names.get(k, ""), n) for k, n in missed_by_unit.items()), key=lambda x: (-x[1], x[0])
    )
    scope_regions = (
        Region.objects.filter(pk__in=region_ids)
        if region_ids is not None
        else Region.objects.filter(pk__in=tasks.values("region_id"))
    )
    scope = min(scope_regions.values_list("path", "name"), default=("", ""), key=lambda r: (len(r[0]), r[0]))[
        1
    ]
    title = f"{scope}优化营商环境重点任务调度通报({period.start.year}年{period.start.month}月)"
    listed = [t for f, t in facts]
    return DispatchData(
        title=title,
        period=period,
        as_of=day,
        totals=totals,
        summary=summary,
        red=[t for t in listed if t.colour == "red"][:list_limit],
        yellow=[t for t in listed if t.colour == "yellow"][:list_limit],
        units=units,
        problems=list(pq[:list_limit]),
        missed_units=missed_units,
        good_units=dispatch.good_units(facts_by_unit),
        slow_units=dispatch.slow_units(facts_by_unit),
        reporting_sentence=dispatch.reporting_sentence(facts_by_unit),
        historical=historical,
    )


def ledger_for_export(user: User | None, plan_id: int | None = None) -> QuerySet[Task]:
    qs = Task.objects.filter(task_scope_q(user)).exclude(status=TaskStatus.CANCELLED).select_related("plan")
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    return qs.order_by("plan_id", "seq", "id").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.filter(active=True).select_related("unit"))
    )


# --- the office's work list and the leaders' first screen ---------------------------------------------------------
def unassigned_tasks(user: User | None) -> QuerySet[Task]:
    """Live tasks with no responsible unit: the office assigns them on the task page."""
    from django.db.models import Exists, OuterRef

    return (
        visible_tasks(user)
        .filter(status__in=LIVE_STATUSES)
        .exclude(Exists(Assignment.objects.filter(task=OuterRef("pk"), active=True)))
        .select_related("plan")
        .order_by("plan_id", "seq")
    )


@dataclass
class LeaderScreen:
    """哪些事超期最久、哪个单位最差、哪些需要我协调."""

    escalated: list[SupervisionNotice]
    longest_overdue: list[Task]
    overdue_total: int
    worst_units: list[UnitScore]
    coordination: list[ProgressReport]
    coordination_total: int
    instructions: list[Any]


def leader_screen(user: User, today: dt.date | None = None, limit: int = 10) -> LeaderScreen:
    from luoshi.supervision.models import Instruction

    today = today or timezone.localdate()
    tasks = visible_tasks(user)
    overdue = tasks.filter(status__in=OPEN_STATUSES, ongoing=False, deadline__lt=today)
    notices = SupervisionNotice.objects.filter(escalated_on__isnull=False).exclude(status=NoticeStatus.CLOSED)
    if not user.is_superuser and user.region is not None:
        notices = notices.filter(region_subtree_q(user))
    escalated = sorted(
        notices.select_related("unit", "unit__leader"),
        key=lambda n: (n.unit.leader_id != user.pk, n.reply_deadline),  # the units I am in charge of first
    )[:limit]
    since = today - dt.timedelta(days=62)
    problems = (
        ProgressReport.objects.filter(task__in=tasks.filter(status__in=LIVE_STATUSES), period_end__gte=since)
        .exclude(problems="")
        .select_related("task", "unit")
        .order_by("-submitted_at")
    )
    # the worst: assessed units with something wrong (overdue, a missed or late report, a return), worst first
    scores = scoreboard(user, periods.period_containing("monthly", today))
    bottom = sorted(
        (
            u
            for u in scores
            if u.assessed and (u.overdue or u.returns or u.reports_on_time < u.reports_expected)
        ),
        key=lambda u: (u.score, -u.overdue, u.unit),
    )[:5]
    return LeaderScreen(
        escalated=list(escalated),
        longest_overdue=list(overdue.select_related("plan").order_by("deadline", "id")[:limit]),
        overdue_total=overdue.count(),
        worst_units=bottom,
        coordination=list(problems[:limit]),
        coordination_total=problems.count(),
        instructions=list(
            Instruction.objects.filter(task__in=tasks).select_related("task", "by").order_by("-at")[:limit]
        ),
    )
