"""Fixtures: a 荆门市 ledger with tasks due, signed off on time, late and overdue (dated facts), and a county
below it, so figures, roll-ups and scoping can be checked against direct counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _files_dir(tmp_path: Any, settings: Any) -> None:
    settings.FILES_DIR = tmp_path / "files"


@pytest.fixture
def county(regions: dict[str, Any]) -> Any:
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import RegionLevel

    return region_create(code="t420802", name="东宝区", level=RegionLevel.COUNTY, parent=regions["jingmen"])


@pytest.fixture
def ledger(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any], county: Any
) -> dict[str, Any]:
    """Five tasks in 荆门市: (fgw) on time, late, overdue, not yet due; (jxj) overdue. One task in 东宝区."""
    from luoshi.orgs.models import Unit
    from luoshi.plans.models import Measure, Plan, PlanStatus
    from luoshi.supervision.models import Task, TaskStatus
    from luoshi.supervision.services import tasks_sync_from_plan

    db_unit = Unit.objects.create(region=county, name="东宝区发展和改革局")
    units["db_fgw"] = db_unit

    def plan_with(region: Any, title: str, specs: list[tuple[str, dt.date, str]]) -> list[Any]:
        plan = Plan.objects.create(
            region=region,
            title=title,
            status=PlanStatus.PUBLISHED,
            reporting_cycle="monthly",
            issued_on=dt.date(2026, 1, 5),
        )
        for i, (text, deadline, unit_key) in enumerate(specs, start=1):
            m = Measure.objects.create(
                plan=plan,
                seq=i,
                text=text,
                deadline=deadline,
                lead_units_text=[units[unit_key].name],
            )
            m.lead_units.set([units[unit_key]])
        return tasks_sync_from_plan(plan=plan, actor=None, today=dt.date(2026, 1, 5))

    t = plan_with(
        regions["jingmen"],
        "荆门市优化营商环境行动方案",
        [
            ("上线企业服务专区。", dt.date(2026, 3, 31), "jm_fgw"),
            ("建成项目审批系统。", dt.date(2026, 4, 30), "jm_fgw"),
            ("出台信用修复办法。", dt.date(2026, 5, 31), "jm_fgw"),
            ("年底前实现一网通办。", dt.date(2026, 12, 31), "jm_fgw"),
            ("建成中小企业服务平台。", dt.date(2026, 5, 15), "jm_jxj"),
        ],
    )
    d = plan_with(county, "东宝区行动方案", [("建成政务服务驿站。", dt.date(2026, 4, 30), "db_fgw")])
    # dated facts: signed off on time (3-20), late (5-10), and in the county on time (4-28)
    Task.objects.filter(pk=t[0].pk).update(
        status=TaskStatus.SIGNED_OFF, signed_off_on=dt.date(2026, 3, 20), colour="green"
    )
    Task.objects.filter(pk=t[1].pk).update(
        status=TaskStatus.SIGNED_OFF, signed_off_on=dt.date(2026, 5, 10), colour="green"
    )
    Task.objects.filter(pk=t[2].pk).update(status=TaskStatus.IN_PROGRESS, colour="red")
    Task.objects.filter(pk=t[3].pk).update(status=TaskStatus.IN_PROGRESS, colour="green")
    Task.objects.filter(pk=t[4].pk).update(status=TaskStatus.IN_PROGRESS, colour="red")
    Task.objects.filter(pk=d[0].pk).update(
        status=TaskStatus.SIGNED_OFF, signed_off_on=dt.date(2026, 4, 28), colour="green"
    )
    Task.objects.filter(pk__in=[x.pk for x in t + d]).update(
        created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    )
    return {"tasks": t, "county_tasks": d, "units": units}


@pytest.fixture
def refreshed(ledger: dict[str, Any], monkeypatch: Any) -> dict[str, Any]:
    from django.utils import timezone

    from luoshi.dashboard import services

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    services.refresh(
        today=TODAY, periods=services.periods_to_refresh(TODAY, {"month": 6, "quarter": 2, "year": 1})
    )
    return ledger
