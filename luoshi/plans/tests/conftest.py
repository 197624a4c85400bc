"""Fixtures of the plans pages and services: seed files, small plans built without the parser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DEMO_DATA = Path(__file__).resolve().parent.parent / "demo_data"

# A small plan in the format of seed 000 (a responsibility parenthetical after each group of sentences).
SMALL_PLAN = """荆门市优化营商环境测试行动方案
荆门市人民政府办公室
2025年4月9日
一、重点任务
(一)优化审批服务。推行企业开办“一网通办”,企业开办时间压缩至1个工作日以内。(市发改委负责,2025年6月底前完成)完善重大项目审批绿色通道,实行容缺受理。(市经信局、市发改委负责,2025年10月底前完成)
(二)加强要素保障。新建人才公寓500套以上,保障引进人才住房需求。(市住房保障中心负责,2025年12月底前完成)
二、保障措施
各地各部门要高度重视,加强组织领导,确保各项任务落到实处。
"""


def seed_path(number: str) -> Path:
    return next(DEMO_DATA.glob(f"{number}_*.txt"))


@pytest.fixture
def small_plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "荆门市测试方案.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return path


@pytest.fixture
def make_plan(users: dict[str, Any], regions: dict[str, Any]) -> Callable[..., Any]:
    """`make_plan([(text, [lead names], [co names]), ...])`: a draft plan in 荆门市 without running the parser,
    its unit names resolved against the directory like an import does."""
    from luoshi.plans import services
    from luoshi.plans.models import Measure, Plan

    def make(rows: list[tuple[str, list[str], list[str]]], *, region: Any = None, **plan_fields: Any) -> Plan:
        region = region or regions["jingmen"]
        source = "\n".join(text for text, _, _ in rows)
        plan = Plan.objects.create(
            region=region,
            title=plan_fields.pop("title", "测试方案"),
            source_text=source,
            year=plan_fields.pop("year", 2025),
            created_by=users["admin"],
            **plan_fields,
        )
        resolved = services._resolve([n for _, lead, co in rows for n in (*lead, *co)], region)
        pos = 0
        for seq, (text, lead, co) in enumerate(rows, start=1):
            links = services._links(lead, co, resolved)
            m = Measure.objects.create(
                plan=plan,
                seq=seq,
                path=["一、重点任务"],
                text=text,
                lead_units_text=lead,
                co_units_text=co,
                unit_links=links,
                unresolved_units=services._unresolved(links),
                span_start=pos,
                span_end=pos + len(text),
            )
            services._sync_unit_relations(m)
            pos += len(text) + 1
        return plan

    return make
