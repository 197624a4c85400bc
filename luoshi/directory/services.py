"""Writes to the org directory. Every change is made by an administrator (营商办管理员) of the region
concerned (or by the system: actor None), inside one transaction together with its audit entry.

Regions: `region_create`. Units: `unit_create`, `unit_rename`, `unit_verify`, `unit_update`, `alias_add`,
`alias_remove`, `unit_confirm_from_name` (a plan's unknown name confirmed into the directory),
`unit_merge` (two entries for one unit). Files: `directory_import` (all or nothing),
`load_shipped_directories`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models import F

from luoshi.accounts.access import is_office_admin, region_contains, require_can_change, require_role
from luoshi.accounts.models import Role
from luoshi.audit.services import record, snapshot
from luoshi.core.bounds import expected_or_current
from luoshi.core.errors import AccessDenied, Conflict, ImportFailed, NotFound, ValidationFailed
from luoshi.core.imports import Problems
from luoshi.core.limits import guard_text
from luoshi.directory.selectors import resolve_unit
from luoshi.orgs import directory_file as fmt
from luoshi.orgs.events import OrgEvent
from luoshi.orgs.models import Region, RegionLevel, Unit, UnitAlias, UnitKind
from luoshi.orgs.resolution import ResolutionStatus, clean_name, guess_kind, name_problem

if TYPE_CHECKING:
    from luoshi.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"
UNIT_FIELDS = ["name", "kind", "verified", "is_active", "note", "region"]
REGION_FIELDS = ["code", "name", "short_name", "level", "parent"]


# --- permission --------------------------------------------------------------------------------------
def may_change_region(actor: User | None, region: Region) -> bool:
    return actor is None or (
        is_office_admin(actor) and (actor.is_superuser or region_contains(actor.region, region))
    )


def can_change_directory(user: User | None, region: Region | None) -> bool:
    """For showing or hiding admin actions: an administrator of `region` (any region when None)."""
    if user is None or user.is_superuser:
        return True
    if not is_office_admin(user):
        return False
    return region is None or may_change_region(user, region)


def require_directory_admin(actor: User | None, region: Region, action: str = "维护组织机构目录") -> None:
    """Administrators of `region` or a region above it; the system (None) and superusers always."""
    require_role(actor, Role.ADMIN, action=action)
    require_can_change(actor)
    if not may_change_region(actor, region):
        raise AccessDenied(f"您无权{action}:“{region.name}”不在您的管辖区域内。")


def _check_name(value: str, what: str = "单位名称") -> str:
    name = clean_name(value)
    problem = name_problem(name)
    if problem:
        raise ValidationFailed(f"{what}无效:{problem}。请填写规范的名称。")
    return name


def _lock(unit: Unit, expected_version: int | None = None, *, versioned: bool = True) -> Unit:
    locked = Unit.objects.select_for_update().select_related("region").filter(pk=unit.pk).first()
    if locked is None:
        raise NotFound("该单位已不存在,请刷新页面。")
    if versioned and expected_or_current(expected_version, locked.version) != locked.version:
        raise Conflict("该单位刚被其他人修改过。请刷新页面查看最新内容后再操作。")
    return locked


def _bump(unit: Unit, **changes: Any) -> None:
    """Save `changes` and increment the version in one conditional UPDATE."""
    Unit.objects.filter(pk=unit.pk).update(version=F("version") + 1, **changes)
    for key, value in changes.items():
        setattr(unit, key, value)
    unit.version += 1


def _unit_after(unit: Unit) -> dict[str, Any]:
    data = snapshot(unit, UNIT_FIELDS)
    data["aliases"] = sorted(unit.aliases.values_list("alias", flat=True))
    return data


# --- regions -----------------------------------------------------------------------------------------
@guard_text
@transaction.atomic
def region_create(
    *,
    code: str,
    name: str,
    level: RegionLevel | str,
    parent: Region | None = None,
    short_name: str = "",
    actor: User | None = None,
) -> Region:
    """Create a region and set its materialised path (ancestor ids) for subtree queries."""
    if parent is not None and actor is not None:
        require_directory_admin(actor, parent, action="新建区域")
    elif parent is None and actor is not None and not actor.is_superuser:
        raise AccessDenied("只有系统管理员可以新建省级(顶层)区域。")
    region = Region.objects.create(code=code, name=name, level=level, parent=parent, short_name=short_name)
    region.path = f"{parent.path if parent else '/'}{region.pk}/"
    region.save(update_fields=["path"])
    record(actor=actor, action=OrgEvent.REGION_CREATED, subject=region, after=snapshot(region, REGION_FIELDS))
    return region


@guard_text
@transaction.atomic
def region_update(
    *,
    actor: User | None,
    region: Region,
    name: str | None = None,
    short_name: str | None = None,
    level: RegionLevel | str | None = None,
) -> Region:
    """Rename a region or change its level; the tree (its parent) is not changed here."""
    require_directory_admin(actor, region, action="修改区域")
    locked = Region.objects.select_for_update().get(pk=region.pk)
    before = snapshot(locked, REGION_FIELDS)
    changes = {
        k: v for k, v in (("name", name), ("short_name", short_name), ("level", level)) if v is not None
    }
    for key, value in changes.items():
        setattr(locked, key, value)
    after = snapshot(locked, REGION_FIELDS)
    if after != before:
        locked.save(update_fields=list(changes))
        record(actor=actor, action=OrgEvent.REGION_UPDATED, subject=locked, before=before, after=after)
    return locked


# --- units -------------------------------------------------------------------------------------------
@guard_text
@transaction.atomic
def unit_create(
    *,
    actor: User | None,
    region: Region,
    name: str,
    kind: UnitKind | str = UnitKind.GOVERNMENT,
    aliases: Iterable[str] = (),
    verified: bool = True,
    note: str = "",
    reason: str = "",
) -> Unit:
    require_directory_admin(actor, region, action="新增单位")
    full = _check_name(name)
    if kind not in UnitKind.values:
        raise ValidationFailed(f"单位类别“{kind}”无效。可选:{'、'.join(str(x) for x in UnitKind.labels)}。")
    if Unit.objects.filter(region=region, name=full).exists():
        raise ValidationFailed(f"“{region.name}”已有名为“{full}”的单位。如需增加写法,请为它添加别名。")
    unit = Unit.objects.create(region=region, name=full, kind=kind, verified=verified, note=note[:300])
    wanted = []
    for alias in aliases:
        text = _check_name(alias, "别名")
        if text != full and text not in wanted:
            wanted.append(text)
    UnitAlias.objects.bulk_create([UnitAlias(unit=unit, region=region, alias=a) for a in wanted])
    record(actor=actor, action=OrgEvent.UNIT_CREATED, subject=unit, after=_unit_after(unit), reason=reason)
    return unit


@guard_text
@transaction.atomic
def unit_update(
    *,
    actor: User | None,
    unit: Unit,
    kind: UnitKind | str | None = None,
    note: str | None = None,
    is_active: bool | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> Unit:
    require_directory_admin(actor, unit.region, action="修改单位")
    locked = _lock(unit, expected_version)
    if kind is not None and kind not in UnitKind.values:
        raise ValidationFailed(f"单位类别“{kind}”无效。")
    before = snapshot(locked, UNIT_FIELDS)
    changes = {k: v for k, v in (("kind", kind), ("note", note), ("is_active", is_active)) if v is not None}
    changes = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    if changes:
        _bump(locked, **changes)
        record(
            actor=actor,
            action=OrgEvent.UNIT_UPDATED,
            subject=locked,
            before=before,
            after=snapshot(locked, UNIT_FIELDS),
            reason=reason,
        )
    return locked


def _rename(actor: User | None, locked: Unit, new_name: str) -> str | None:
    """Rename in place; the old name becomes an alias so plans that wrote it still resolve. Returns the
    old name, or None when unchanged."""
    if new_name == locked.name:
        return None
    if Unit.objects.filter(region_id=locked.region_id, name=new_name).exclude(pk=locked.pk).exists():
        raise ValidationFailed(
            f"“{locked.region.name}”已有名为“{new_name}”的单位。如两者是同一单位,请使用“合并”。"
        )
    old = locked.name
    UnitAlias.objects.filter(unit=locked, alias=new_name).delete()
    if not UnitAlias.objects.filter(unit=locked, alias=old).exists():
        UnitAlias.objects.create(unit=locked, region_id=locked.region_id, alias=old)
    _bump(locked, name=new_name)
    return old


@guard_text
@transaction.atomic
def unit_rename(
    *, actor: User | None, unit: Unit, name: str, expected_version: int | None = None, reason: str = ""
) -> Unit:
    """Correct a unit's full name. The previous name is kept as an alias."""
    require_directory_admin(actor, unit.region, action="修改单位名称")
    new_name = _check_name(name)
    locked = _lock(unit, expected_version)
    before = _unit_after(locked)
    if _rename(actor, locked, new_name) is not None:
        record(
            actor=actor,
            action=OrgEvent.UNIT_RENAMED,
            subject=locked,
            before=before,
            after=_unit_after(locked),
            reason=reason,
        )
    return locked


