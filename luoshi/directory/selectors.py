"""Reads of the org directory: scoped lists for pages and the API, and unit-name resolution for plans.

Who may read the directory pages: administrators (营商办) and leaders, for their own region, the regions
below it and the regions above it (plans name provincial units too). Department staff, enterprises and
observers are refused. Resolution itself (`resolve_unit`, `resolve_units`, `make_resolver`) is not
user-scoped: it is called by the plan import on behalf of whoever may import that plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from luoshi.accounts.access import region_contains, require_role, subtree_or_above_q, subtree_q
from luoshi.accounts.models import Role
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.orgs import directory_file as fmt
from luoshi.orgs.models import Region, Unit, UnitAlias
from luoshi.orgs.paths import ids_of_path
from luoshi.orgs.resolution import DirectoryIndex, Match, RegionNode, ResolutionStatus, normalise_name

if TYPE_CHECKING:
    from luoshi.accounts.models import User

__all__ = [
    "ResolutionStatus",
    "UnitResolution",
    "make_resolver",
    "region_by_code",
    "regions_for",
    "resolve_unit",
    "resolve_units",
    "unit_for",
    "units_for",
]


# --- resolution ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitResolution:
    """What a written unit name means in a region. `unit` is set only when `status` is resolved;
    `candidates` lists every unit an ambiguous name could mean (never a guess between them)."""

    status: ResolutionStatus
    name: str
    unit: Unit | None = None
    candidates: list[Unit] = field(default_factory=list)
    key: str = ""
    how: str = ""

    @property
    def resolved(self) -> bool:
        return self.status == ResolutionStatus.RESOLVED

    @property
    def is_collective(self) -> bool:
        return self.unit is not None and self.unit.is_collective

    def describe(self) -> str:
        """One line for people: the unit, or why there is none."""
        if self.unit is not None:
            return f"{self.unit.name}({self.unit.region.name})"
        if self.status == ResolutionStatus.AMBIGUOUS:
            return "ambiguous: " + "、".join(f"{u.name}({u.region.name})" for u in self.candidates)
        return "unknown"


def ancestor_ids(region: Region) -> list[int]:
    """Ancestor ids from the materialised path, nearest first (the region itself excluded)."""
    return [pk for pk in reversed(ids_of_path(region.path)) if pk != region.pk]


def _lineage(region: Region) -> tuple[list[Region], list[Region]]:
    """(ancestors nearest first, descendants) in one query. A region saved without its path (not made
    with `region_create`) has no known lineage: only its own units are searched."""
    if not region.path.endswith(f"/{region.pk}/"):
        return [], []
    up = ancestor_ids(region)
    rows = list(Region.objects.filter(Q(pk__in=up) | subtree_q(region, "")).exclude(pk=region.pk))
    by_id = {r.pk: r for r in rows}
    ancestors = [by_id[pk] for pk in up if pk in by_id]
    descendants = [r for r in rows if r.pk not in set(up)]
    return ancestors, descendants


def _node(region: Region) -> RegionNode:
    return RegionNode(id=region.pk, name=region.name, short_name=region.short_name)


def build_index(region: Region) -> tuple[DirectoryIndex, dict[int, Unit]]:
    """Load every active unit and alias visible from `region` (3 queries whatever the directory size)."""
    ancestors, descendants = _lineage(region)
    index = DirectoryIndex(
        region=_node(region),
        ancestors=[_node(r) for r in ancestors],
        descendants=[_node(r) for r in descendants],
    )
    region_ids = [region.pk, *(r.pk for r in ancestors), *(r.pk for r in descendants)]
    regions = {r.pk: r for r in (region, *ancestors, *descendants)}
    units: dict[int, Unit] = {}
    for unit in Unit.objects.filter(region_id__in=region_ids, is_active=True):
        unit.region = regions[unit.region_id]
        units[unit.pk] = unit
        index.add_unit(unit.pk, unit.region_id, unit.name)
    aliases = UnitAlias.objects.filter(region_id__in=region_ids, unit__is_active=True).select_related(
        "unit", "unit__region"
    )
    for alias in aliases:
        if alias.unit_id not in units:  # an alias in this lineage for a unit elsewhere (after a merge)
            units[alias.unit_id] = alias.unit
        index.add_alias(alias.unit_id, alias.region_id, alias.alias)
    return index, units


def _to_resolution(name: str, match: Match, units: dict[int, Unit]) -> UnitResolution:
    found = [units[pk] for pk in match.unit_ids]
    if match.status == ResolutionStatus.RESOLVED:
        return UnitResolution(match.status, name, found[0], found, match.key, match.how)
    return UnitResolution(match.status, name, None, found, match.key, match.how)


def resolve_units(names: Sequence[str], region: Region) -> list[UnitResolution]:
    """Resolve every unit name of a plan at once (a fixed number of queries for the whole list)."""
    if not names:
        return []
    index, units = build_index(region)
    return [_to_resolution(name, index.resolve(name), units) for name in names]


def resolve_unit(name: str, region: Region) -> UnitResolution:
    """Resolve one name as written (市发改委) in the context of `region`: resolved, ambiguous or unknown."""
    return resolve_units([name], region)[0]


def make_resolver(region: Region) -> Callable[[str], UnitResolution]:
    """A plain callable for the plan parser: loads the directory once, then resolves in memory."""
    index, units = build_index(region)

    def resolve(name: str) -> UnitResolution:
        return _to_resolution(name, index.resolve(name), units)

    return resolve


# --- scoped reads --------------------------------------------------------------------------------------
READ_ROLES = (Role.ADMIN, Role.LEADER)


def require_directory_reader(user: User | None) -> None:
    require_role(user, *READ_ROLES, action="查看组织机构目录(仅营商办管理员和领导可查看)")


def visible_regions_q(user: User | None, field: str = "") -> Q:
    """The user's region, the regions below it and the regions above it."""
    prefix = f"{field}__" if field else ""
    if user is None or user.is_superuser:
        return Q()
    region = user.region
    if region is None:
        return Q(**{f"{prefix}pk__in": []})
    return subtree_or_above_q(region, prefix.rstrip("_"))


