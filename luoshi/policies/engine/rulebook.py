"""A rule book: dated parameters and items, read from and written to YAML, with each item's test cases run the
OpenFisca way (profile in, expected result and failing leaves out). No Django."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from luoshi.policies.engine.params import ParameterError, ParameterSet
from luoshi.policies.engine.profile import Profile, Status, evaluate_item
from luoshi.policies.engine.rules import Item, RuleError, parse_item

DEFAULT_CASE_DATE = dt.date(2026, 6, 1)


@dataclass(slots=True)
class RuleBook:
    params: ParameterSet = field(default_factory=ParameterSet)
    items: list[Item] = field(default_factory=list)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def to_data(self) -> dict[str, Any]:
        return {"parameters": self.params.to_data(), "items": [i.to_data() for i in self.items]}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_data(), allow_unicode=True, sort_keys=False, width=120)

    @classmethod
    def from_data(cls, data: Any) -> RuleBook:
        if not isinstance(data, dict):
            raise RuleError("规则文件应包含 parameters 与 items 两部分")
        try:
            params = ParameterSet.from_data(data.get("parameters"))
        except ParameterError as exc:
            raise RuleError(str(exc)) from None
        items = [parse_item(raw, params=params) for raw in data.get("items") or []]
        codes = [i.code for i in items]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise RuleError(f"事项编号重复:{'、'.join(dupes)}")
        return cls(params, items)

    @classmethod
    def from_yaml(cls, text: str) -> RuleBook:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise RuleError(f"规则文件不是有效的 YAML:{exc}") from None
        return cls.from_data(data)


@dataclass(frozen=True, slots=True)
class CaseResult:
    item: str
    case: str
    passed: bool
    expected: str
    got: str
    expected_failing: tuple[str, ...]
    got_failing: tuple[str, ...]
    message: str


def run_cases(item: Item, params: ParameterSet) -> list[CaseResult]:
    results = []
    for case in item.cases:
        on = case.on or DEFAULT_CASE_DATE
        try:
            outcome = evaluate_item(item, Profile.from_data(case.profile), params, on)
        except (ValueError, ParameterError) as exc:
            results.append(CaseResult(item.code, case.name, False, case.expect, "出错", case.failing, (), str(exc)))
            continue
        problems = []
        if outcome.status != Status(case.expect):
            problems.append(f"期望「{case.expect}」,实际「{outcome.status}」")
        if case.failing and tuple(sorted(outcome.failing)) != tuple(sorted(case.failing)):
            problems.append(f"期望不满足的条件为 {list(case.failing)},实际为 {list(outcome.failing)}")
        if case.unknown and tuple(sorted(outcome.unknown)) != tuple(sorted(case.unknown)):
            problems.append(f"期望待核实的条件为 {list(case.unknown)},实际为 {list(outcome.unknown)}")
        if case.amount is not None and (outcome.amount is None or abs(outcome.amount - case.amount) > 0.005):
            problems.append(f"期望金额 {case.amount},实际 {outcome.amount}")
        results.append(CaseResult(item.code, case.name, not problems, case.expect, str(outcome.status),
                                  case.failing, outcome.failing, ";".join(problems) or "通过"))
    return results


def run_all_cases(book: RuleBook, items: Iterable[Item] | None = None) -> list[CaseResult]:
    return [r for item in (items if items is not None else book.items) for r in run_cases(item, book.params)]
