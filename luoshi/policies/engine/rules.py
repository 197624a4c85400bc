"""Rules as data: a condition tree per item (兑现事项) whose leaves compare one profile field with a value or a dated
parameter. Trees are built from plain dicts (the YAML form) and written back to them unchanged. No Django.

YAML form of a tree::

    all:
      - {id: 规模, field: size, op: in, values: [中型, 小型, 微型], clause: 第二条}
      - {id: 行业, field: industry, op: prefix_in, codes: [C39, I65], clause: 第三条}
      - any:
          - {id: 高企, field: tags, op: has_tag, tag: 高新技术企业}
          - {id: 研发, field: rd_ratio, op: ">=", param: rd.ratio_min}
      - not: {id: 失信, field: credit_status, op: in, values: [失信]}
      - {id: 新设, field: founded, op: founded_within_years, years: 5}

Leaf operators: ``>= > <= < == !=`` (number fields; ``value`` or ``param``), ``prefix_in`` (code fields: the code
starts with one of ``codes``), ``in`` (category fields: one of ``values``), ``has_tag`` (tags), and
``founded_within_years`` / ``founded_at_least_years`` (date fields: 成立不满 K 年 / 成立满 K 年 as of the evaluation
date, or as of the leaf's own ``as_of`` date when the policy names one — 「截至 2026-01-01 成立不满 3 年」; ``years``
or ``param``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from luoshi.policies.engine.params import ParameterSet
from luoshi.policies.engine.schema import FIELDS, FieldKind


class RuleError(ValueError):
    """A rule that cannot be read; the message says which leaf and what is wrong, in Chinese."""


COMPARISONS = (">=", ">", "<=", "<", "==", "!=")
DATE_OPS = ("founded_within_years", "founded_at_least_years")
OPS_BY_KIND: dict[FieldKind, tuple[str, ...]] = {
    FieldKind.NUMBER: COMPARISONS,
    FieldKind.DATE: DATE_OPS,
    FieldKind.CODE: ("prefix_in",),
    FieldKind.CATEGORY: ("in",),
    FieldKind.TAGS: ("has_tag",),
}
COMPARISON_WORDS = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于", "!=": "不等于"}


def years_before(on: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February becomes 28 February)."""
    year = on.year - years
    day = min(on.day, calendar.monthrange(year, on.month)[1])
    return dt.date(year, on.month, day)


@dataclass(frozen=True, slots=True)
class Leaf:
    id: str
    field: str
    op: str
    value: Any = None  # number (comparisons, years) — or None when `param` names a dated parameter
    param: str = ""
    codes: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    tag: str = ""
    clause: str = ""
    as_of: dt.date | None = None  # 成立不满 K 年 counted to this date (e.g. 截至 2026-01-01); None: the evaluation date

    @property
    def fields(self) -> frozenset[str]:
        return frozenset((self.field,))

    def leaves(self) -> Iterator[Leaf]:
        yield self

    def signed_leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        yield self, negated

    def threshold(self, params: ParameterSet, on: dt.date) -> float:
        """The number this leaf compares with (or the K of 成立不满 K 年) as of `on`."""
        raw = params.value(self.param, on) if self.param else self.value
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise RuleError(f"条件「{self.id}」的比较值「{raw}」不是数字") from None

    def cutoff(self, params: ParameterSet, on: dt.date) -> dt.date:
        """For the founding-date operators: the founding date exactly K years before the leaf's own `as_of` date
        (when the policy names one) or else before the evaluation date `on`."""
        return years_before(self.as_of or on, int(self.threshold(params, on)))

    def describe(self, params: ParameterSet | None = None, on: dt.date | None = None, *, negated: bool = False) -> str:
        """The condition in plain Chinese, e.g. 「从业人数不低于 10 人」; `negated` reads it under a 'not'."""
        text = self._describe(params, on)
        return f"不满足「{text}」的情形" if negated and self.op not in ("in", "has_tag") else (
            text.replace("为", "不为", 1) if negated and self.op == "in" else
            text.replace("具有", "不具有", 1) if negated else text)

    def _describe(self, params: ParameterSet | None, on: dt.date | None) -> str:
        f = FIELDS[self.field]
        if self.op in COMPARISONS:
            if self.param and params is not None and on is not None:
                amount = _number(self.threshold(params, on))
                label = params[self.param].label
                value = f"{amount}{f.unit}({label})"
            elif self.param:
                value = f"参数「{self.param}」"
            else:
                value = f"{_number(float(self.value))}{f.unit}"
            return f"{f.label}{COMPARISON_WORDS[self.op]} {value}"
        if self.op in DATE_OPS:
            if self.param and params is not None and on is not None:
                years = _number(self.threshold(params, on))
            elif self.param:
                years = f"参数「{self.param}」"
            else:
                years = _number(float(self.value))
            word = "不满" if self.op == "founded_within_years" else "满"
            until = f"(截至 {self.as_of.isoformat()})" if self.as_of else ""
            return f"成立{word} {years} 年{until}"
        if self.op == "prefix_in":
            shown = "、".join(self.codes[:8]) + (f" 等 {len(self.codes)} 个代码" if len(self.codes) > 8 else "")
            return f"{f.label}属于 {shown}"
        if self.op == "in":
            return f"{f.label}为{'或'.join(self.values)}"
        return f"具有「{self.tag}」资质"

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "field": self.field, "op": self.op}
        if self.param:
            data["param"] = self.param
        elif self.op in DATE_OPS:
            data["years"] = self.value
        elif self.op in COMPARISONS:
            data["value"] = self.value
        if self.codes:
            data["codes"] = list(self.codes)
        if self.values:
            data["values"] = list(self.values)
        if self.tag:
            data["tag"] = self.tag
        if self.as_of:
            data["as_of"] = self.as_of.isoformat()
        if self.clause:
            data["clause"] = self.clause
        return data


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, slots=True)
class All:
    children: tuple[Node, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset().union(*(c.fields for c in self.children))

    def leaves(self) -> Iterator[Leaf]:
        for c in self.children:
            yield from c.leaves()

    def signed_leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        for c in self.children:
            yield from c.signed_leaves(negated)

    def to_data(self) -> dict[str, Any]:
        return {"all": [c.to_data() for c in self.children]}


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Node, ...]

    @property
    def fields(self) -> frozenset[str]:
        return frozenset().union(*(c.fields for c in self.children))

    def leaves(self) -> Iterator[Leaf]:
        for c in self.children:
            yield from c.leaves()

    def signed_leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        for c in self.children:
            yield from c.signed_leaves(negated)

    def to_data(self) -> dict[str, Any]:
        return {"any": [c.to_data() for c in self.children]}


