"""Resolving unit names as plans write them, in the context of a region."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.directory.selectors import make_resolver, resolve_unit, resolve_units
from luoshi.directory.services import alias_add, region_create, unit_create
from luoshi.orgs.models import RegionLevel, Unit, UnitAlias
from luoshi.orgs.resolution import ResolutionStatus


# --- against the database ------------------------------------------------------------------------------
def test_same_alias_in_two_cities_resolves_to_different_units(
    units: dict[str, Any], regions: dict[str, Any]
) -> None:
    in_jingmen = resolve_unit("市发改委", regions["jingmen"])
    in_jingzhou = resolve_unit("市发改委", regions["jingzhou"])
    assert in_jingmen.status == "resolved" and in_jingmen.unit == units["jm_fgw"]
    assert in_jingzhou.status == "resolved" and in_jingzhou.unit == units["jz_fgw"]
    assert in_jingmen.unit != in_jingzhou.unit


def test_full_name_resolves(units: dict[str, Any], regions: dict[str, Any]) -> None:
    assert resolve_unit("荆门市经济和信息化局", regions["jingmen"]).unit == units["jm_jxj"]


def test_unknown_is_reported_not_guessed(units: dict[str, Any], regions: dict[str, Any]) -> None:
    result = resolve_unit("市城管委", regions["jingmen"])
    assert result.status == ResolutionStatus.UNKNOWN
    assert result.unit is None and result.candidates == []
    assert result.describe() == "unknown"
    # A sibling city's prefixed name is not this city's unit either.
    assert resolve_unit("荆州市发改委", regions["jingmen"]).status == "unknown"


def test_ambiguous_lists_every_candidate(units: dict[str, Any], regions: dict[str, Any]) -> None:
    alias_add(actor=None, unit=units["jm_fgw"], alias="牵头部门")
    alias_add(actor=None, unit=units["jm_jxj"], alias="牵头部门")
    result = resolve_unit("牵头部门", regions["jingmen"])
    assert result.status == ResolutionStatus.AMBIGUOUS
    assert result.unit is None
    assert set(result.candidates) == {units["jm_fgw"], units["jm_jxj"]}
    assert result.describe().startswith("ambiguous: ")


def test_trailing_deng_and_spacing_are_ignored(units: dict[str, Any], regions: dict[str, Any]) -> None:
    assert resolve_unit("市发改委等", regions["jingmen"]).unit == units["jm_fgw"]
    assert resolve_unit(" 市经信局\u3000", regions["jingmen"]).unit == units["jm_jxj"]


def test_fullwidth_characters_are_normalised(regions: dict[str, Any]) -> None:
    unit = unit_create(
        actor=None, region=regions["jingmen"], name="荆门市５Ｇ产业办公室", aliases=["市５Ｇ办"]
    )
    assert unit.name == "荆门市5G产业办公室"
    assert resolve_unit("市5G办", regions["jingmen"]).unit == unit
    assert resolve_unit("市５Ｇ办", regions["jingmen"]).unit == unit


@pytest.fixture
def county(regions: dict[str, Any]) -> Any:
    return region_create(code="t420822", name="沙洋县", level=RegionLevel.COUNTY, parent=regions["jingmen"])


def test_county_plan_resolves_city_and_province_units(
    units: dict[str, Any], regions: dict[str, Any], county: Any
) -> None:
    province = unit_create(
        actor=None, region=regions["hubei"], name="湖北省发展和改革委员会", aliases=["省发改委"]
    )
    assert resolve_unit("省发改委", county).unit == province
    assert resolve_unit("市发改委", county).unit == units["jm_fgw"]
    assert "上级" in resolve_unit("市发改委", county).how


def test_nearest_region_wins(units: dict[str, Any], regions: dict[str, Any], county: Any) -> None:
    own = unit_create(actor=None, region=county, name="沙洋县发展和改革局", aliases=["县发改局", "市发改委"])
    assert resolve_unit("市发改委", county).unit == own
    assert resolve_unit("市发改委", regions["jingmen"]).unit == units["jm_fgw"]


def test_city_plan_reaches_county_units_only_with_their_prefix(
    units: dict[str, Any], regions: dict[str, Any], county: Any
) -> None:
    unit = unit_create(actor=None, region=county, name="沙洋县发展和改革局", aliases=["县发改局"])
    assert resolve_unit("沙洋县发改局", regions["jingmen"]).unit == unit
    assert resolve_unit("沙洋县发展和改革局", regions["jingmen"]).unit == unit
    assert resolve_unit("县发改局", regions["jingmen"]).status == "unknown"


def test_inactive_units_are_not_resolved(units: dict[str, Any], regions: dict[str, Any]) -> None:
    Unit.objects.filter(pk=units["jm_jxj"].pk).update(is_active=False)
    assert resolve_unit("市经信局", regions["jingmen"]).status == "unknown"


def test_batch_uses_a_fixed_number_of_queries(
    units: dict[str, Any], regions: dict[str, Any], django_assert_num_queries: Any
) -> None:
    names = ["市发改委", "市经信局", "市城管委", "荆门市发改委"] * 50
    with django_assert_num_queries(3):
        results = resolve_units(names, regions["jingmen"])
    assert [r.status for r in results[:4]] == ["resolved", "resolved", "unknown", "resolved"]


def test_make_resolver_loads_once(
    units: dict[str, Any], regions: dict[str, Any], django_assert_num_queries: Any
) -> None:
    resolver = make_resolver(regions["jingzhou"])
    with django_assert_num_queries(0):
        assert resolver("市发改委").unit == units["jz_fgw"]
        assert resolver("市经信局").status == "unknown"


def test_alias_applies_in_its_own_region(units: dict[str, Any], regions: dict[str, Any]) -> None:
    """An alias registered for a region (here a provincial unit's name as Jingmen plans write it)."""
    UnitAlias.objects.create(unit=units["jz_fgw"], region=regions["jingmen"], alias="荆州发改")
    assert resolve_unit("荆州发改", regions["jingmen"]).unit == units["jz_fgw"]
    assert resolve_unit("荆州发改", regions["jingzhou"]).status == "unknown"


def test_region_without_path_searches_only_itself(units: dict[str, Any]) -> None:
    from luoshi.orgs.models import Region

    loose = Region.objects.create(code="loose", name="某开发区", level=RegionLevel.PARK)
    Unit.objects.create(region=loose, name="某开发区管委会")
    assert resolve_unit("某开发区管委会", loose).status == "resolved"
    assert resolve_unit("市发改委", loose).status == "unknown"
