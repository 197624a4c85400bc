"""Demo step: `ctx.options.projects` major projects in 荆门市 with milestones in every state, so the ledger
shows red, yellow and green. Idempotent: projects are keyed by code (JM-DEMO-001 ...)."""

from __future__ import annotations

import datetime as dt
from typing import Any

SCENARIOS = (
    "red_start",
    "yellow_start",
    "green_signed",
    "green_started",
    "operating",
    "red_register",
    "yellow_problem",
    "suspended",
)
INDUSTRIES = ("新材料", "新能源", "装备制造", "生物医药", "绿色化工", "电子信息", "现代物流", "农产品加工")
KINDS = ("产业园", "生产基地", "技改项目", "研发中心", "智能工厂", "仓储物流中心")
LEADERS = ("王建国", "李红梅", "张志强", "刘洋", "陈静", "杨帆", "赵磊", "黄敏")


def load(ctx: Any) -> str:
    from luoshi.core.demo import DEMO_REGION_CODE
    from luoshi.orgs.models import Enterprise, Region, Unit
    from luoshi.projects import services
    from luoshi.projects.models import Project

    region = Region.objects.filter(code=DEMO_REGION_CODE).first()
    if region is None:
        return "重大项目:未找到荆门市,跳过"
    count = int(getattr(ctx.options, "projects", 30))
    rng = ctx.rng_for("projects")
    units = list(Unit.objects.filter(region=region, is_active=True).order_by("name")[:40])
    owners = list(
        Enterprise.objects.filter(region=region).order_by("id").values_list("name", flat=True)[:200]
    )
    today = services.today()
    created = 0
    for i in range(count):
        # draw every random value first so an existing project does not shift the next ones
        industry, kind, leader = rng.choice(INDUSTRIES), rng.choice(KINDS), rng.choice(LEADERS)
        investment = rng.randrange(5000, 800000)
        owner = rng.choice(owners) if owners else f"荆门{industry}有限公司"
        picked = rng.sample(units, k=min(len(units), rng.randint(1, 2))) if units else []
        level = rng.choice(("province", "city", "city", "park"))
        jitter = rng.randrange(0, 20)
        code = f"JM-DEMO-{i + 1:03d}"
        if Project.objects.filter(code=code).exists():
            continue
        project = services.project_create(
            user=None,
            region=region,
            code=code,
            name=f"荆门{industry}{kind}({i + 1}号)",
            level=level,
            investment=investment,
            owner_name=owner,
            industry=industry,
            leader_name=leader,
            units=picked,
        )
        _advance(project, SCENARIOS[i % len(SCENARIOS)], today, jitter, picked)
        created += 1
    result = services.projects_sweep()
    return (
        f"重大项目:新建 {created} 个(共 {Project.objects.filter(code__startswith='JM-DEMO-').count()} 个),"
        f"红 {result.red} 黄 {result.yellow} 绿 {result.green}"
    )


def _back(today: dt.date, months: int, days: int = 0) -> dt.date:
    from luoshi.projects.engine import add_months

    return add_months(today, -months) - dt.timedelta(days=days)


def _advance(project: Any, scenario: str, today: dt.date, jitter: int, units: list[Any]) -> None:
    from luoshi.projects import services

    def actual(kind: str, day: dt.date) -> None:
        services.milestone_record(user=None, project=project, kind=kind, actual_date=day)

    def plan(kind: str, day: dt.date) -> None:
        services.milestone_plan(user=None, project=project, kind=kind, planned_date=day)

    if scenario == "red_start":  # signed 7-8 months ago, not started: 签约6个月内开工 missed
        actual("signed", _back(today, 7, jitter))
    elif scenario == "yellow_start":  # the 6-month limit falls within the next couple of weeks
        actual("signed", _back(today, 6) + dt.timedelta(days=5 + jitter % 8))
    elif scenario == "green_signed":
        actual("signed", _back(today, 1, jitter))
    elif scenario == "green_started":
        actual("signed", _back(today, 4, jitter))
        actual("started", today - dt.timedelta(days=10 + jitter))
    elif scenario == "operating":
        for n, kind in enumerate(("signed", "started", "registered", "completed", "operating")):
            actual(kind, _back(today, 30 - 5 * n - (1 if n == 2 else 0), jitter))
    elif scenario == "red_register":  # started 3 months ago, not yet 入库 (limit 2 months)
        actual("signed", _back(today, 6, jitter))
        actual("started", _back(today, 3, jitter))
    elif scenario == "yellow_problem":
        actual("signed", _back(today, 2, jitter))
        if units:
            services.problem_raise(
                user=None,
                project=project,
                description="项目用地报批手续尚未完成,需协调加快办理",
                unit=units[0],
                due=today + dt.timedelta(days=7),
            )
    else:  # suspended
        actual("signed", _back(today, 3, jitter))
        services.project_update(user=None, project=project, status="suspended")
        return
    if scenario != "operating":
        plan("completed", _back(today, -18) + dt.timedelta(days=jitter))
        plan("operating", _back(today, -24) + dt.timedelta(days=jitter))
