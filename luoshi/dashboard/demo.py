"""Demo step: an indicator tree for 荆门市 imported from a generated .xlsx through the same importer as the
page (computed indicators on supervision's and projects' figures, reported ones with values for the last
four quarters in the city and each county), then a full summary refresh. Idempotent: indicators are keyed
by code, values by (indicator, region, period), and a refresh replaces what it recomputes."""

from __future__ import annotations

import io
from typing import Any

# code, parent, name, weight, lead unit (name in the directory), cycle, unit, direction, target, warning,
# advanced, source, figure key
TREE: tuple[tuple[Any, ...], ...] = (
    ("1", "", "督查督办落实", 40, "", "季", "", "越高越好", None, None, None, "单位填报", ""),
    (
        "1.1",
        "1",
        "重点任务按期完成率",
        50,
        "",
        "季",
        "%",
        "越高越好",
        90,
        70,
        98,
        "系统计算",
        "supervision.on_time_rate",
    ),
    (
        "1.2",
        "1",
        "进展按时报送率",
        30,
        "",
        "季",
        "%",
        "越高越好",
        95,
        80,
        100,
        "系统计算",
        "supervision.report_timeliness",
    ),
    (
        "1.3",
        "1",
        "逾期任务占比",
        20,
        "",
        "季",
        "%",
        "越低越好",
        5,
        15,
        0,
        "系统计算",
        "supervision.overdue_share",
    ),
    ("2", "", "重大项目推进", 30, "", "季", "", "越高越好", None, None, None, "单位填报", ""),
    (
        "2.1",
        "2",
        "项目节点按期率",
        100,
        "",
        "季",
        "%",
        "越高越好",
        90,
        70,
        100,
        "系统计算",
        "projects.milestone_on_time",
    ),
    ("3", "", "政务服务效能", 30, "", "季", "", "越高越好", None, None, None, "单位填报", ""),
    (
        "3.1",
        "3",
        "企业开办时间",
        30,
        "荆门市市场监督管理局",
        "季",
        "天",
        "越低越好",
        1,
        3,
        0.5,
        "单位填报",
        "",
    ),
    (
        "3.2",
        "3",
        "获得电力平均时间",
        20,
        "国网湖北省电力有限公司荆门供电公司",
        "季",
        "天",
        "越低越好",
        15,
        25,
        10,
        "单位填报",
        "",
    ),
    (
        "3.3",
        "3",
        "政务服务好评率",
        30,
        "荆门市行政审批局",
        "季",
        "%",
        "越高越好",
        99,
        95,
        99.8,
        "单位填报",
        "",
    ),
    ("3.4", "3", "一网通办网上可办率", 20, "荆门市数据局", "季", "%", "越高越好", 95, 85, 99, "单位填报", ""),
)
REPORTED_RANGES = {"3.1": (0.6, 3.8), "3.2": (9, 28), "3.3": (94, 99.9), "3.4": (83, 99.5)}


def _workbook() -> bytes:
    from openpyxl import Workbook

    from luoshi.dashboard.services import INDICATOR_COLUMNS

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(INDICATOR_COLUMNS))
    for (
        code,
        parent,
        name,
        weight,
        lead,
        cycle,
        unit,
        direction,
        target,
        warning,
        advanced,
        source,
        key,
    ) in TREE:
        ws.append(
            [
                code,
                parent,
                name,
                weight,
                lead,
                cycle,
                unit,
                direction,
                target,
                warning,
                advanced,
                source,
                key,
                "",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load(ctx: Any) -> str:
    from django.utils import timezone

    from luoshi.core.demo import DEMO_REGION_CODE
    from luoshi.dashboard import engine, services
    from luoshi.dashboard.models import Indicator, IndicatorValue
    from luoshi.orgs.models import Region

    region = Region.objects.filter(code=DEMO_REGION_CODE).first()
    if region is None:
        return "监测分析:未找到荆门市,跳过"
    if not Indicator.objects.filter(region=region).exists():
        services.indicators_import(
            user=None, region=region, data=_workbook(), filename="荆门市营商环境监测指标体系.xlsx"
        )
    rng = ctx.rng_for("dashboard")
    today = timezone.localdate()
    quarters = engine.last_periods("quarter", today, 4)
    regions = [region, *Region.objects.filter(parent=region).order_by("code")]
    reported = 0
    for code, (low, high) in REPORTED_RANGES.items():
        ind = Indicator.objects.get(region=region, code=code)
        for q in quarters:
            for r in regions:
                value = round(rng.uniform(low, high), 1)
                if IndicatorValue.objects.filter(indicator=ind, region=r, period_start=q.start).exists():
                    continue
                services.value_report(
                    user=None,
                    indicator=ind,
                    region=r,
                    period=q,
                    value=value,
                    evidence=f"{r.name}{q.label()}统计报表(演示数据)",
                )
                reported += 1
    result = services.refresh(today=today)
    return (
        f"监测分析:指标体系 {Indicator.objects.filter(region=region).count()} 项,新填报数值 {reported} 条,"
        f"汇总 {len(result.periods)} 个期间 {result.rows} 行"
    )