@transaction.atomic
def unit_verify(
    *,
    actor: User | None,
    unit: Unit,
    name: str | None = None,
    expected_version: int | None = None,
    reason: str = "",
) -> Unit:
    """Mark a unit's full name as confirmed, correcting it first if `name` is given (the name as the plan
    wrote it stays as an alias)."""
    require_directory_admin(actor, unit.region, action="核实单位名称")
    new_name = _check_name(name) if name else None
    locked = _lock(unit, expected_version)
    before = _unit_after(locked)
    if new_name is not None:
        _rename(actor, locked, new_name)
    if not locked.verified:
        _bump(locked, verified=True)
    after = _unit_after(locked)
    if after != before:
        record(
            actor=actor,
            action=OrgEvent.UNIT_VERIFIED,
            subject=locked,
            before=before,
            after=after,
            reason=reason,
        )
    return locked


@guard_text
@transaction.atomic
def alias_add(
    *, actor: User | None, unit: Unit, alias: str, region: Region | None = None, reason: str = ""
) -> UnitAlias:
    """Add a way of writing the unit. `region` is where the alias applies (default: the unit's region).
    Two units of one region may share an alias (金融监管部门); resolving it then reports both."""
    where = region or unit.region
    require_directory_admin(actor, where, action="添加单位别名")
    text = _check_name(alias, "别名")
    locked = _lock(unit, versioned=False)
    existing = UnitAlias.objects.filter(unit=locked, alias=text).first()
    if existing is not None:
        return existing
    if text == locked.name and where.pk == locked.region_id:
        raise ValidationFailed(f"“{text}”就是该单位的全称,无需添加为别名。")
    before = _unit_after(locked)
    row = UnitAlias.objects.create(unit=locked, region=where, alias=text)
    _bump(locked)
    record(
        actor=actor,
        action=OrgEvent.UNIT_ALIAS_ADDED,
        subject=locked,
        before={"aliases": before["aliases"]},
        after={"aliases": _unit_after(locked)["aliases"], "alias": text, "alias_region": where.pk},
        reason=reason,
    )
    return row


