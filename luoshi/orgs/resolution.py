"""Resolving a unit name as a plan writes it (市发改委) to a unit of the directory, in the context of a region.

Plain code, no Django: the selectors load a region's lineage from the database into a `DirectoryIndex`
and the plan parser can call it without knowing about models. Rules, in order:

1. The name is normalised (`normalise_name`): NFKC (full-width letters, digits and brackets become
   half-width), all whitespace removed, surrounding punctuation and quotes dropped, a trailing "等" dropped.
2. The plan's own region is searched first, then its ancestors, nearest first (a county plan naming
   省发改委 gets the province's unit). In each region a name matches a unit's full name or one of its
   aliases; failing that, a name written with the region's own prefix (荆门市发改委, 荆门发改委) matches
   the alias without it (市发改委). The first region with a match decides.
3. Then the regions below (counties, parks, towns), but only for names written with that region's own
   prefix (钟祥市发改局, 新港园区经发局) or a unit's full name: an unprefixed 市发改局 never reaches down.
4. One unit: resolved. Several units at the deciding level: ambiguous, every candidate reported.
   Nothing: unknown. Nothing is ever guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class ResolutionStatus(StrEnum):
    RESOLVED = "resolved"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


# Characters a plan puts before a department name to say which level it belongs to (市发改委, 县财政局).
LEVEL_CHARS = ("市", "县", "区", "省", "州", "镇", "乡")
_REGION_SUFFIXES = ("省", "市", "县", "区", "州")
_WHITESPACE = re.compile(r"\s+")
_EDGE_PUNCT = ",.;:、,。;:!?!?·-—_/\\'\"“”‘’「」『』《》<>【】[]"
_FORBIDDEN_IN_NAME = (";", "|", "\n")


def normalise_name(name: str) -> str:
    """The form names are stored and compared in: NFKC, no whitespace, no edge punctuation or 等."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _WHITESPACE.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = text.strip(_EDGE_PUNCT)
        if text.endswith("等"):
            text = text[:-1]
        if len(text) >= 2 and text[0] == "(" and text[-1] == ")" and text.count("(") == 1:
            text = text[1:-1]
    return text


def clean_name(name: str) -> str:
    """The form a new full name or alias is stored in: NFKC and no whitespace (a trailing 等 is kept
    out of stored names too, since it never belongs to a name)."""
    return normalise_name(name)


def name_problem(name: str) -> str | None:
    """Why `name` cannot be stored as a unit name or alias, or None."""
    if not name:
        return "名称为空"
    if len(name) > 200:
        return "名称超过 200 个字"
    if any(ch in name for ch in _FORBIDDEN_IN_NAME):
        return "名称中不能含有分号、竖线或换行(它们用于分隔别名)"
    return None


def region_prefixes(name: str, short_name: str = "") -> tuple[str, ...]:
    """The ways a plan prefixes a name with its region: 荆门市, 荆门, the short name (新港园区)."""
    out: list[str] = []
    for value in (name, short_name):
        value = normalise_name(value)
        if not value:
            continue
        out.append(value)
        if value.endswith(_REGION_SUFFIXES) and len(value) >= 3:
            out.append(value[:-1])
    # Longest first, so 荆门市 is tried before 荆门.
    return tuple(sorted(set(out), key=len, reverse=True))


@dataclass(frozen=True)
class RegionNode:
    id: int
    name: str
    short_name: str = ""

    @property
    def prefixes(self) -> tuple[str, ...]:
        return region_prefixes(self.name, self.short_name)


@dataclass(frozen=True)
class Match:
    """The outcome for one name: which unit ids, found where and how (for explaining the result)."""

    status: ResolutionStatus
    key: str
    unit_ids: tuple[int, ...] = ()
    region_id: int | None = None
    how: str = ""


