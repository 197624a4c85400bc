"""Supervised tasks asked for by other apps: a hotspot of enterprise requests (企业诉求热点) becomes a task.

Requests announces ``luoshi.core.hooks.supervised_task_requested``; this module answers it (connected in
``SupervisionConfig.ready``), the same way supervision answers the plans' publish hook. The task lives in the
region's yearly container plan 《企业诉求热点问题整改(YYYY年)》 (created published, so the ledger, the sweep,
warnings and 督办单 treat it like every other task); the lead unit is the cluster's most frequent lead unit, the
others are co-units; the deadline is ``HOTSPOT_WORKDAYS`` working days from today on the region's calendar
(疑难 15日办). Nothing of requests is imported: the hook sends plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import require_can_change, require_region
from luoshi.accounts.models import User
from luoshi.audit.services import record, snapshot
from luoshi.core.errors import ValidationFailed
from luoshi.notifications import services as notifications
from luoshi.orgs.models import Region, Unit
from luoshi.plans.models import Plan, PlanStatus
from luoshi.supervision.access import require_office
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import Assignment, NotificationKind, Task
from luoshi.supervision.services.common import add_workdays

HOTSPOT_WORKDAYS = 15
CONTAINER_SOURCE = "requests.hotspots"


def _container(region: Region, year: int, actor: User | None) -> Plan:
    plan = (
        Plan.objects.select_for_update()
        .filter(region=region, source_name=CONTAINER_SOURCE, year=year)
        .order_by("pk")
        .first()
    )
    if plan is None:
        plan = Plan.objects.create(
            region=region,
            title=f"企业诉求热点问题整改({year}年)",
            status=PlanStatus.PUBLISHED,
            year=year,
            issuer=f"{region.name}优化营商环境工作领导小组办公室",
            source_name=CONTAINER_SOURCE,
            published_at=timezone.now(),
        )
        record(
            actor=actor,
            action=SupervisionEvent.HOTSPOT_PLAN_CREATED,
            subject=plan,
            after={"title": plan.title},
            reason="企业诉求热点转督办:建立本年度热点整改任务清单",
        )
    return plan


@transaction.atomic
def task_from_hotspot(
    *,
    actor: User | None,
    region: Region,
    title: str,
    text: str,
    unit_ids: Sequence[int],
    items: Sequence[dict[str, Any]] = (),
    period: str = "",
    today: dt.date | None = None,
) -> Task:
    """One supervised task for a cluster of similar requests; `unit_ids[0]` leads, the rest co-operate;
    `items` quote the requests ({"number", "title", "url"})."""
    require_can_change(actor)
    require_office(actor, action="将热点转为督办任务")
    require_region(actor, region, action="为该区域生成督办任务")
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("督办任务名称不能为空。", code=SupervisionError.TITLE_MISSING)
    today = today or timezone.localdate()
    units = {u.pk: u for u in Unit.objects.filter(pk__in=list(unit_ids))}
    ordered = [units[i] for i in dict.fromkeys(unit_ids) if i in units]
    plan = _container(region, today.year, actor)
    quoted = "\n".join(
        f"{i}. {it.get('number', '')} {it.get('title', '')}".rstrip() for i, it in enumerate(items, start=1)
    )
    body = text.strip() + (f"\n\n涉及诉求:\n{quoted}" if quoted else "")
    seq = (Task.objects.filter(plan=plan).aggregate(m=Max("seq"))["m"] or 0) + 1
    task = Task.objects.create(
        plan=plan,
        region=region,
        seq=seq,
        path=["企业诉求热点", period] if period else ["企业诉求热点"],
        title=title[:300],
        text=body,
        lead_units_text=ordered[0].name if ordered else "",
        co_units_text="、".join(u.name for u in ordered[1:])[:500],
        start_date=today,
        reports_from=today,
        deadline=add_workdays(region, today, HOTSPOT_WORKDAYS),
        reporting_cycle=plan.reporting_cycle,
        targets=[],
    )
    record(
        actor=actor,
        action=SupervisionEvent.TASK_CREATED,
        subject=task,
        after={
            **snapshot(task, ["title", "deadline", "lead_units_text", "co_units_text"]),
            "requests": [str(it.get("number", "")) for it in items],
        },
        reason="企业诉求热点转为督办任务",
    )
    for i, unit in enumerate(ordered):
        row = Assignment.objects.create(task=task, unit=unit, is_lead=i == 0)
        record(
            actor=actor,
            action=SupervisionEvent.ASSIGNMENT_CREATED,
            subject=row,
            after={"task": task.pk, "unit": unit.pk, "is_lead": i == 0},
        )
    url = reverse("supervision:task_detail", args=[task.pk])
    if ordered:
        notifications.notify(
            units=[u.pk for u in ordered],
            kind=NotificationKind.ASSIGNED,
            kind_label=NotificationKind.ASSIGNED.label,
            key=f"assigned:{task.pk}:v{task.version}",
            title=f"新督办任务:“{task.title[:50]}”",
            body=(
                f"营商办将{len(items)}件同类企业诉求转为督办任务,牵头单位{ordered[0].name},"
                f"请于{task.deadline:%Y年%m月%d日}前整改到位并按周期报送进展。"
            ),
            url=url,
            subject=task,
        )
    from luoshi.supervision.services.sweep import colour_new_tasks

    colour_new_tasks([task.pk], actor, today=today)
    task.refresh_from_db()
    return task


def on_supervised_task_requested(
    sender: object,
    *,
    actor: User | None,
    region: Region,
    title: str,
    text: str,
    unit_ids: Sequence[int],
    items: Sequence[dict[str, Any]] = (),
    period: str = "",
    **kwargs: object,
) -> dict[str, str]:
    """The receiver of ``luoshi.core.hooks.supervised_task_requested``: the task's reference and page."""
    task = task_from_hotspot(
        actor=actor, region=region, title=title, text=text, unit_ids=unit_ids, items=items, period=period
    )
    return {"ref": f"supervision.task:{task.pk}", "url": reverse("supervision:task_detail", args=[task.pk])}