@transaction.atomic
def alias_remove(*, actor: User | None, alias: UnitAlias, reason: str = "") -> None:
    row = UnitAlias.objects.select_related("unit", "unit__region", "region").filter(pk=alias.pk).first()
    if row is None:
        raise NotFound("该别名已不存在,请刷新页面。")
    require_directory_admin(actor, row.region, action="删除单位别名")
    locked = _lock(row.unit, versioned=False)
    before = _unit_after(locked)
    row.delete()
    _bump(locked)
    record(
        actor=actor,
        action=OrgEvent.UNIT_ALIAS_REMOVED,
        subject=locked,
        before={"aliases": before["aliases"]},
        after={"aliases": _unit_after(locked)["aliases"], "removed": row.alias},
        reason=reason,
    )


@guard_text
@transaction.atomic
def unit_confirm_from_name(
    name: str,
    region: Region,
    actor: User | None,
    full_name: str | None = None,
    kind: UnitKind | str | None = None,
    reason: str = "",
) -> Unit:
    """A plan named a unit the directory does not know (or cannot decide): put it in the directory.

    - Without `full_name`: an unknown name becomes a new unit of `region` under the name as written,
      marked unverified for an administrator to correct; a name that already resolves returns its unit;
      an ambiguous name is refused (give `full_name` to say which unit is meant).
    - With `full_name`: the name as written becomes an alias (in `region`) of the unit with that full name
      as seen from `region`, which is created (verified) if there is none.
    """
    require_directory_admin(actor, region, action="确认单位名称")
    written = _check_name(name, "单位名称")
    current = resolve_unit(written, region)
    if full_name is None or not full_name.strip():
        if current.unit is not None:
            return current.unit
        if current.status == ResolutionStatus.AMBIGUOUS:
            options = "、".join(f"{u.name}({u.region.name})" for u in current.candidates)
            raise ValidationFailed(f"“{written}”可能指多个单位:{options}。请填写全称,指明是哪一个单位。")
        return unit_create(
            actor=actor,
            region=region,
            name=written,
            kind=kind or guess_kind(written),
            verified=False,
            note="由计划中的写法确认加入,全称待核实",
            reason=reason or "确认计划中的未知单位名称",
        )
    full = _check_name(full_name, "单位全称")
    target = resolve_unit(full, region)
    if target.status == ResolutionStatus.AMBIGUOUS:
        options = "、".join(f"{u.name}({u.region.name})" for u in target.candidates)
        raise ValidationFailed(f"全称“{full}”对应多个单位:{options}。请检查目录中的重复单位并先合并。")
    if current.unit is not None and (target.unit is None or current.unit.pk != target.unit.pk):
        raise ValidationFailed(
            f"“{written}”已对应单位“{current.unit.name}”。如需改为“{full}”,请先删除该别名。"
        )
    if target.unit is not None:
        unit = target.unit
        if (
            written != unit.name
            and not UnitAlias.objects.filter(unit=unit, alias=written, region=region).exists()
        ):
            alias_add(
                actor=actor,
                unit=unit,
                alias=written,
                region=region,
                reason=reason or "确认计划中的写法对应该单位",
            )
        return unit
    aliases = [written] if written != full else []
    return unit_create(
        actor=actor,
        region=region,
        name=full,
        kind=kind or guess_kind(full),
        aliases=aliases,
        verified=True,
        reason=reason or "确认计划中的未知单位名称",
    )


