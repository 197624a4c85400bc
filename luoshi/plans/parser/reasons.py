"""The reasons behind a measure's readings: which rule read its sections, text, units, deadline and targets,
and where (offsets into the document's text). Low-confidence readings carry a `check` for the reviewer:

- a deadline read from the measure's text rather than a time-limit field or label (the parser judged that
  the phrase is a commitment, "6月底前完成", not an activity, "6月召开推进会");
- a target read from a scope phrase ("推出…等10个以上套餐": 等 + 以上);
- a measure from a task table whose structure was recovered from cells flattened one per line;
- a unit the org directory does not know (added by `api` once the names are resolved).
"""

from __future__ import annotations

import re

from .deadlines import Deadline
from .result import Reading, Target

CHECK_BODY_DEADLINE = "完成时限由正文推断(未见时限栏),请核对"
CHECK_SCOPE_TARGET = "量化目标取自“等…以上”的范围表述,请核对"
CHECK_FLAT_TABLE = "表格结构由文字推断(原表格线已丢失),请核对各列"
CHECK_UNKNOWN_UNIT = "单位未在机构目录中找到,请确认"


def field_offset(spans: list[tuple[int, int]], rel: tuple[int, int]) -> tuple[int, int] | None:
    """Map a span inside the time-limit field text (its phrases joined by spaces) back to the document."""
    pos = 0
    for a, b in spans:
        n = b - a
        if pos <= rel[0] <= pos + n:
            return a + rel[0] - pos, min(b, a + rel[1] - pos)
        pos += n + 1
    return None


def measure_reasons(
    *,
    path: list[str],
    path_src: list[tuple[str, int, int]],
    text_rule: str,
    text_span: tuple[int, int],
    lead: list[str],
    co: list[str],
    sources: dict[str, tuple[str, int, int]],
    role_rules: list[str],
    deadline: Deadline,
    time_spans: list[tuple[int, int]],
    targets: list[Target],
    flat_table: bool,
) -> list[Reading]:
    out = [
        Reading("section", value, rule, (a, b)) for value, (rule, a, b) in zip(path, path_src, strict=False)
    ]
    out.append(Reading("text", "", text_rule or "item", text_span, CHECK_FLAT_TABLE if flat_table else ""))
    extra = "".join(f" + {r}" for r in role_rules)
    for role, names in (("lead", lead), ("co", co)):
        for name in names:
            rule, a, b = sources.get(name, ("", 0, 0))
            out.append(Reading(role, name, (rule or "unit list") + extra, (a, b) if b else None))
    if deadline.date or deadline.ongoing:
        value = deadline.date.isoformat() if deadline.date else "长期坚持"
        span = None
        if deadline.span and deadline.source == "body":
            span = (text_span[0] + deadline.span[0], text_span[0] + deadline.span[1])
        elif deadline.span and deadline.source == "field":
            span = field_offset(time_spans, deadline.span)
        elif deadline.source == "field" and time_spans:
            span = (time_spans[0][0], time_spans[-1][1])
        where = " (时限栏)" if deadline.source == "field" else " (正文)"
        check = CHECK_BODY_DEADLINE if deadline.source == "body" else ""
        out.append(Reading("deadline", value, deadline.rule + where, span, check))
    for t in targets:
        span = (text_span[0] + t.span[0], text_span[0] + t.span[1]) if t.span else None
        check = CHECK_SCOPE_TARGET if "等N个以上" in t.rule else ""
        value = f"{t.op}{_num(t.value)}{t.unit}"
        out.append(Reading("target", value, t.rule + (" (隐含)" if t.implicit else ""), span, check))
    return out


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else re.sub(r"0+$", "", f"{v:.6f}")
