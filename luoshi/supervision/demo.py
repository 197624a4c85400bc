"""Demo step: progress on the tasks of the published seed plans, so the ledger shows all three colours.

Runs after the plans step has published the seed plans (each publish made the tasks). Deterministic for a
given day (ctx.rng_for), idempotent: once any demo report exists the step does nothing. Reports, sign-offs
and returns go through the same services as the pages, as the system (no person).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from luoshi.core.demo import DemoContext
from luoshi.plans.models import Plan, PlanStatus
from luoshi.supervision import periods
from luoshi.supervision.models import Assignment, ProgressReport, Task, TaskStatus


def _recent_periods(cycle: str, today: dt.date, n: int) -> list[periods.Period]:
    out = []
    p = periods.previous_period(cycle, periods.period_containing(cycle, today))
    for _ in range(n):
        out.append(p)
        p = periods.previous_period(cycle, p)
    return list(reversed(out))


def load(ctx: DemoContext) -> str:
    from luoshi.supervision.services import report_file, sweep, task_transition, tasks_sync_from_plan

    plans = list(Plan.objects.filter(status=PlanStatus.PUBLISHED).order_by("pk"))
    if not plans:
        return "督查督办:尚无已发布的方案,未生成进展数据"
    if ProgressReport.objects.filter(task__plan__in=plans).exists():
        return "督查督办:演示进展已存在,跳过"
    rng = ctx.rng_for("supervision")
    today = timezone.localdate()
    for plan in plans:
        if not Task.objects.filter(plan=plan).exists():
            tasks_sync_from_plan(plan=plan, actor=None)
    tasks = list(Task.objects.filter(plan__in=plans).exclude(status=TaskStatus.CANCELLED).order_by("pk"))
    # demo history: reporting is owed from the plan's start, so missed reports show up at once
    for task in tasks:
        Task.objects.filter(pk=task.pk).update(reports_from=task.start_date)
    profiles = {"good": 0, "one_missed": 0, "returned": 0, "silent": 0}
    with transaction.atomic():
        for task in tasks:
            assignments = list(Assignment.objects.filter(task=task, active=True).order_by("-is_lead", "pk"))
            if not assignments:
                continue
            roll = rng.random()
            profile = (
                "good"
                if roll < 0.45
                else "one_missed"
                if roll < 0.7
                else "returned"
                if roll < 0.85
                else "silent"
            )
            profiles[profile] += 1
            if profile == "silent":
                continue
            recent = [
                p for p in _recent_periods(task.reporting_cycle, today, 4) if p.start >= task.start_date
            ]
            if profile == "one_missed" and len(recent) >= 2:
                recent = recent[:-2] + recent[-1:]
            base = rng.randint(20, 60)
            for i, period in enumerate(recent):
                pct = 100 if profile == "returned" else min(100, base + 10 * i)
                for a in assignments:
                    report_file(
                        assignment=a,
                        user=None,
                        period_start=period.start,
                        narrative=f"{a.unit.name}按计划推进,本期完成阶段性工作。",
                        percent=pct,
                        problems="需市级层面协调要素保障。" if rng.random() < 0.1 else "",
                        today=min(today, period.end + dt.timedelta(days=2)),
                        recolour_task=False,
                    )
            task.refresh_from_db()
            if task.ongoing or task.status != TaskStatus.IN_PROGRESS:
                continue
            if profile == "good" and task.deadline and task.deadline < today:
                task = task_transition(
                    task=task,
                    to=TaskStatus.SIGN_OFF_REQUESTED,
                    user=None,
                    evidence="各项工作已完成,佐证材料见进展报送。",
                )
                task_transition(task=task, to=TaskStatus.SIGNED_OFF, user=None, reason="材料齐全,同意销号。")
            elif profile == "returned":
                for n in range(1 + (rng.random() < 0.5)):
                    task = task_transition(
                        task=task, to=TaskStatus.SIGN_OFF_REQUESTED, user=None, evidence="已完成。"
                    )
                    task = task_transition(
                        task=task,
                        to=TaskStatus.RETURNED,
                        user=None,
                        reason=f"佐证材料不足,请补充(第{n + 1}次退回)。",
                    )
                    task = task_transition(task=task, to=TaskStatus.IN_PROGRESS, user=None)
    result = sweep(today)
    return (
        f"督查督办:{len(tasks)} 项任务生成演示进展(按期 {profiles['good']}、漏报 {profiles['one_missed']}、"
        f"退回 {profiles['returned']}、未报 {profiles['silent']});预警 绿 {result.green} 黄 {result.yellow} "
        f"红 {result.red}"
    )
