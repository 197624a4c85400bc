"""The demo step imports the five seeds into their regions, publishes the plan-kind ones, and is idempotent."""

from __future__ import annotations

import io

import pytest

from luoshi.core.demo import DemoContext, DemoOptions
from luoshi.plans import demo
from luoshi.plans.models import Plan, PlanKind, PlanStatus

pytestmark = pytest.mark.django_db


def test_demo_imports_and_publishes_the_seeds_once() -> None:
    from luoshi.directory.services import load_shipped_directories
    from luoshi.supervision.models import Task

    load_shipped_directories()
    ctx = DemoContext(options=DemoOptions(), out=io.StringIO())
    summary = demo.load(ctx)
    assert "导入 5 个" in summary
    plans = {p.source_name[:3]: p for p in Plan.objects.select_related("region")}
    assert plans["000"].region.code == "420800" and plans["001"].region.code == "421000"
    assert plans["002"].region.code.startswith("420200-")
    assert plans["003"].region.code == "420600" and plans["004"].region.code == "420112"
    for seed in ("000", "001", "002"):
        assert plans[seed].kind == PlanKind.PLAN and plans[seed].status == PlanStatus.PUBLISHED
        assert Task.objects.filter(plan=plans[seed]).count() == plans[seed].measures.count()
    assert plans["003"].kind != PlanKind.PLAN and plans["004"].kind != PlanKind.PLAN
    tasks = Task.objects.count()
    again = demo.load(ctx)
    assert "导入 0 个" in again and "发布 0 个" in again
    assert Plan.objects.count() == 5 and Task.objects.count() == tasks