@dataclass(frozen=True, slots=True)
class Not:
    child: Node

    @property
    def fields(self) -> frozenset[str]:
        return self.child.fields

    def leaves(self) -> Iterator[Leaf]:
        yield from self.child.leaves()

    def signed_leaves(self, negated: bool = False) -> Iterator[tuple[Leaf, bool]]:
        """Leaves with whether an odd number of 'not' encloses them (the condition people read is the negation)."""
        yield from self.child.signed_leaves(not negated)

    def to_data(self) -> dict[str, Any]:
        return {"not": self.child.to_data()}


Node = Leaf | All | AnyOf | Not


def parse_rule(data: Any, *, params: ParameterSet | None = None) -> Node:
    """Build a tree from its dict form. Leaves without an ``id`` are numbered 1, 2, 3 … in reading order."""
    counter = iter(range(1, 10_000))
    seen: set[str] = set()
    node = _parse(data, counter, seen, params)
    return node


def _parse(data: Any, counter: Iterator[int], seen: set[str], params: ParameterSet | None) -> Node:
    if not isinstance(data, Mapping):
        raise RuleError(f"规则节点应为键值结构,收到「{data!r}」")
    if "all" in data or "any" in data:
        key = "all" if "all" in data else "any"
        children = data[key]
        if not isinstance(children, Sequence) or isinstance(children, str) or not children:
            raise RuleError(f"「{key}」下应列出至少一个条件")
        parsed = tuple(_parse(c, counter, seen, params) for c in children)
        return All(parsed) if key == "all" else AnyOf(parsed)
    if "not" in data:
        return Not(_parse(data["not"], counter, seen, params))
    return _parse_leaf(data, counter, seen, params)


def _parse_leaf(data: Mapping[str, Any], counter: Iterator[int], seen: set[str], params: ParameterSet | None) -> Leaf:
    leaf_id = str(data.get("id") or next(counter))
    if leaf_id in seen:
        raise RuleError(f"条件编号「{leaf_id}」重复")
    seen.add(leaf_id)
    name = str(data.get("field") or "")
    if name not in FIELDS:
        raise RuleError(f"条件「{leaf_id}」的字段「{name}」不存在;可用字段:{'、'.join(FIELDS)}")
    kind = FIELDS[name].kind
    op = str(data.get("op") or "")
    if op not in OPS_BY_KIND[kind]:
        raise RuleError(
            f"条件「{leaf_id}」:字段「{FIELDS[name].label}」不能用运算「{op}」,可用:{'、'.join(OPS_BY_KIND[kind])}"
        )
    param = str(data.get("param") or "")
    if param and params is not None and param not in params:
        raise RuleError(f"条件「{leaf_id}」引用了未定义的参数「{param}」")
    clause = str(data.get("clause") or "")
    if op in COMPARISONS or op in DATE_OPS:
        raw = data.get("years") if op in DATE_OPS else data.get("value")
        if not param and (isinstance(raw, bool) or not isinstance(raw, int | float)):
            what = "years(年数)" if op in DATE_OPS else "value(数值)"
            raise RuleError(f"条件「{leaf_id}」缺少数字 {what} 或参数 param")
        as_of = _as_of(leaf_id, data.get("as_of")) if op in DATE_OPS else None
        return Leaf(leaf_id, name, op, value=None if param else raw, param=param, clause=clause, as_of=as_of)
    if op == "prefix_in":
        codes = data.get("codes")
        if not isinstance(codes, Sequence) or isinstance(codes, str) or not codes:
            raise RuleError(f"条件「{leaf_id}」缺少代码列表 codes")
        cleaned = tuple(sorted({str(c).strip().upper() for c in codes if str(c).strip()}))
        return Leaf(leaf_id, name, op, codes=cleaned, clause=clause)
    if op == "in":
        values = data.get("values")
        if not isinstance(values, Sequence) or isinstance(values, str) or not values:
            raise RuleError(f"条件「{leaf_id}」缺少取值列表 values")
        return Leaf(leaf_id, name, op, values=tuple(str(v) for v in values), clause=clause)
    tag = str(data.get("tag") or "")
    if not tag:
        raise RuleError(f"条件「{leaf_id}」缺少资质标签 tag")
    return Leaf(leaf_id, name, op, tag=tag, clause=clause)