@dataclass
class DirectoryIndex:
    """The units visible from one region: the region itself, its ancestors (nearest first) and the regions
    below it. Built once per plan; resolving a name needs no further database access."""

    region: RegionNode
    ancestors: list[RegionNode] = field(default_factory=list)  # nearest first
    descendants: list[RegionNode] = field(default_factory=list)
    _full: dict[tuple[int, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    _alias: dict[tuple[int, str], set[int]] = field(default_factory=lambda: defaultdict(set))
    _prefix_cache: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def add_unit(self, unit_id: int, region_id: int, name: str) -> None:
        self._full[(region_id, normalise_name(name))].add(unit_id)

    def add_alias(self, unit_id: int, region_id: int, alias: str) -> None:
        self._alias[(region_id, normalise_name(alias))].add(unit_id)

    def _direct(self, region_id: int, key: str) -> set[int]:
        return self._full.get((region_id, key), set()) | self._alias.get((region_id, key), set())

    def _prefixed(self, node: RegionNode, key: str, prefixes: tuple[str, ...] | None = None) -> set[int]:
        """`key` written as <region prefix><alias without its level char>: 荆门市发改委 → 市发改委."""
        found: set[int] = set()
        for prefix in node.prefixes if prefixes is None else prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                rest = key[len(prefix) :]
                found |= self._direct(node.id, rest)
                for char in LEVEL_CHARS:
                    found |= self._direct(node.id, char + rest)
                if found:
                    return found
        return found

    def _below(self, node: RegionNode, key: str) -> set[int]:
        """A region below the plan's own: only its full names, its aliases that carry its own prefix,
        or a name written with its prefix. A prefix shared with the plan's own lineage (荆州 for both
        荆州市 and 荆州区) does not count: it says nothing about the region below."""
        found = set(self._full.get((node.id, key), set()))
        prefixes = self._below_prefixes(node)
        if any(key.startswith(p) for p in prefixes):
            found |= self._alias.get((node.id, key), set())
            if not found:
                found |= self._prefixed(node, key, prefixes)
        return found

    def _below_prefixes(self, node: RegionNode) -> tuple[str, ...]:
        cached = self._prefix_cache.get(node.id)
        if cached is None:
            own = {p for n in (self.region, *self.ancestors) for p in n.prefixes}
            cached = self._prefix_cache[node.id] = tuple(p for p in node.prefixes if p not in own)
        return cached

    def resolve(self, written: str) -> Match:
        key = normalise_name(written)
        if not key:
            return Match(ResolutionStatus.UNKNOWN, key, how="名称为空")
        for distance, node in enumerate([self.region, *self.ancestors]):
            place = "本级" if distance == 0 else "上级"
            ids = self._direct(node.id, key)
            how = f"{place}({node.name})全称或别名"
            if not ids:
                ids = self._prefixed(node, key)
                how = f"{place}({node.name})带地名前缀的别名"
            if ids:
                return _decide(key, ids, node.id, how)
        hits: dict[int, set[int]] = {}
        for node in self.descendants:
            ids = self._below(node, key)
            if ids:
                hits[node.id] = ids
        if hits:
            all_ids = set().union(*hits.values())
            region_id = next(iter(hits)) if len(hits) == 1 else None
            names = "、".join(n.name for n in self.descendants if n.id in hits)
            return _decide(key, all_ids, region_id, f"下级({names})带地名前缀的名称")
        return Match(ResolutionStatus.UNKNOWN, key, how="本级、上级和下级目录中均未找到")

    def resolve_many(self, names: Iterable[str]) -> list[Match]:
        return [self.resolve(name) for name in names]


def _decide(key: str, ids: set[int], region_id: int | None, how: str) -> Match:
    ordered = tuple(sorted(ids))
    if len(ordered) == 1:
        return Match(ResolutionStatus.RESOLVED, key, ordered, region_id, how)
    return Match(ResolutionStatus.AMBIGUOUS, key, ordered, region_id, how)


_KIND_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("法院", "检察院"), "judicial"),
    (("人民银行", "人行", "金融监管", "海关", "税务", "统计调查", "气象局", "烟草"), "vertical"),
    (("银行", "保险", "证券", "农商行", "信用社"), "financial"),
    (("大学", "学院", "学校"), "university"),
    (("集团", "公司", "供电"), "soe"),
    (
        ("中共", "市委", "县委", "区委", "省委", "党委", "党工委", "组织部", "宣传部", "统战部", "政法委"),
        "party",
    ),
    (("人民政府", "管委会", "管理委员会", "镇", "乡", "街道办"), "local_gov"),
    (("园区",), "park_dept"),
)


def guess_kind(name: str) -> str:
    """A first guess of a unit's kind from its name (a UnitKind value) for names confirmed from plans;
    the administrator corrects it. Collective phrases (各相关单位) are recognised first."""
    key = normalise_name(name)
    if key.startswith("各") or key.endswith(("各相关单位", "各有关单位", "各有关部门", "各相关部门")):
        return "collective"
    for words, kind in _KIND_RULES:
        if any(w in key for w in words):
            return kind
    return "government"