def regions_for(user: User | None) -> QuerySet[Region]:
    require_directory_reader(user)
    return (
        Region.objects.filter(visible_regions_q(user))
        .annotate(unit_count=Count("units", filter=Q(units__is_active=True)))
        .order_by("path")
    )


def region_by_code(user: User | None, code: str) -> Region:
    require_directory_reader(user)
    region = Region.objects.filter(code=code.strip()).first()
    if region is None:
        raise NotFound(f"未找到区域代码 {code}。请检查代码,或先导入该区域。")
    if not Region.objects.filter(visible_regions_q(user), pk=region.pk).exists():
        raise AccessDenied(f"您无权查看区域“{region.name}”的目录:不在您的管辖区域内。")
    return region


def units_for(
    user: User | None,
    *,
    region: Region | None = None,
    query: str = "",
    unverified_only: bool = False,
    include_inactive: bool = False,
    subtree: bool = False,
) -> QuerySet[Unit]:
    """Units the user may see, with their region and aliases fetched in the same round trip."""
    require_directory_reader(user)
    qs = (
        Unit.objects.filter(visible_regions_q(user, "region"))
        .select_related("region")
        .prefetch_related(Prefetch("aliases", queryset=UnitAlias.objects.order_by("alias")))
    )
    if region is not None:
        qs = qs.filter(subtree_q(region)) if subtree else qs.filter(region=region)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if unverified_only:
        qs = qs.filter(verified=False)
    key = normalise_name(query)
    if key:
        qs = qs.filter(Q(name__icontains=key) | Q(aliases__alias__icontains=key)).distinct()
    return qs.order_by("region__path", "name")


def unit_for(user: User | None, pk: int) -> Unit:
    require_directory_reader(user)
    unit = Unit.objects.select_related("region").filter(visible_regions_q(user, "region"), pk=pk).first()
    if unit is None:
        raise NotFound("未找到该单位,或它不在您的管辖区域内。")
    return unit


def units_by_ids(ids: Iterable[int]) -> dict[int, Unit]:
    return {u.pk: u for u in Unit.objects.select_related("region").filter(pk__in=list(ids))}


# --- export --------------------------------------------------------------------------------------------
def export_rows(regions: Sequence[Region], units: Iterable[Unit]) -> list[list[str]]:
    """Rows in the file format: every unit, and a region-only row for each region without units."""
    by_region: dict[int, list[Unit]] = {}
    for unit in units:
        by_region.setdefault(unit.region_id, []).append(unit)
    rows: list[list[str]] = []
    for region in regions:
        parent_code = region.parent.code if region.parent else ""
        base = [region.code, region.name, region.short_name, str(region.get_level_display()), parent_code]
        members = sorted(by_region.get(region.pk, []), key=lambda u: (u.kind, u.name))
        if not members:
            rows.append([*base, "", "", "", "", ""])
        for unit in members:
            aliases = sorted(a.alias for a in unit.aliases.all() if a.region_id == unit.region_id)
            rows.append(
                [
                    *base,
                    unit.name,
                    str(unit.get_kind_display()),
                    fmt.EXPORT_ALIAS_SEPARATOR.join(aliases),
                    "是" if unit.verified else "否",
                    unit.note,
                ]
            )
    return rows


def directory_export(
    user: User | None,
    *,
    region: Region | None = None,
    file_format: str = "xlsx",
) -> tuple[bytes, int]:
    """The directory as a file in the import format: `region` and the regions below it (default: the
    user's region; everything for the system), preceded by region-only rows for the regions above, so
    the file can be imported on its own. Returns (file bytes, number of rows)."""
    if user is not None:
        require_directory_reader(user)
    root = (
        region
        if region is not None
        else (user.region if user is not None and not user.is_superuser else None)
    )
    if user is not None and not user.is_superuser and root is not None:
        if not Region.objects.filter(visible_regions_q(user), pk=root.pk).exists():
            raise AccessDenied(f"您无权导出“{root.name}”的目录:不在您的管辖区域内。")
        if user.region is not None and not region_contains(user.region, root):
            root = user.region  # an ancestor was asked for: export only what is theirs below it
    if user is not None and not user.is_superuser and root is None:
        raise AccessDenied("您没有所属区域,无法导出目录。")
    regions_qs = Region.objects.select_related("parent")
    if root is None:
        regions = list(regions_qs.order_by("path"))
        units_qs = Unit.objects.filter(is_active=True)
    else:
        above = list(regions_qs.filter(pk__in=ancestor_ids(root)).order_by("path"))
        regions = [*above, *regions_qs.filter(subtree_q(root, "")).order_by("path")]
        units_qs = Unit.objects.filter(subtree_q(root), is_active=True)
    units = list(units_qs.prefetch_related("aliases"))
    rows = export_rows(regions, units)
    data = fmt.write_csv(rows) if file_format == "csv" else fmt.write_xlsx(rows)
    return data, len(rows)
