"""Assigning (and reassigning) a published task's responsible units: the office's answer to measures that named
no unit, or named the wrong one. Audited; the units that are new to the task are notified."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import region_contains, require_can_change
from luoshi.accounts.models import User
from luoshi.audit.services import record
from luoshi.core.bounds import expected_or_current
from luoshi.core.errors import Conflict, InvalidTransition, ValidationFailed
from luoshi.notifications import services as notifications
from luoshi.orgs.models import Unit
from luoshi.supervision.access import require_office
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import LIVE_STATUSES, Assignment, NotificationKind, Task
from luoshi.supervision.services.common import recolour


@transaction.atomic
def task_assign_units(
    *,
    task: Task,
    user: User | None,
    lead_unit_ids: Sequence[int],
    co_unit_ids: Sequence[int] = (),
    expected_version: int | None = None,
    reason: str = "",
) -> Task:
    """Set the task's lead and co-units. Units dropped keep their reports (the assignment is deactivated);
    units added are told. Refused for a closed task, an empty lead list, or a unit outside the task's region."""
    require_can_change(user)
    require_office(user, task, action="指定任务的责任单位")
    current = Task.objects.select_for_update().select_related("region").get(pk=task.pk)
    version = expected_or_current(expected_version, task.version)
    if current.version != version:
        raise Conflict("该任务已被他人修改,请刷新页面后重试。", code=SupervisionError.TASK_EDITED_ELSEWHERE)
    if current.status not in LIVE_STATUSES:
        raise InvalidTransition(f"任务当前状态为“{current.get_status_display()}”,不能再调整责任单位。", code=SupervisionError.TASK_CLOSED_FOR_ASSIGNMENT)
    leads = list(dict.fromkeys(int(u) for u in lead_unit_ids))
    cos = [u for u in dict.fromkeys(int(u) for u in co_unit_ids) if u not in leads]
    if not leads:
        raise ValidationFailed("请至少指定一个牵头单位。", code=SupervisionError.LEAD_UNIT_MISSING)
    units = {u.pk: u for u in Unit.objects.select_related("region").filter(pk__in=[*leads, *cos])}
    missing = [u for u in [*leads, *cos] if u not in units]
    if missing:
        raise ValidationFailed("所选单位在机构库中不存在,请从列表中选择。", code=SupervisionError.UNIT_UNKNOWN)
    for u in units.values():
        if not (region_contains(u.region, current.region) or region_contains(current.region, u.region)):
            raise ValidationFailed(f"“{u.name}”不属于本任务所在区域({current.region}),不能承担该任务。", code=SupervisionError.UNIT_OUTSIDE_REGION)
    wanted = {u: True for u in leads} | {u: False for u in cos}
    existing = {a.unit_id: a for a in Assignment.objects.filter(task=current)}
    before = sorted(
        ((a.unit_id, a.is_lead) for a in existing.values() if a.active), key=lambda x: (not x[1], x[0])
    )
    added: list[int] = []
    for unit_id, is_lead in wanted.items():
        row = existing.get(unit_id)
        if row is None:
            Assignment.objects.create(task=current, unit_id=unit_id, is_lead=is_lead)
            added.append(unit_id)
        elif row.is_lead != is_lead or not row.active:
            if not row.active:
                added.append(unit_id)
            Assignment.objects.filter(pk=row.pk).update(is_lead=is_lead, active=True)
    for unit_id, row in existing.items():
        if unit_id not in wanted and row.active:
            Assignment.objects.filter(pk=row.pk).update(active=False)
    lead_text = "、".join(units[u].name for u in leads)[:500]
    co_text = "、".join(units[u].name for u in cos)[:500]
    Task.objects.filter(pk=current.pk).update(
        lead_units_text=lead_text, co_units_text=co_text, version=F("version") + 1, updated_at=timezone.now()
    )
    current.refresh_from_db()
    names = {u.pk: u.name for u in Unit.objects.filter(pk__in=[u for u, _ in before])} | {
        u.pk: u.name for u in units.values()
    }
    record(
        actor=user,
        action=SupervisionEvent.TASK_UNITS_ASSIGNED,
        subject=current,
        before={
            "lead_units": [names[u] for u, lead in before if lead],
            "co_units": [names[u] for u, lead in before if not lead],
        },
        after={"lead_units": [units[u].name for u in leads], "co_units": [units[u].name for u in cos]},
        reason=reason.strip() or ("指定责任单位" if not before else "调整责任单位"),
    )
    if added:
        notifications.notify(
            units=added,
            kind=NotificationKind.ASSIGNED,
            kind_label=NotificationKind.ASSIGNED.label,
            key=f"assigned:{current.pk}:v{current.version}",
            title=f"新任务:“{current.title[:50]}”由贵单位承担",
            body=(
                f"营商办已指定贵单位为该任务的{'牵头' if any(wanted[u] for u in added) else '责任'}单位,"
                "请按周期报送进展。"
            ),
            url=reverse("supervision:task_detail", args=[current.pk]),
            subject=current,
        )
    recolour(current, actor=user)
    return current
