"""One enterprise profile and the scalar evaluation of items against it: the path for one firm, the 政策计算器 and the
YAML test cases. The columnar evaluation (`columnar.py`) gives the same answers for every firm at once. No Django."""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from luoshi.policies.engine.formula import FormulaError, evaluate_formula
from luoshi.policies.engine.params import ParameterSet
from luoshi.policies.engine.rules import All, AnyOf, Item, Leaf, Node, Not
from luoshi.policies.engine.schema import FIELDS, FieldKind


class Status(StrEnum):
    ELIGIBLE = "符合"
    INELIGIBLE = "不符合"
    UNKNOWN = "待核实"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a profile field comes from: the source department, the date the value was true, and whether it is a
    department's data (authoritative) or the firm's own declaration."""

    source: str = ""
    as_of: dt.date | None = None
    authoritative: bool = False


@dataclass(slots=True)
class Profile:
    values: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Profile:
        """Read the plain form used by YAML cases and the calculator: field values at the top level, optionally a
        ``provenance`` mapping ``{field: {source, as_of, authoritative}}``."""
        values: dict[str, Any] = {}
        for name, raw in data.items():
            if name == "provenance":
                continue
            if name not in FIELDS:
                raise ValueError(f"画像中的字段「{name}」不存在")
            values[name] = _coerce(name, raw)
        provenance = {}
        for name, raw in (data.get("provenance") or {}).items():
            as_of = raw.get("as_of")
            provenance[name] = Provenance(
                source=str(raw.get("source") or ""),
                as_of=as_of if isinstance(as_of, dt.date) or as_of is None else dt.date.fromisoformat(str(as_of)),
                authoritative=bool(raw.get("authoritative", False)),
            )
        return cls(values, provenance)

    def missing(self, name: str) -> bool:
        value = self.values.get(name)
        return value is None or (isinstance(value, float) and math.isnan(value))

    def stale(self, name: str, on: dt.date) -> bool:
        limit = FIELDS[name].max_age_days
        prov = self.provenance.get(name)
        return bool(limit is not None and prov and prov.as_of and (on - prov.as_of).days > limit)

    def unknown_reason(self, name: str, on: dt.date) -> str:
        """Why a field cannot be used (empty when it can): 缺失 or 数据已过期."""
        label = FIELDS[name].label
        if self.missing(name):
            return f"{label}缺失"
        if self.stale(name, on):
            prov = self.provenance[name]
            assert prov.as_of is not None
            return f"{label}数据已过期(截至 {prov.as_of.isoformat()},超过 {FIELDS[name].max_age_days} 天)"
        return ""

    def authoritative(self, name: str) -> bool:
        prov = self.provenance.get(name)
        return bool(prov and prov.authoritative)


def _coerce(name: str, raw: Any) -> Any:
    kind = FIELDS[name].kind
    if raw is None or raw == "":
        return None
    if kind == FieldKind.NUMBER:
        return float(raw)
    if kind == FieldKind.DATE:
        return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    if kind == FieldKind.TAGS:
        if isinstance(raw, str):
            return frozenset(t.strip() for t in raw.replace(",", "、").replace(",", "、").split("、") if t.strip())
        return frozenset(str(t) for t in raw)
    if kind == FieldKind.CODE:
        return str(raw).strip().upper()
    return str(raw).strip()


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne,
}


def leaf_holds(leaf: Leaf, value: Any, params: ParameterSet, on: dt.date) -> bool:
    """The leaf's condition on a known value."""
    compare = _COMPARE.get(leaf.op)
    if compare is not None:
        return compare(float(value), leaf.threshold(params, on))
    if leaf.op == "founded_within_years":
        return bool(value > leaf.cutoff(params, on))
    if leaf.op == "founded_at_least_years":
        return bool(value <= leaf.cutoff(params, on))
    if leaf.op == "prefix_in":
        return str(value).startswith(leaf.codes)
    if leaf.op == "in":
        return str(value) in leaf.values
    return leaf.tag in value


FLIP = {Status.ELIGIBLE: Status.INELIGIBLE, Status.INELIGIBLE: Status.ELIGIBLE, Status.UNKNOWN: Status.UNKNOWN}


@dataclass(frozen=True, slots=True)
class LeafOutcome:
    """One condition for one firm. `status` is as people read the condition: under a 'not' it is flipped, so
    不符合 always means 'this condition keeps the firm out'."""

    leaf: Leaf
    status: Status
    actual: str  # the firm's value as shown to people
    reason: str  # for 待核实: 缺失 / 过期
    negated: bool = False


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    item: Item
    status: Status
    leaves: tuple[LeafOutcome, ...]
    amount: float | None = None
    on: dt.date | None = None

    @property
    def failing(self) -> tuple[str, ...]:
        return tuple(o.leaf.id for o in self.leaves if o.status == Status.INELIGIBLE)

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(o.leaf.id for o in self.leaves if o.status == Status.UNKNOWN)

    @property
    def unknown_fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.leaf.field for o in self.leaves if o.status == Status.UNKNOWN))


