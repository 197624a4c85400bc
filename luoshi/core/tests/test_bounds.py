"""Every number an API operation accepts is bounded (luoshi/core/bounds.py): walking the OpenAPI schema finds any
integer or number in a path, query, form or JSON body without a minimum and a maximum (an unbounded id overflowed
PostgreSQL's bigint and SQLite's INTEGER: 500), and any float that admits nan/inf."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.core import bounds
from luoshi.core.errors import ValidationFailed


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _unbounded(schema: dict[str, Any], spec: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    if "$ref" in schema:
        if schema["$ref"] in seen:
            return []
        seen = seen | {schema["$ref"]}
    schema = _resolve(schema, spec)
    out: list[str] = []
    kind = schema.get("type")
    if kind in ("integer", "number"):
        has_low = "minimum" in schema or "exclusiveMinimum" in schema
        has_high = "maximum" in schema or "exclusiveMaximum" in schema
        if not (has_low and has_high):
            out.append(where)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            out += _unbounded(sub, spec, where, seen)
    for name, sub in (schema.get("properties") or {}).items():
        out += _unbounded(sub, spec, f"{where}.{name}", seen)
    if isinstance(schema.get("items"), dict):
        out += _unbounded(schema["items"], spec, f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        out += _unbounded(schema["additionalProperties"], spec, f"{where}{{}}", seen)
    return out


def test_every_number_an_operation_accepts_is_bounded() -> None:
    from luoshi.api import api

    spec = api.get_openapi_schema()
    problems: list[str] = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            label = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                problems += _unbounded(param.get("schema", {}), spec, f"{label} {param['in']}:{param['name']}", set())
            for media in (op.get("requestBody") or {}).get("content", {}).values():
                problems += _unbounded(media.get("schema", {}), spec, f"{label} body", set())
    assert not problems, "unbounded numbers (use luoshi.core.bounds types):\n" + "\n".join(problems)


def test_page_helpers() -> None:
    assert bounds.parse_id("99999999999999999999") is None
    assert bounds.parse_id("-9223372036854775809") is None
    assert bounds.parse_id("12") == 12 and bounds.parse_key("0") == 0
    assert bounds.parse_int("abc") is None
    with pytest.raises(ValidationFailed, match="超出允许范围"):
        bounds.parse_month("9999-12")
    with pytest.raises(ValidationFailed, match="超出允许范围"):
        bounds.parse_month("0001-01")
    with pytest.raises(ValidationFailed, match="版本号"):
        bounds.version_from("abc")
    for bad in ("nan", "inf", "1e308"):
        with pytest.raises(ValidationFailed):
            bounds.parse_number(bad)
