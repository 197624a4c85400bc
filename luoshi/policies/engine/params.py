"""Dated parameters (参数): a named value that changes on given dates and keeps every value it had, the OpenFisca
way. A rule reads a parameter as of the evaluation date, so a threshold raised on 2026-01-01 still gives the old
answer for 2025. No Django."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


class ParameterError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    label: str
    unit: str = ""
    # (effective from, value), sorted by date; a value of None ends the parameter (no longer in force).
    values: tuple[tuple[dt.date, Any], ...] = ()
    reference: str = ""  # where the value comes from (文件、条款)

    def value_at(self, on: dt.date) -> Any:
        i = bisect.bisect_right(self.values, on, key=lambda pair: pair[0]) - 1
        if i < 0 or self.values[i][1] is None:
            raise ParameterError(f"参数「{self.label}」({self.name})在 {on.isoformat()} 没有生效的取值")
        return self.values[i][1]

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "values": {d.isoformat(): v for d, v in self.values}}
        if self.unit:
            data["unit"] = self.unit
        if self.reference:
            data["reference"] = self.reference
        return data

    @classmethod
    def from_data(cls, name: str, data: Mapping[str, Any]) -> Parameter:
        raw = data.get("values")
        if not isinstance(raw, Mapping) or not raw:
            raise ParameterError(f"参数「{name}」缺少 values(生效日期: 取值)")
        values = []
        for key, value in raw.items():
            try:
                day = key if isinstance(key, dt.date) else dt.date.fromisoformat(str(key))
            except ValueError:
                raise ParameterError(f"参数「{name}」的生效日期「{key}」不是 YYYY-MM-DD") from None
            values.append((day, value))
        values.sort(key=lambda pair: pair[0])
        return cls(name, str(data.get("label") or name), str(data.get("unit") or ""), tuple(values),
                   str(data.get("reference") or ""))


@dataclass(slots=True)
class ParameterSet(Mapping[str, Parameter]):
    parameters: dict[str, Parameter] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterError(f"规则引用了未定义的参数「{name}」") from None

    def __contains__(self, name: object) -> bool:
        return name in self.parameters

    def __iter__(self) -> Iterator[str]:
        return iter(self.parameters)

    def __len__(self) -> int:
        return len(self.parameters)

    def add(self, parameter: Parameter) -> None:
        self.parameters[parameter.name] = parameter

    def value(self, name: str, on: dt.date) -> Any:
        return self[name].value_at(on)

    def to_data(self) -> dict[str, Any]:
        return {name: p.to_data() for name, p in sorted(self.parameters.items())}

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> ParameterSet:
        return cls({name: Parameter.from_data(name, body) for name, body in (data or {}).items()})
