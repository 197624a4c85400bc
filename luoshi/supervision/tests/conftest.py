"""Fixtures: a published plan with measures, synced into tasks the way the plans app's publish step does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _files_dir(tmp_path: Any, settings: Any) -> None:
    settings.FILES_DIR = tmp_path / "files"


@pytest.fixture
def make_plan(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> Any:
    from luoshi.plans.models import Measure, Plan, PlanStatus

    def make(
        measures: list[dict[str, Any]] | None = None,
        *,
        cycle: str = "monthly",
        issued_on: dt.date = dt.date(2026, 1, 5),
        region: Any = None,
        title: str = "测试行动方案",
    ) -> Any:
        plan = Plan.objects.create(
            region=region or regions["jingmen"],
            title=title,
            status=PlanStatus.PUBLISHED,
            reporting_cycle=cycle,
            issued_on=issued_on,
        )
        specs = (
            measures
            if measures is not None
            else [
                {
                    "text": "大力实施“大学生引(回)荆”计划,2026年新增返乡创业2500人以上。",
                    "deadline": dt.date(2026, 12, 31),
                    "targets": [
                        {"metric": "新增返乡创业", "value": 2500, "unit": "人", "op": ">=", "implicit": False}
                    ],
                    "lead": ["jm_fgw"],
                    "co": ["jm_jxj"],
                },
                {"text": "持续优化政务服务,长期坚持。", "ongoing": True, "lead": ["jm_jxj"], "co": []},
            ]
        )
        for i, spec in enumerate(specs, start=1):
            m = Measure.objects.create(
                plan=plan,
                seq=i,
                text=spec["text"],
                title=spec.get("title", ""),
                deadline=spec.get("deadline"),
                ongoing=spec.get("ongoing", False),
                targets=spec.get("targets", []),
                lead_units_text=[units[k].name for k in spec.get("lead", [])],
                co_units_text=[units[k].name for k in spec.get("co", [])],
            )
            m.lead_units.set([units[k] for k in spec.get("lead", [])])
            m.co_units.set([units[k] for k in spec.get("co", [])])
        return plan

    return make


@pytest.fixture
def tasks(make_plan: Any, users: dict[str, Any]) -> list[Any]:
    from luoshi.supervision.services import tasks_sync_from_plan

    plan = make_plan()
    return tasks_sync_from_plan(plan=plan, actor=users["admin"], today=dt.date(2026, 1, 5))


@pytest.fixture
def many(make_plan: Any, units: dict[str, Any], regions: dict[str, Any]) -> dict[str, Any]:
    """120 open tasks of the staff user's unit (jm_fgw) and 45 of another unit (jm_jxj), deadlines in three
    values only (so the key must break ties), every third of jm_fgw's rows already reported for the period due."""
    from django.utils import timezone

    from luoshi.supervision import periods
    from luoshi.supervision.models import Assignment, ProgressReport, Task

    plan = make_plan([], cycle="monthly")
    start = dt.date(2026, 1, 5)
    tasks = Task.objects.bulk_create(
        [
            Task(
                plan=plan,
                region=regions["jingmen"],
                seq=i + 1,
                title=f"分页任务{i:03d}",
                text="分页测试",
                start_date=start,
                reports_from=start,
                deadline=dt.date(2027, 6, 1) + dt.timedelta(days=i % 3),
                reporting_cycle="monthly",
                status="in_progress",
            )
            for i in range(120 + 45)
        ]
    )
    mine = Assignment.objects.bulk_create(
        [Assignment(task=t, unit=units["jm_fgw"], is_lead=True) for t in tasks[:120]]
    )
    other = Assignment.objects.bulk_create(
        [Assignment(task=t, unit=units["jm_jxj"], is_lead=True) for t in tasks[120:]]
    )
    due = periods.previous_period("monthly", periods.period_containing("monthly", timezone.localdate()))
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                assignment=a,
                task=a.task,
                unit=a.unit,
                period_start=due.start,
                period_end=due.end,
                narrative="按计划推进",
                percent=40,
                due_date=due.end + dt.timedelta(days=3),
            )
            for a in mine[::3]
        ]
    )
    return {"mine": {a.pk for a in mine}, "other": {a.pk for a in other}, "reported": {a.pk for a in mine[::3]}}