def _as_of(leaf_id: str, raw: Any) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise RuleError(f"条件「{leaf_id}」的截止日期「{raw}」应写作 YYYY-MM-DD") from None


@dataclass(frozen=True, slots=True)
class Benefit:
    """What a qualifying firm gets: a fixed amount, or a formula over profile fields, with an optional cap (元)."""

    fixed: float | None = None
    formula: str = ""
    cap: float | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.fixed is not None:
            data["fixed"] = self.fixed
        if self.formula:
            data["formula"] = self.formula
        if self.cap is not None:
            data["cap"] = self.cap
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Benefit:
        data = data or {}
        fixed = data.get("fixed")
        cap = data.get("cap")
        return cls(None if fixed is None else float(fixed), str(data.get("formula") or ""),
                   None if cap is None else float(cap))


@dataclass(frozen=True, slots=True)
class Case:
    """A YAML test case: a profile in, the expected result (符合/不符合/待核实) and the leaves that fail."""

    name: str
    profile: Mapping[str, Any]
    expect: str
    failing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    on: dt.date | None = None
    amount: float | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One claimable item (兑现事项) with its rule."""

    code: str
    title: str
    rule: Node
    clause: str = ""
    benefit: Benefit = field(default_factory=Benefit)
    exclusive_group: str = ""  # items in one group are not enjoyed twice (不重复享受): the highest amount wins (就高)
    quota: int | None = None  # 名额
    budget: float | None = None  # 资金总额上限(元)
    cases: tuple[Case, ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        return self.rule.fields

    def leaf(self, leaf_id: str) -> Leaf:
        for leaf in self.rule.leaves():
            if leaf.id == leaf_id:
                return leaf
        raise KeyError(leaf_id)

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "title": self.title}
        if self.clause:
            data["clause"] = self.clause
        data["rule"] = self.rule.to_data()
        benefit = self.benefit.to_data()
        if benefit:
            data["benefit"] = benefit
        if self.exclusive_group:
            data["exclusive_group"] = self.exclusive_group
        if self.quota is not None:
            data["quota"] = self.quota
        if self.budget is not None:
            data["budget"] = self.budget
        if self.cases:
            data["tests"] = [_case_data(c) for c in self.cases]
        return data


def _case_data(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = {"name": case.name}
    if case.on:
        data["date"] = case.on.isoformat()
    data["profile"] = dict(case.profile)
    data["expect"] = case.expect
    if case.failing:
        data["failing"] = list(case.failing)
    if case.unknown:
        data["unknown"] = list(case.unknown)
    if case.amount is not None:
        data["amount"] = case.amount
    return data


def parse_item(data: Mapping[str, Any], *, params: ParameterSet | None = None) -> Item:
    code = str(data.get("code") or "").strip()
    if not code:
        raise RuleError("事项缺少编号 code")
    try:
        rule = parse_rule(data.get("rule"), params=params)
    except RuleError as exc:
        raise RuleError(f"事项「{code}」:{exc}") from None
    cases = []
    for i, raw in enumerate(data.get("tests") or [], start=1):
        if not isinstance(raw, Mapping) or "expect" not in raw:
            raise RuleError(f"事项「{code}」的第 {i} 个测试用例缺少 expect")
        on = raw.get("date")
        cases.append(
            Case(
                name=str(raw.get("name") or f"用例{i}"),
                profile=dict(raw.get("profile") or {}),
                expect=str(raw["expect"]),
                failing=tuple(str(x) for x in raw.get("failing") or ()),
                unknown=tuple(str(x) for x in raw.get("unknown") or ()),
                on=on if isinstance(on, dt.date) or on is None else dt.date.fromisoformat(str(on)),
                amount=None if raw.get("amount") is None else float(raw["amount"]),
            )
        )
    quota = data.get("quota")
    budget = data.get("budget")
    return Item(
        code=code,
        title=str(data.get("title") or code),
        rule=rule,
        clause=str(data.get("clause") or ""),
        benefit=Benefit.from_data(data.get("benefit")),
        exclusive_group=str(data.get("exclusive_group") or ""),
        quota=None if quota is None else int(quota),
        budget=None if budget is None else float(budget),
        cases=tuple(cases),
    )
