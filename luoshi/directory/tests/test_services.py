"""Directory maintenance: who may change what, and every change in the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.audit.selectors import events_for
from luoshi.core.errors import AccessDenied, Conflict, ValidationFailed
from luoshi.directory.selectors import resolve_unit
from luoshi.directory.services import (
    alias_add,
    alias_remove,
    region_create,
    unit_confirm_from_name,
    unit_create,
    unit_merge,
    unit_rename,
    unit_update,
    unit_verify,
)
from luoshi.orgs.models import Unit, UnitAlias


def _actions(obj: Any) -> list[str]:
    return list(events_for(obj).order_by("id").values_list("action", flat=True))


def test_unit_create_is_audited(users: dict[str, Any], regions: dict[str, Any]) -> None:
    unit = unit_create(
        actor=users["admin"], region=regions["jingmen"], name="荆门市数据局", aliases=["市数据局"]
    )
    event = events_for(unit).get()
    assert event.action == "unit.created" and event.actor == users["admin"]
    assert event.after is not None and event.after["aliases"] == ["市数据局"]


def test_alias_add_and_remove_are_audited(users: dict[str, Any], units: dict[str, Any]) -> None:
    unit = units["jm_fgw"]
    alias = alias_add(actor=users["admin"], unit=unit, alias="市发展改革委")
    alias_remove(actor=users["admin"], alias=alias)
    assert _actions(unit) == ["unit.alias_added", "unit.alias_removed"]
    assert not UnitAlias.objects.filter(unit=unit, alias="市发展改革委").exists()


def test_verify_corrects_name_and_keeps_written_name_as_alias(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    unit = unit_create(actor=users["admin"], region=regions["jingmen"], name="市城管委", verified=False)
    unit_verify(actor=users["admin"], unit=unit, name="荆门市城市管理执法委员会", reason="编制文件")
    unit.refresh_from_db()
    assert unit.verified and unit.name == "荆门市城市管理执法委员会"
    assert resolve_unit("市城管委", regions["jingmen"]).unit == unit
    event = events_for(unit).filter(action="unit.verified").get()
    assert event.before is not None and event.after is not None
    assert event.before["name"] == "市城管委" and event.after["name"] == "荆门市城市管理执法委员会"
    assert event.reason == "编制文件"


def test_rename_refuses_a_name_taken_in_the_region(users: dict[str, Any], units: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="合并"):
        unit_rename(actor=users["admin"], unit=units["jm_jxj"], name="荆门市发展和改革委员会")


def test_stale_version_is_refused_not_lost(users: dict[str, Any], units: dict[str, Any]) -> None:
    unit = units["jm_jxj"]
    version = unit.version
    unit_rename(actor=users["admin"], unit=unit, name="荆门市经济和信息化局(更正)", expected_version=version)
    with pytest.raises(Conflict):
        unit_update(actor=users["admin"], unit=unit, note="另一人的修改", expected_version=version)
    unit.refresh_from_db()
    assert unit.name == "荆门市经济和信息化局(更正)" and unit.note == ""


def test_confirm_unknown_name_creates_an_unverified_unit(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    unit = unit_confirm_from_name("市招商局", regions["jingmen"], users["admin"])
    assert unit.name == "市招商局" and not unit.verified
    assert resolve_unit("市招商局", regions["jingmen"]).unit == unit
    # Confirming again changes nothing.
    assert unit_confirm_from_name("市招商局", regions["jingmen"], users["admin"]) == unit
    assert _actions(unit) == ["unit.created"]


def test_confirm_with_full_name_creates_verified_unit_with_alias(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    unit = unit_confirm_from_name(
        "市审批局等", regions["jingmen"], users["admin"], full_name="荆门市行政审批局"
    )
    assert unit.verified and unit.name == "荆门市行政审批局"
    assert resolve_unit("市审批局", regions["jingmen"]).unit == unit


def test_confirm_maps_a_new_spelling_onto_an_existing_unit(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    unit = unit_confirm_from_name(
        "市发展改革委", regions["jingmen"], users["admin"], full_name="荆门市发展和改革委员会"
    )
    assert unit == units["jm_fgw"]
    assert resolve_unit("市发展改革委", regions["jingmen"]).unit == units["jm_fgw"]
    assert _actions(unit) == ["unit.alias_added"]


def test_confirm_refuses_an_ambiguous_name_without_full_name(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    alias_add(actor=users["admin"], unit=units["jm_fgw"], alias="牵头部门")
    alias_add(actor=users["admin"], unit=units["jm_jxj"], alias="牵头部门")
    with pytest.raises(ValidationFailed, match="多个单位"):
        unit_confirm_from_name("牵头部门", regions["jingmen"], users["admin"])


def test_merge_moves_aliases_and_references(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    duplicate = unit_create(
        actor=users["admin"], region=regions["jingmen"], name="荆门市发改委", aliases=["发改委"]
    )
    users["staff_other"].unit = duplicate
    users["staff_other"].save(update_fields=["unit"])
    unit_merge(actor=users["admin"], keep=units["jm_fgw"], duplicate=duplicate, reason="重复录入")
    duplicate.refresh_from_db()
    users["staff_other"].refresh_from_db()
    assert not duplicate.is_active
    assert users["staff_other"].unit == units["jm_fgw"]
    assert resolve_unit("发改委", regions["jingmen"]).unit == units["jm_fgw"]
    assert resolve_unit("荆门市发改委", regions["jingmen"]).unit == units["jm_fgw"]
    assert "unit.merged" in _actions(units["jm_fgw"]) and "unit.merged_into" in _actions(duplicate)


# --- refusals ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["staff", "staff_other", "leader", "enterprise", "observer"])
def test_non_admins_cannot_change_the_directory(
    who: str, users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    actor = users[who]
    with pytest.raises(AccessDenied):
        alias_add(actor=actor, unit=units["jm_fgw"], alias="发改")
    with pytest.raises(AccessDenied):
        unit_verify(actor=actor, unit=units["jm_fgw"])
    with pytest.raises(AccessDenied):
        unit_confirm_from_name("市招商局", regions["jingmen"], actor)
    with pytest.raises(AccessDenied):
        unit_create(actor=actor, region=regions["jingmen"], name="荆门市审计局")
    assert not AuditEvent.objects.filter(actor=actor).exists()


def test_admin_of_another_city_is_refused(
    users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    with pytest.raises(AccessDenied, match="管辖"):
        alias_add(actor=users["admin_jz"], unit=units["jm_fgw"], alias="发改")
    with pytest.raises(AccessDenied):
        unit_merge(actor=users["admin_jz"], keep=units["jz_fgw"], duplicate=units["jm_fgw"])
    with pytest.raises(AccessDenied):
        region_create(
            code="t420802", name="东宝区", level="county", parent=regions["jingmen"], actor=users["admin_jz"]
        )
    # Their own city is fine.
    alias_add(actor=users["admin_jz"], unit=units["jz_fgw"], alias="发改")


def test_city_admin_cannot_change_province_units(users: dict[str, Any], regions: dict[str, Any]) -> None:
    province = unit_create(actor=None, region=regions["hubei"], name="湖北省发展和改革委员会")
    with pytest.raises(AccessDenied):
        unit_rename(actor=users["admin"], unit=province, name="湖北省发改委")
    assert Unit.objects.get(pk=province.pk).name == "湖北省发展和改革委员会"
