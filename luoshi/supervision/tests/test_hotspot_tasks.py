"""Supervision's answer to requests' hotspot hook: a real task per cluster, refused outside the office's region."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.core.errors import AccessDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_hotspot_tasks_share_the_yearly_container_plan_and_refuse_strangers(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.audit.models import AuditEvent
    from luoshi.supervision.models import Assignment, Task
    from luoshi.supervision.services.hotspots import task_from_hotspot

    jm = regions["jingmen"]
    kw: dict[str, Any] = dict(region=jm, text="同类诉求 3 件", today=dt.date(2026, 9, 28))
    for actor in (users["staff"], users["admin_jz"], users["leader"]):
        with pytest.raises(AccessDenied):
            task_from_hotspot(actor=actor, title="热点问题整改:道路积水", unit_ids=[units["jm_fgw"].pk], **kw)
    with pytest.raises(ValidationFailed, match="名称不能为空"):
        task_from_hotspot(actor=users["admin"], title=" ", unit_ids=[], **kw)
    assert not Task.objects.exists()

    items = [{"number": "SQ1", "title": "道路积水"}, {"number": "SQ2", "title": "道路又积水"}]
    first = task_from_hotspot(
        actor=users["admin"],
        title="热点问题整改:道路积水",
        unit_ids=[units["jm_jxj"].pk, units["jm_fgw"].pk],
        items=items,
        period="2026-09",
        **kw,
    )
    second = task_from_hotspot(actor=users["admin"], title="热点问题整改:补贴未到账", unit_ids=[], **kw)
    assert first.plan_id == second.plan_id and (first.seq, second.seq) == (1, 2)
    assert first.plan.title == "企业诉求热点问题整改(2026年)"
    # 15 working days from Monday 28 September 2026 across 国庆 (1-8 October off, 9 October worked): 23 October
    assert first.deadline == dt.date(2026, 10, 23)
    assert first.path == ["企业诉求热点", "2026-09"] and "SQ1 道路积水" in first.text
    leads = dict(Assignment.objects.filter(task=first).values_list("unit_id", "is_lead"))
    assert leads == {units["jm_jxj"].pk: True, units["jm_fgw"].pk: False}
    assert not Assignment.objects.filter(task=second).exists()  # no unit in the cluster: the office assigns one
    assert AuditEvent.objects.filter(action="plan.hotspot_container_created").count() == 1
    assert AuditEvent.objects.filter(action="task.created").count() == 2