def show_value(name: str, value: Any) -> str:
    if value is None:
        return "无数据"
    f = FIELDS[name]
    if f.kind == FieldKind.NUMBER:
        v = float(value)
        return (str(int(v)) if v.is_integer() else f"{v:g}") + f.unit
    if f.kind == FieldKind.DATE:
        return value.isoformat()
    if f.kind == FieldKind.TAGS:
        return "、".join(sorted(value)) or "无"
    return str(value)


def kleene(node: Node, leaf_status: Mapping[str, Status]) -> Status:
    """Three-valued logic over a tree: 不符合 beats 待核实 in 'all', 符合 beats 待核实 in 'any'."""
    if isinstance(node, Leaf):
        return leaf_status[node.id]
    if isinstance(node, Not):
        s = kleene(node.child, leaf_status)
        return {Status.ELIGIBLE: Status.INELIGIBLE, Status.INELIGIBLE: Status.ELIGIBLE}.get(s, Status.UNKNOWN)
    results = [kleene(c, leaf_status) for c in node.children]
    if isinstance(node, All):
        if Status.INELIGIBLE in results:
            return Status.INELIGIBLE
        return Status.UNKNOWN if Status.UNKNOWN in results else Status.ELIGIBLE
    assert isinstance(node, AnyOf)
    if Status.ELIGIBLE in results:
        return Status.ELIGIBLE
    return Status.UNKNOWN if Status.UNKNOWN in results else Status.INELIGIBLE


def evaluate_item(item: Item, profile: Profile, params: ParameterSet, on: dt.date,
                  reasons: Mapping[str, str] | None = None, shown: Mapping[str, str] | None = None) -> ItemOutcome:
    """One item for one firm. `reasons` (field → why it is unknown, '' when usable) and `shown` (field → the value
    as people read it) may be computed once per profile by the caller."""
    if reasons is None:
        reasons = {name: profile.unknown_reason(name, on) for name in item.fields}
    if shown is None:
        shown = {name: show_value(name, profile.values.get(name)) for name in item.fields}
    outcomes = []
    statuses: dict[str, Status] = {}
    for leaf, negated in item.rule.signed_leaves():
        reason = reasons[leaf.field]
        value = profile.values.get(leaf.field)
        if reason:
            status = Status.UNKNOWN
        else:
            status = Status.ELIGIBLE if leaf_holds(leaf, value, params, on) else Status.INELIGIBLE
        statuses[leaf.id] = status
        outcomes.append(LeafOutcome(leaf, FLIP[status] if negated else status, shown[leaf.field], reason, negated))
    status = kleene(item.rule, statuses)
    amount = benefit_amount(item, profile.values) if status == Status.ELIGIBLE else None
    return ItemOutcome(item, status, tuple(outcomes), amount, on)


def evaluate_profile(items: Sequence[Item], profile: Profile, params: ParameterSet, on: dt.date) -> list[ItemOutcome]:
    """One firm against every item (政策体检)."""
    reasons = {name: profile.unknown_reason(name, on) for name in FIELDS}
    shown = {name: show_value(name, profile.values.get(name)) for name in FIELDS}
    return [evaluate_item(item, profile, params, on, reasons, shown) for item in items]


def benefit_amount(item: Item, values: Mapping[str, Any]) -> float | None:
    b = item.benefit
    if b.fixed is None and not b.formula:
        return None
    try:
        amount = float(b.fixed) if b.fixed is not None else float(evaluate_formula(b.formula, values))
    except FormulaError:
        return None  # a field the formula needs is missing: the amount is to be confirmed
    if b.cap is not None:
        amount = min(amount, b.cap)
    return max(amount, 0.0)


def explain(outcome: ItemOutcome, params: ParameterSet) -> list[str]:
    """Why or why not, in plain Chinese, citing the clause of each condition."""
    item, on = outcome.item, outcome.on
    lines = []
    head = {
        Status.ELIGIBLE: f"贵企业符合「{item.title}」的申报条件",
        Status.INELIGIBLE: f"贵企业暂不符合「{item.title}」的申报条件",
        Status.UNKNOWN: f"贵企业是否符合「{item.title}」尚待核实",
    }[outcome.status]
    if outcome.amount is not None:
        head += f",可享受 {outcome.amount:,.2f} 元"
    lines.append(head + (f"(依据{item.clause})" if item.clause else "") + "。")
    for o in outcome.leaves:
        cite = f"(依据{o.leaf.clause})" if o.leaf.clause else ""
        condition = o.leaf.describe(params, on, negated=o.negated)
        if o.status == Status.ELIGIBLE:
            lines.append(f"✓ 满足「{condition}」{cite}:贵企业为 {o.actual}。")
        elif o.status == Status.INELIGIBLE:
            lines.append(f"✗ 不满足「{condition}」{cite}:贵企业为 {o.actual}。")
        else:
            lines.append(f"? 无法判断「{condition}」{cite}:{o.reason},请补充或更新。")
    return lines
