"""Review edits on a draft plan: update, split, merge, delete, unit assignment and confirmation, concurrency."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, ValidationFailed
from luoshi.orgs.models import Unit
from luoshi.plans import services
from luoshi.plans.models import Measure, PlanStatus

pytestmark = pytest.mark.django_db

ROWS: list[tuple[str, list[str], list[str]]] = [
    ("推行企业开办一网通办,企业开办时间压缩至1个工作日以内。", ["市发改委"], []),
    ("完善重大项目审批绿色通道。实行容缺受理。", ["市经信局"], ["市发改委"]),
    ("新建人才公寓500套以上。", ["市住房保障中心"], []),
]


def _measures(plan: Any) -> list[Measure]:
    return list(Measure.objects.filter(plan=plan).order_by("seq"))


def test_update_reresolves_units_bumps_version_and_is_audited(
    make_plan: Any, users: dict[str, Any], units: dict[str, Any]
) -> None:
    plan = make_plan(ROWS)
    m = _measures(plan)[2]
    assert m.unit_links[0]["status"] == "unknown"
    updated = services.measure_update(
        measure=m,
        actor=users["admin"],
        version=m.version,
        changes={
            "lead_units_text": ["市发改委"],
            "deadline": dt.date(2025, 12, 31),
            "text": "新建人才公寓600套以上。",
        },
    )
    assert updated.version == 2
    assert updated.unresolved_units == []
    assert list(updated.lead_units.all()) == [units["jm_fgw"]]
    event = AuditEvent.objects.get(action="plan.measure_updated", subject_id=str(m.pk))
    assert event.before is not None and event.after is not None
    assert event.before["text"] == "新建人才公寓500套以上。"
    assert event.after["deadline"] == "2025-12-31"


def test_stale_version_is_refused_and_nothing_is_lost(make_plan: Any, users: dict[str, Any]) -> None:
    plan = make_plan(ROWS)
    m = _measures(plan)[0]
    services.measure_update(measure=m, actor=users["admin"], version=1, changes={"title": "企业开办"})
    with pytest.raises(Conflict):
        services.measure_update(measure=m, actor=users["admin"], version=1, changes={"title": "被覆盖"})
    assert Measure.objects.get(pk=m.pk).title == "企业开办"


@pytest.mark.parametrize("who", ["staff", "leader", "observer", "enterprise", "admin_jz"])
def test_only_the_regions_admin_may_edit(make_plan: Any, users: dict[str, Any], who: str) -> None:
    plan = make_plan(ROWS)
    m = _measures(plan)[0]
    with pytest.raises(AccessDenied):
        services.measure_update(measure=m, actor=users[who], version=1, changes={"title": "x"})
    with pytest.raises(AccessDenied):
        services.measure_delete(measure=m, actor=users[who], version=1)
    with pytest.raises(AccessDenied):
        services.plan_publish(plan, actor=users[who])
    assert Measure.objects.get(pk=m.pk).version == 1


def test_invalid_edits_are_refused(make_plan: Any, users: dict[str, Any]) -> None:
    m = _measures(make_plan(ROWS))[0]
    for changes in (
        {"text": "  "},
        {"deadline": "明年"},
        {"targets": [{"metric": "时间", "value": "很快"}]},
        {"status": "published"},
    ):
        with pytest.raises(ValidationFailed):
            services.measure_update(measure=m, actor=users["admin"], version=1, changes=changes)


def test_split_at_offset_renumbers_the_rest(make_plan: Any, users: dict[str, Any]) -> None:
    plan = make_plan(ROWS)
    m = _measures(plan)[1]
    at = m.text.index("实行")
    left, right = services.measure_split(measure=m, actor=users["admin"], version=1, at=at)
    texts = [x.text for x in _measures(plan)]
    assert texts == [ROWS[0][0], "完善重大项目审批绿色通道。", "实行容缺受理。", ROWS[2][0]]
    assert [x.seq for x in _measures(plan)] == [1, 2, 3, 4]
    assert right.lead_units_text == ["市经信局"] and right.co_units_text == ["市发改委"]
    assert right.span_start == left.span_end  # the source highlight is cut at the same place
    with pytest.raises(ValidationFailed):
        services.measure_split(measure=left, actor=users["admin"], version=left.version, at=0)


def test_merge_with_next_and_last_cannot_merge(
    make_plan: Any, users: dict[str, Any], units: dict[str, Any]
) -> None:
    plan = make_plan(ROWS)
    first, second, third = _measures(plan)
    merged = services.measure_merge(measure=first, actor=users["admin"], version=1)
    assert merged.text == ROWS[0][0] + ROWS[1][0]
    assert merged.lead_units_text == ["市发改委", "市经信局"]
    assert set(merged.lead_units.all()) == {units["jm_fgw"], units["jm_jxj"]}
    assert [x.seq for x in _measures(plan)] == [1, 2]
    assert not Measure.objects.filter(pk=second.pk).exists()
    last = Measure.objects.get(pk=third.pk)
    assert last.seq == 2
    with pytest.raises(ValidationFailed):
        services.measure_merge(measure=last, actor=users["admin"], version=last.version)
    assert AuditEvent.objects.filter(action="plan.measure_merged").count() == 1


def test_delete_moves_later_measures_up(make_plan: Any, users: dict[str, Any]) -> None:
    plan = make_plan(ROWS)
    services.measure_delete(measure=_measures(plan)[0], actor=users["admin"], version=1)
    assert [(x.seq, x.text) for x in _measures(plan)] == [(1, ROWS[1][0]), (2, ROWS[2][0])]


def test_assign_unit_to_unknown_name_and_confirm_new_unit(
    make_plan: Any, users: dict[str, Any], units: dict[str, Any]
) -> None:
    plan = make_plan([*ROWS, ("建设人才驿站。", ["市住房保障中心"], [])])
    blockers = services.publish_blockers(plan)
    assert {b["name"] for b in blockers} == {"市住房保障中心"}
    m = _measures(plan)[2]
    services.measure_assign_unit(
        measure=m, actor=users["admin"], version=1, name="市住房保障中心", unit=units["jm_fgw"]
    )
    m.refresh_from_db()
    assert m.unit_links[0]["status"] == "resolved" and m.unit_links[0]["picked"]
    with pytest.raises(ValidationFailed):  # a unit of another city
        services.measure_assign_unit(
            measure=m, actor=users["admin"], version=m.version, name="市住房保障中心", unit=units["jz_fgw"]
        )
    unit = services.plan_confirm_unit(plan=plan, name="市住房保障中心", actor=users["admin"])
    assert isinstance(unit, Unit) and not unit.verified
    assert services.publish_blockers(plan) == []
    assert list(_measures(plan)[3].lead_units.all()) == [unit]


def test_publish_refuses_unresolved_units_then_creates_tasks(make_plan: Any, users: dict[str, Any]) -> None:
    from luoshi.supervision.models import Task

    plan = make_plan(ROWS)
    with pytest.raises(InvalidTransition) as refused:
        services.plan_publish(plan, actor=users["admin"])
    assert "市住房保障中心" in refused.value.message
    assert Task.objects.count() == 0
    services.plan_confirm_unit(plan=plan, name="市住房保障中心", actor=users["admin"])
    services.plan_apply_period_default(plan=plan, actor=users["admin"])
    published = services.plan_publish(plan, actor=users["admin"])
    assert published.status == PlanStatus.PUBLISHED and published.published_at is not None
    assert Task.objects.filter(plan=plan).count() == 3
    assert AuditEvent.objects.filter(action="plan.published", subject_id=str(plan.pk)).exists()
    with pytest.raises(InvalidTransition):
        services.plan_publish(plan, actor=users["admin"])
    with pytest.raises(InvalidTransition):
        m = _measures(plan)[0]
        services.measure_update(measure=m, actor=users["admin"], version=m.version, changes={"title": "x"})


def test_publish_with_stale_plan_version_is_refused(make_plan: Any, users: dict[str, Any]) -> None:
    plan = make_plan(ROWS[:2])
    seen = plan.version
    services.measure_update(
        measure=_measures(plan)[0], actor=users["admin"], version=1, changes={"title": "t"}
    )
    with pytest.raises(Conflict):
        services.plan_publish(plan, actor=users["admin"], version=seen)