def _repoint_relations(duplicate: Unit, keep: Unit) -> dict[str, int]:
    """Move every reference to `duplicate` (users' unit, measures' lead/co units ...) onto `keep`."""
    moved: dict[str, int] = {}
    for rel in Unit._meta.related_objects:
        model = rel.related_model
        if model is UnitAlias or not isinstance(model, type):
            continue
        label = f"{model._meta.label_lower}.{rel.field.name}"
        if rel.many_to_many:
            field = rel.field
            assert isinstance(field, models.ManyToManyField)
            through = field.remote_field.through
            src, dst = field.m2m_field_name(), field.m2m_reverse_field_name()
            if model is Unit:  # a self-referencing m2m: nothing in the schema uses one
                continue
            have = through._default_manager.filter(**{dst: keep}).values_list(f"{src}_id", flat=True)
            through._default_manager.filter(**{dst: duplicate, f"{src}_id__in": list(have)}).delete()
            count = through._default_manager.filter(**{dst: duplicate}).update(**{dst: keep})
        else:
            count = model._base_manager.filter(**{rel.field.name: duplicate}).update(**{rel.field.name: keep})
        if count:
            moved[label] = count
    return moved


@transaction.atomic
def unit_merge(*, actor: User | None, keep: Unit, duplicate: Unit, reason: str = "") -> Unit:
    """Two directory entries are one unit: `duplicate`'s aliases and name become aliases of `keep`, every
    reference moves to `keep`, and `duplicate` is deactivated (kept for the audit history)."""
    if keep.pk == duplicate.pk:
        raise ValidationFailed("不能把单位与它自己合并。")
    require_directory_admin(actor, keep.region, action="合并单位")
    require_directory_admin(actor, duplicate.region, action="合并单位")
    first, second = sorted([keep, duplicate], key=lambda u: u.pk)
    locked = {u.pk: _lock(u, versioned=False) for u in (first, second)}
    keep_l, dup_l = locked[keep.pk], locked[duplicate.pk]
    if not dup_l.is_active:
        raise InvalidMerge("该单位已被合并或停用,无需再次合并。")
    before_keep, before_dup = _unit_after(keep_l), _unit_after(dup_l)
    keep_aliases = set(UnitAlias.objects.filter(unit=keep_l).values_list("alias", "region_id"))
    for alias in UnitAlias.objects.filter(unit=dup_l):
        if (alias.alias, alias.region_id) in keep_aliases or (
            alias.alias == keep_l.name and alias.region_id == keep_l.region_id
        ):
            alias.delete()
        else:
            UnitAlias.objects.filter(pk=alias.pk).update(unit=keep_l)
    if (
        not (dup_l.name == keep_l.name and dup_l.region_id == keep_l.region_id)
        and not UnitAlias.objects.filter(unit=keep_l, alias=dup_l.name, region_id=dup_l.region_id).exists()
    ):
        UnitAlias.objects.create(unit=keep_l, region_id=dup_l.region_id, alias=dup_l.name)
    try:
        with transaction.atomic():
            moved = _repoint_relations(dup_l, keep_l)
    except IntegrityError as exc:
        raise Conflict(f"合并失败:两个单位的关联数据存在冲突({exc})。请先处理冲突的数据后再合并。") from exc
    _bump(dup_l, is_active=False, note=f"已并入“{keep_l.name}”(编号 {keep_l.pk})"[:300])
    _bump(keep_l, verified=keep_l.verified or dup_l.verified)
    record(
        actor=actor,
        action=OrgEvent.UNIT_MERGED,
        subject=keep_l,
        before=before_keep,
        after={**_unit_after(keep_l), "merged_from": dup_l.pk, "moved": moved},
        reason=reason,
    )
    record(
        actor=actor,
        action=OrgEvent.UNIT_MERGED_INTO,
        subject=dup_l,
        before=before_dup,
        after={**_unit_after(dup_l), "merged_into": keep_l.pk},
        reason=reason,
    )
    return keep_l


