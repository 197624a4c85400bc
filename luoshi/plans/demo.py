"""Demo step: import the five seed plans, each into its own region, and publish the plan-kind ones.

Unknown unit names are confirmed into the directory as unverified units (for the directory's administrator
to correct) and ambiguous ones are pointed at the candidate of the plan's own region, so every plan-kind seed
publishes. Idempotent: a seed already imported (same region, same sha256) is skipped.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from luoshi.core.demo import DemoContext
from luoshi.orgs.models import Region
from luoshi.plans.models import Measure, Plan, PlanKind, PlanStatus

PROVINCE_CODE = "420000"
# seed number -> (region code, or a code prefix and a name fragment for a park)
SEED_REGIONS: dict[str, tuple[str, str]] = {
    "000": ("420800", ""),  # 荆门市
    "001": ("421000", ""),  # 荆州市
    "002": ("420200-", "新港"),  # 黄石新港(物流)工业园区
    "003": ("420600", ""),  # 襄阳市
    "004": ("420112", ""),  # 武汉市东西湖区(临空港经开区)
}


def _region_for(seed: str) -> Region | None:
    code, name_part = SEED_REGIONS.get(seed, (PROVINCE_CODE, ""))
    if name_part:
        region = (
            Region.objects.filter(code__startswith=code, name__contains=name_part).order_by("code").first()
        )
    else:
        region = Region.objects.filter(code=code).first()
    return region or Region.objects.filter(code=PROVINCE_CODE).first()


def _settle_units(plan: Plan) -> None:
    """Confirm unknown names as new (unverified) units; point ambiguous names at the nearest candidate."""
    from luoshi.orgs.models import Unit
    from luoshi.plans.services import measure_assign_unit, plan_confirm_unit, publish_blockers

    for name in sorted({b["name"] for b in publish_blockers(plan) if b["status"] == "unknown"}):
        plan_confirm_unit(plan=plan, name=name, actor=None)
    for measure in Measure.objects.filter(plan=plan).order_by("seq"):
        for link in measure.unit_links:
            if link["status"] != "ambiguous" or not link["candidates"]:
                continue
            ids = [c["id"] for c in link["candidates"]]
            units = {u.pk: u for u in Unit.objects.filter(pk__in=ids).select_related("region")}
            own = [units[i] for i in ids if i in units and units[i].region_id == plan.region_id]
            unit = own[0] if own else units[ids[0]]
            measure = measure_assign_unit(
                measure=Measure.objects.get(pk=measure.pk),
                actor=None,
                version=Measure.objects.get(pk=measure.pk).version,
                name=link["name"],
                unit=unit,
                role=link["role"],
            )


def load(ctx: DemoContext) -> str:
    from luoshi.plans.services import (
        measure_confirm_ongoing,
        plan_apply_period_default,
        plan_import,
        plan_period_end,
        plan_publish,
        undated_measures,
    )

    imported = published = skipped = 0
    notes: list[str] = []
    for path in sorted(Path(ctx.seed_plans_dir).glob("*.txt")):
        seed = path.name[:3]
        region = _region_for(seed)
        if region is None:
            notes.append(f"{path.name}: 没有区域")
            continue
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        plan: Any = Plan.objects.filter(region=region, source_sha256=sha).order_by("-revision").first()
        if plan is not None:
            skipped += 1
        else:
            plan = plan_import(path, region=region, actor=None)
            imported += 1
        if plan.kind == PlanKind.PLAN and plan.status == PlanStatus.DRAFT and plan.measures.exists():
            _settle_units(plan)
            if plan_period_end(plan) is not None:
                plan_apply_period_default(plan=plan, actor=None)
            else:
                for m in undated_measures(plan):
                    measure_confirm_ongoing(measure=m, actor=None, version=m.version)
            plan_publish(plan, actor=None, confirm_unassigned=True)
            published += 1
    summary = f"行动方案:导入 {imported} 个,发布 {published} 个,已存在 {skipped} 个"
    return summary + (f"({';'.join(notes)})" if notes else "")
