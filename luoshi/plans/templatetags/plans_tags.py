"""Display helpers for the plan pages (formatting only)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

_OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "": ""}
_STATUS = {"resolved": ("已识别", "green"), "ambiguous": ("有歧义", "yellow"), "unknown": ("未知", "red")}
_FACT_LABELS = {
    "plans": "涉及的方案",
    "areas": "重点领域",
    "counts": "任务数量",
    "time_limits": "办理时限",
    "figures": "量化指标",
}


@register.filter
def target_label(t: dict[str, Any]) -> str:
    value = t.get("value")
    if value is None:
        shown = ""
    elif isinstance(value, float):
        shown = f"{value:g}"
    else:
        shown = str(value)
    op = _OPS.get(str(t.get("op") or ""), str(t.get("op") or ""))
    implicit = "(隐含)" if t.get("implicit") else ""
    return f"{t.get('metric', '')} {op} {shown}{t.get('unit', '')}{implicit}".strip()


@register.filter
def status_label(status: str) -> str:
    return _STATUS.get(status, ("未知", "red"))[0]


@register.filter
def status_tone(status: str) -> str:
    return _STATUS.get(status, ("未知", "red"))[1]


@register.filter
def links_of(links: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    return [link for link in links or [] if link.get("role") == role]


@register.filter
def fact_label(key: str) -> str:
    return _FACT_LABELS.get(key, key)


@register.filter
def is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


@register.filter
def is_dict(value: Any) -> bool:
    return isinstance(value, dict)


@register.filter
def score(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return ""


@register.filter
def shown(value: Any) -> str:
    """A diff value as text: lists joined with 、, headings with ›, empty as (空)."""
    if value in (None, "", [], ()):
        return "(空)"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


@register.filter
def reading_field(field: str) -> str:
    """The Chinese name of a reading's field (章节, 举措, 牵头单位 …)."""
    from luoshi.plans.parser.explain import FIELD_NAMES

    return FIELD_NAMES.get(field, field)


@register.filter
def rule_label(rule: str) -> str:
    """A parser rule name in the reviewer's words ("label:牵头单位" → 标签“牵头单位:”)."""
    from luoshi.plans.parser.explain import describe_rule

    return describe_rule(rule)