class InvalidMerge(ValidationFailed):
    pass


# --- import ------------------------------------------------------------------------------------------
LEVEL_WORDS: dict[str, str] = {}
for _value, _label in RegionLevel.choices:
    LEVEL_WORDS[unicodedata.normalize("NFKC", str(_label))] = _value
    LEVEL_WORDS[_value] = _value
LEVEL_WORDS.update(
    {
        "省级": "province",
        "自治区": "province",
        "直辖市": "province",
        "市": "city",
        "州": "city",
        "市州": "city",
        "地级市": "city",
        "市级": "city",
        "县": "county",
        "区": "county",
        "县级市": "county",
        "县市区": "county",
        "县级": "county",
        "县(市、区)": "county",
        "开发区": "park",
        "新区": "park",
        "高新区": "park",
        "经开区": "park",
        "乡镇": "town",
        "街道": "town",
        "镇": "town",
        "乡": "town",
        "乡镇街道": "town",
    }
)
KIND_WORDS: dict[str, str] = {}
for _value, _label in UnitKind.choices:
    KIND_WORDS[unicodedata.normalize("NFKC", str(_label))] = _value
    KIND_WORDS[_value] = _value
KIND_WORDS.update(
    {
        "党委": "party",
        "政府": "government",
        "法院": "judicial",
        "检察院": "judicial",
        "驻地单位": "vertical",
        "国有企业": "soe",
        "园区": "park_dept",
        "镇区": "local_gov",
        "金融": "financial",
        "泛指": "collective",
    }
)
YES = {"是", "y", "yes", "true", "1", "√", "✓", "已核实", "t"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "未核实", "f", ""}
LEVEL_RANK = {"province": 0.0, "city": 1.0, "county": 2.0, "park": 2.5, "town": 3.0}


def _word(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").lower()


@dataclass
class RegionSpec:
    code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    row: int


@dataclass
class UnitSpec:
    region_code: str
    name: str
    kind: str
    aliases: list[str]
    verified: bool
    note: str
    row: int


@dataclass
class ImportResult:
    source: str = ""
    rows: int = 0
    regions_created: int = 0
    regions_updated: int = 0
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    aliases_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.regions_created
            or self.regions_updated
            or self.units_created
            or self.units_updated
            or self.aliases_added
        )

    def summary(self) -> str:
        return (
            f"共 {self.rows} 行({self.source}):新建区域 {self.regions_created} 个、更新区域 "
            f"{self.regions_updated} 个;新建单位 {self.units_created} 个、更新单位 {self.units_updated} 个、"
            f"未变 {self.units_unchanged} 个;新增别名 {self.aliases_added} 个。"
        )


