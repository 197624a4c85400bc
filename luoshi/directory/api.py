"""JSON API of the org directory, mounted at /api/orgs/. Same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from luoshi.core.bounds import Id, Limit, Offset, Version
from luoshi.directory import selectors, services
from luoshi.orgs.models import Region, Unit

router = Router(tags=["orgs"])


class RegionOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    level_label: str
    parent_code: str | None
    unit_count: int


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    verified: bool
    is_active: bool
    region_code: str
    region_name: str
    aliases: list[str]
    version: int


class ResolutionOut(Schema):
    status: str
    name: str
    key: str
    how: str
    unit: UnitOut | None
    candidates: list[UnitOut]


class AliasIn(Schema):
    alias: str
    reason: str = ""


class VerifyIn(Schema):
    name: str | None = None
    version: Version
    reason: str = ""


class ConfirmIn(Schema):
    name: str
    region: str
    full_name: str | None = None
    reason: str = ""


def _unit_out(unit: Unit) -> UnitOut:
    return UnitOut(
        id=unit.pk,
        name=unit.name,
        kind=unit.kind,
        kind_label=str(unit.get_kind_display()),
        verified=unit.verified,
        is_active=unit.is_active,
        region_code=unit.region.code,
        region_name=unit.region.name,
        aliases=sorted(a.alias for a in unit.aliases.all()),
        version=unit.version,
    )


def _region_out(region: Region, parents: dict[int, str]) -> RegionOut:
    return RegionOut(
        code=region.code,
        name=region.name,
        short_name=region.short_name,
        level=region.level,
        level_label=str(region.get_level_display()),
        parent_code=parents.get(region.parent_id) if region.parent_id else None,
        unit_count=getattr(region, "unit_count", 0),
    )


def _user(request: HttpRequest) -> Any:
    return request.user


@router.get("/regions", response=list[RegionOut], summary="区域列表(本级、上级和下级)")
def list_regions(request: HttpRequest) -> list[RegionOut]:
    regions = list(selectors.regions_for(_user(request)))
    codes = dict(
        Region.objects.filter(pk__in={r.parent_id for r in regions if r.parent_id}).values_list("pk", "code")
    )
    return [_region_out(r, codes) for r in regions]


@router.get("/units", response=list[UnitOut], summary="单位列表与搜索")
def list_units(
    request: HttpRequest,
    region: str | None = None,
    q: str = "",
    unverified: bool = False,
    subtree: bool = False,
    limit: Limit = 200,
    offset: Offset = 0,
) -> list[UnitOut]:
    user = _user(request)
    scope = selectors.region_by_code(user, region) if region else None
    units = selectors.units_for(user, region=scope, query=q, unverified_only=unverified, subtree=subtree)
    limit = max(1, min(limit, 1000))
    return [_unit_out(u) for u in units[max(offset, 0) : max(offset, 0) + limit]]


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: Id) -> UnitOut:
    return _unit_out(selectors.unit_for(_user(request), unit_id))


@router.get("/resolve", response=ResolutionOut, summary="解析计划中的单位写法")
def resolve(request: HttpRequest, name: str, region: str) -> ResolutionOut:
    """`status` is resolved, ambiguous (every candidate listed) or unknown; nothing is guessed."""
    scope = selectors.region_by_code(_user(request), region)
    result = selectors.resolve_unit(name, scope)
    return ResolutionOut(
        status=str(result.status),
        name=result.name,
        key=result.key,
        how=result.how,
        unit=_unit_out(result.unit) if result.unit else None,
        candidates=[_unit_out(u) for u in result.candidates],
    )


@router.post("/units/{unit_id}/aliases", response=UnitOut, summary="添加别名(管理员)")
def add_alias(request: HttpRequest, unit_id: Id, payload: AliasIn) -> UnitOut:
    user = _user(request)
    unit = selectors.unit_for(user, unit_id)
    services.alias_add(actor=user, unit=unit, alias=payload.alias, reason=payload.reason)
    return _unit_out(selectors.unit_for(user, unit_id))


@router.post("/units/{unit_id}/verify", response=UnitOut, summary="核实或更正全称(管理员)")
def verify(request: HttpRequest, unit_id: Id, payload: VerifyIn) -> UnitOut:
    user = _user(request)
    unit = selectors.unit_for(user, unit_id)
    services.unit_verify(
        actor=user, unit=unit, name=payload.name, expected_version=payload.version, reason=payload.reason
    )
    return _unit_out(selectors.unit_for(user, unit_id))


@router.post("/confirm", response=UnitOut, summary="把计划中的未知单位名称确认进目录(管理员)")
def confirm(request: HttpRequest, payload: ConfirmIn) -> UnitOut:
    user = _user(request)
    scope = selectors.region_by_code(user, payload.region)
    unit = services.unit_confirm_from_name(
        payload.name, scope, user, full_name=payload.full_name, reason=payload.reason
    )
    return _unit_out(selectors.unit_for(user, unit.pk))
