"""The revision diff and the task carry-over match measures by ONE rule (plans.diff.match_measures): a measure
the reviewer sees as "changed" — reworded and renumbered — keeps its task, its reports and its history when the
revision is published through the publish hook."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.plans import hooks
from luoshi.plans.diff import ChangeKind
from luoshi.plans.models import Measure, Plan
from luoshi.plans.selectors import plan_diff
from luoshi.supervision import services
from luoshi.supervision.models import ProgressReport, Task, TaskStatus

pytestmark = pytest.mark.django_db


def test_reworded_and_renumbered_measure_keeps_its_task(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any], make_plan: Any
) -> None:
    old_plan = tasks[0].plan
    kept = tasks[0]  # measure 1: "大力实施“大学生引(回)荆”计划,2026年新增返乡创业2500人以上。"
    report = services.report_file(
        assignment=kept.assignments.get(unit=units["jm_fgw"]),
        user=users["staff"],
        period_start=dt.date(2026, 3, 1),
        narrative="三月推进",
        percent=30,
        today=dt.date(2026, 3, 20),
    )
    history_before = AuditEvent.objects.filter(subject_type="supervision.task", subject_id=str(kept.pk)).count()

    # the revision: a new measure first, so the old measure 1 is now number 2, and it is reworded
    revised = make_plan(
        [
            {"text": "新增:全面推行涉企经营许可事项清单管理。", "deadline": dt.date(2026, 11, 30), "lead": ["jm_jxj"]},
            {
                "text": "深入实施“大学生引(回)荆”计划,2026年全市新增返乡创业2500人以上。",
                "deadline": dt.date(2026, 12, 31),
                "lead": ["jm_fgw"],
                "co": ["jm_jxj"],
            },
            {"text": "持续优化政务服务,长期坚持。", "ongoing": True, "lead": ["jm_jxj"]},
        ],
        title="测试行动方案(修订)",
    )
    Plan.objects.filter(pk=revised.pk).update(previous=old_plan, revision=2)
    revised.refresh_from_db()
    reworded = Measure.objects.get(plan=revised, seq=2)

    # what the reviewer approves: measure 2 is "changed", not "removed + added"
    diff = plan_diff(users["admin"], revised)
    row = next(d for d in diff if d.new is not None and d.new.key == reworded.pk)
    assert row.kind == ChangeKind.CHANGED and row.old is not None and row.old.key == kept.measure_id
    assert hooks.revision_matches(revised)[reworded.pk] == kept.measure_id

    # publishing through the hook carries the task over
    out = hooks.emit_plan_published(plan=revised, actor=users["admin"])
    kept.refresh_from_db()
    assert kept.plan_id == revised.pk and kept.measure_id == reworded.pk
    assert kept.status != TaskStatus.CANCELLED
    assert kept.pk in {t.pk for t in out}
    assert ProgressReport.objects.filter(pk=report.pk, task=kept).exists()  # its reports stay
    history = AuditEvent.objects.filter(subject_type="supervision.task", subject_id=str(kept.pk))
    assert history.count() > history_before  # its history continues ...
    assert history.filter(action="task.carried_over").exists()  # ... with the carry-over recorded
    assert Task.objects.filter(plan=revised).count() == 3  # one new task for the new measure only