def _parse_rows(table: fmt.Table, problems: Problems) -> tuple[dict[str, RegionSpec], list[UnitSpec]]:
    regions: dict[str, RegionSpec] = {}
    units: list[UnitSpec] = []
    seen_units: dict[tuple[str, str], int] = {}
    for raw in table.rows:
        n = raw.number
        if raw.get("__extra__"):
            problems.add(n, "", f"表头之外还有内容“{raw.get('__extra__')[:30]}”:请删除多余的单元格。")
        code = unicodedata.normalize("NFKC", raw.get(fmt.COL_REGION_CODE)).strip()
        name = clean_name(raw.get(fmt.COL_REGION_NAME))
        short = clean_name(raw.get(fmt.COL_REGION_SHORT))
        level_text = raw.get(fmt.COL_REGION_LEVEL)
        parent_code = unicodedata.normalize("NFKC", raw.get(fmt.COL_PARENT_CODE)).strip()
        row_ok = True
        if not code:
            problems.add(n, fmt.COL_REGION_CODE, "区域代码为空:每一行都要写明所属区域的代码。")
            row_ok = False
        elif len(code) > 32 or not all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in code):
            problems.add(
                n, fmt.COL_REGION_CODE, f"区域代码“{code}”无效:只能用字母、数字、- 和 _,不超过 32 位。"
            )
            row_ok = False
        if not name:
            problems.add(n, fmt.COL_REGION_NAME, "区域名称为空。")
            row_ok = False
        elif len(name) > 100:
            problems.add(n, fmt.COL_REGION_NAME, "区域名称超过 100 个字。")
            row_ok = False
        if len(short) > 50:
            problems.add(n, fmt.COL_REGION_SHORT, "区域简称超过 50 个字。")
            row_ok = False
        level = LEVEL_WORDS.get(_word(level_text))
        if level is None:
            allowed = "、".join(str(label) for label in RegionLevel.labels)
            problems.add(n, fmt.COL_REGION_LEVEL, f"区域层级“{level_text}”无效,可填:{allowed}。")
            row_ok = False
        if parent_code and parent_code == code:
            problems.add(n, fmt.COL_PARENT_CODE, "上级区域代码不能与本区域代码相同。")
            row_ok = False
        if row_ok:
            spec = RegionSpec(code, name, short, level or "", parent_code, n)
            first = regions.get(code)
            if first is None:
                regions[code] = spec
            else:
                for column, attr in (
                    (fmt.COL_REGION_NAME, "name"),
                    (fmt.COL_REGION_SHORT, "short_name"),
                    (fmt.COL_REGION_LEVEL, "level"),
                    (fmt.COL_PARENT_CODE, "parent_code"),
                ):
                    if getattr(first, attr) != getattr(spec, attr):
                        problems.add(
                            n,
                            column,
                            f"区域 {code} 的{column}与第 {first.row} 行不一致"
                            f"(“{getattr(spec, attr)}” ≠ “{getattr(first, attr)}”)。",
                        )
        unit_name_raw = raw.get(fmt.COL_UNIT_NAME)
        unit_name = clean_name(unit_name_raw)
        kind_text = raw.get(fmt.COL_UNIT_KIND)
        alias_text = raw.get(fmt.COL_ALIASES)
        verified_text = raw.get(fmt.COL_VERIFIED)
        note = raw.get(fmt.COL_NOTE).strip()
        if not unit_name:
            if unit_name_raw.strip():
                problems.add(n, fmt.COL_UNIT_NAME, f"单位全称“{unit_name_raw}”只含标点或空白。")
            elif kind_text or alias_text or note:
                problems.add(
                    n,
                    fmt.COL_UNIT_NAME,
                    "单位全称为空,但填写了类别、别名或备注:请补全单位全称,或清空这些单元格(只登记区域的行)。",
                )
            continue
        problem = name_problem(unit_name)
        if problem:
            problems.add(n, fmt.COL_UNIT_NAME, f"单位全称无效:{problem}。")
            continue
        kind = KIND_WORDS.get(_word(kind_text)) if kind_text.strip() else UnitKind.GOVERNMENT.value
        if kind is None:
            allowed = "、".join(str(label) for label in UnitKind.labels)
            problems.add(n, fmt.COL_UNIT_KIND, f"单位类别“{kind_text}”无效,可填:{allowed}。")
        verified_word = _word(verified_text)
        if verified_word not in YES and verified_word not in NO:
            problems.add(n, fmt.COL_VERIFIED, f"已核实只能填“是”或“否”,不能是“{verified_text}”。")
        if len(note) > 300:
            problems.add(n, fmt.COL_NOTE, "备注超过 300 个字。")
        aliases: list[str] = []
        for piece in fmt.split_aliases(alias_text):
            alias = clean_name(piece)
            alias_problem = name_problem(alias)
            if alias_problem:
                problems.add(n, fmt.COL_ALIASES, f"别名“{piece}”无效:{alias_problem}。")
            elif alias != unit_name and alias not in aliases:
                aliases.append(alias)
        key = (code, unit_name)
        if code and key in seen_units:
            problems.add(
                n,
                fmt.COL_UNIT_NAME,
                f"单位“{unit_name}”在区域 {code} 中重复:第 {seen_units[key]} 行已有同名单位。"
                "请删除重复行,或把它的写法合并到那一行的别名中。",
            )
            continue
        seen_units[key] = n
        if code and kind is not None:
            units.append(UnitSpec(code, unit_name, kind, aliases, verified_word in YES, note, n))
    return regions, units


def _check_tree(
    regions: dict[str, RegionSpec], existing: dict[str, Region], actor: User | None, problems: Problems
) -> None:
    for code, spec in regions.items():
        parent_level: str | None = None
        current = existing.get(code)
        if spec.parent_code:
            if spec.parent_code in regions:
                parent_level = regions[spec.parent_code].level
            elif spec.parent_code in existing:
                parent_level = existing[spec.parent_code].level
            else:
                problems.add(
                    spec.row,
                    fmt.COL_PARENT_CODE,
                    f"上级区域代码“{spec.parent_code}”不存在:系统中没有该区域,"
                    "本文件中也没有登记。请先登记上级区域(可在文件中加一行只填区域信息的行)。",
                )
        if parent_level is not None and LEVEL_RANK[parent_level] >= LEVEL_RANK[spec.level]:
            problems.add(
                spec.row,
                fmt.COL_REGION_LEVEL,
                f"层级“{RegionLevel(spec.level).label}”不能隶属于层级为"
                f"“{RegionLevel(parent_level).label}”的上级区域 {spec.parent_code}。",
            )
        if current is not None:
            current_parent = current.parent.code if current.parent else ""
            if current_parent != spec.parent_code:
                problems.add(
                    spec.row,
                    fmt.COL_PARENT_CODE,
                    f"区域 {code}({current.name})已在系统中,上级为"
                    f"“{current_parent or '无'}”,与文件中的“{spec.parent_code or '无'}”不同:导入不能移动区域,请核对。",
                )
            changed = (current.name, current.short_name, current.level) != (
                spec.name,
                spec.short_name,
                spec.level,
            )
            if changed and not may_change_region(actor, current):
                problems.add(
                    spec.row,
                    fmt.COL_REGION_NAME,
                    f"您无权修改区域 {code}({current.name}):不在您的管辖区域内。",
                )
        else:
            parent = existing.get(spec.parent_code)
            if actor is not None and not actor.is_superuser:
                if not spec.parent_code:
                    problems.add(spec.row, fmt.COL_PARENT_CODE, f"只有系统管理员可以新建顶层区域 {code}。")
                elif parent is not None and not may_change_region(actor, parent):
                    problems.add(
                        spec.row,
                        fmt.COL_REGION_CODE,
                        f"您无权在“{parent.name}”下新建区域:不在您的管辖区域内。",
                    )
    # Cycles among the file's own regions (A's parent B, B's parent A).
    for code, spec in regions.items():
        seen = {code}
        up = spec.parent_code
        while up in regions and up not in existing:
            if up in seen:
                problems.add(spec.row, fmt.COL_PARENT_CODE, f"区域 {code} 的上级关系形成循环。")
                break
            seen.add(up)
            up = regions[up].parent_code


@dataclass
class _UnitPlan:
    spec: UnitSpec
    unit: Unit | None  # None: to create
    new_aliases: list[str]
    changes: dict[str, Any]


def _plan_units(
    units: list[UnitSpec],
    regions: dict[str, RegionSpec],
    existing: dict[str, Region],
    actor: User | None,
    problems: Problems,
) -> list[_UnitPlan]:
    """Match each row to a unit: by 区域代码 + 全称, else by a unit of that region that has the row's name
    as an alias (it was renamed or verified since the file was made: only missing aliases are added).
    已核实 only ever goes from 否 to 是 through an import; a merged (inactive) unit is left alone."""
    codes = {u.region_code for u in units}
    by_name: dict[tuple[str, str], Unit] = {}
    by_alias: dict[tuple[str, str], set[int]] = {}
    units_by_id: dict[int, Unit] = {}
    aliases: dict[int, set[str]] = {}
    for row in Unit.objects.filter(region__code__in=codes).select_related("region"):
        by_name[(row.region.code, row.name)] = row
        units_by_id[row.pk] = row
        aliases[row.pk] = set()
    for unit_id, alias in UnitAlias.objects.filter(unit_id__in=list(aliases)).values_list("unit_id", "alias"):
        aliases[unit_id].add(alias)
        owner = units_by_id[unit_id]
        if owner.is_active:
            by_alias.setdefault((owner.region.code, alias), set()).add(unit_id)
    plans: list[_UnitPlan] = []
    for spec in units:
        if spec.region_code not in regions:
            continue  # the region part of the row was already reported
        region = existing.get(spec.region_code)
        unit: Unit | None = by_name.get((spec.region_code, spec.name))
        renamed = False
        if unit is None:
            matches = by_alias.get((spec.region_code, spec.name), set())
            if len(matches) == 1:
                unit, renamed = units_by_id[next(iter(matches))], True
        changes: dict[str, Any] = {}
        if unit is None:
            new_aliases = list(spec.aliases)
        elif not unit.is_active:
            new_aliases = []
        else:
            new_aliases = [a for a in spec.aliases if a not in aliases[unit.pk] and a != unit.name]
            if not renamed:
                changes = {
                    k: v for k, v in (("kind", spec.kind), ("note", spec.note)) if getattr(unit, k) != v
                }
                if spec.verified and not unit.verified:
                    changes["verified"] = True
        needs_write = unit is None or new_aliases or changes
        if needs_write and actor is not None and not actor.is_superuser:
            target = region if region is not None else existing.get(regions[spec.region_code].parent_code)
            if target is not None and not may_change_region(actor, target):
                problems.add(
                    spec.row, fmt.COL_UNIT_NAME, f"您无权修改“{target.name}”的单位:不在您的管辖区域内。"
                )
                continue
        plans.append(_UnitPlan(spec, unit, new_aliases, changes))
    return plans


def _apply(
    regions: dict[str, RegionSpec],
    existing: dict[str, Region],
    plans: list[_UnitPlan],
    actor: User | None,
    result: ImportResult,
) -> None:
    by_code = dict(existing)
    pending = [s for s in regions.values() if s.code not in existing]
    while pending:  # parents first
        ready = [s for s in pending if not s.parent_code or s.parent_code in by_code]
        if not ready:
            raise ImportFailed("区域的上级关系无法建立,请检查上级区域代码。")
        for spec in ready:
            by_code[spec.code] = region_create(
                code=spec.code,
                name=spec.name,
                level=spec.level,
                parent=by_code.get(spec.parent_code) if spec.parent_code else None,
                short_name=spec.short_name,
                actor=actor,
            )
            result.regions_created += 1
        pending = [s for s in pending if s not in ready]
    for spec in regions.values():
        region = existing.get(spec.code)
        if region is not None and (region.name, region.short_name, region.level) != (
            spec.name,
            spec.short_name,
            spec.level,
        ):
            region_update(
                actor=actor, region=region, name=spec.name, short_name=spec.short_name, level=spec.level
            )
            result.regions_updated += 1
    for plan in plans:
        row = plan.spec
        if plan.unit is None:
            unit_create(
                actor=actor,
                region=by_code[row.region_code],
                name=row.name,
                kind=row.kind,
                aliases=row.aliases,
                verified=row.verified,
                note=row.note,
                reason="导入单位目录",
            )
            result.units_created += 1
            result.aliases_added += len(row.aliases)
            continue
        if not plan.changes and not plan.new_aliases:
            result.units_unchanged += 1
            continue
        locked = _lock(plan.unit, versioned=False)
        before = _unit_after(locked)
        if plan.new_aliases:
            UnitAlias.objects.bulk_create(
                [UnitAlias(unit=locked, region_id=locked.region_id, alias=a) for a in plan.new_aliases]
            )
            result.aliases_added += len(plan.new_aliases)
        _bump(locked, **plan.changes)
        record(
            actor=actor,
            action=OrgEvent.UNIT_UPDATED,
            subject=locked,
            before=before,
            after=_unit_after(locked),
            reason="导入单位目录",
        )
        result.units_updated += 1


def directory_import(*, actor: User | None, data: bytes, filename: str) -> ImportResult:
    """Import a directory file (.xlsx or .csv). All or nothing: every problem is reported as
    {row, column, message} in one ImportFailed and nothing is written unless the whole file is valid.
    Re-importing the same file changes nothing (upsert by 区域代码 + 单位全称; nothing is deleted)."""
    require_role(actor, Role.ADMIN, action="导入组织机构目录")
    require_can_change(actor)
    try:
        table = fmt.read_file(data, filename)
    except fmt.FileProblem as exc:
        raise ImportFailed(f"文件无法读取,未导入任何数据。{exc}", details=exc.problems) from exc
    header_problems = fmt.check_header(table)
    if header_problems:
        raise ImportFailed(
            f"表头不符合目录格式,未导入任何数据。表头须为:{'、'.join(fmt.COLUMNS)}。请修改列名后重新导入。",
            details=header_problems,
        )
    problems = Problems(
        columns=fmt.COLUMNS,
        summary=lambda n: f"导入失败:共发现 {n} 处问题,未写入任何数据。请按行号和列名逐一修改后重新导入。",
    )
    regions, units = _parse_rows(table, problems)
    if not table.rows:
        problems.add(table.header_row, "", "文件中只有表头,没有数据行。")
    codes = set(regions) | {s.parent_code for s in regions.values() if s.parent_code}
    existing = {r.code: r for r in Region.objects.filter(code__in=codes).select_related("parent")}
    _check_tree(regions, existing, actor, problems)
    plans = _plan_units(units, regions, existing, actor, problems)
    problems.raise_if_any()
    result = ImportResult(source=table.source, rows=len(table.rows))
    try:
        with transaction.atomic():
            _apply(regions, existing, plans, actor, result)
    except IntegrityError as exc:
        raise Conflict("导入时目录被其他人同时修改,已全部撤销。请稍后重新导入。") from exc
    return result


def shipped_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv"))


def load_shipped_directories(actor: User | None = None) -> list[tuple[str, ImportResult]]:
    """Import every directory shipped in luoshi/directory/data (idempotent: a second run changes nothing)."""
    return [
        (path.name, directory_import(actor=actor, data=path.read_bytes(), filename=path.name))
        for path in shipped_files()
    ]
