"""`luoshi plan parse FILE --explain`: every reading of every measure with the rule that made it and the
passage it was read from."""

from __future__ import annotations

from .result import ParseResult

FIELD_NAMES = {
    "section": "章节",
    "text": "举措",
    "lead": "牵头单位",
    "co": "配合单位",
    "deadline": "完成时限",
    "target": "量化目标",
}


_RULE_KINDS = [
    ("heading:", "编号标题 "),
    ("item:", "编号条目 "),
    ("label:", "标签 "),
    ("phrase:", "责任句式 "),
    ("table:", "任务表 "),
    ("date:", "时限写法 "),
    ("target:", "目标写法 "),
    ("doc:", "全文规则 "),
]
_MARKER_NAMES = {
    "chapter": "第X章/部分",
    "article": "第X条",
    "cn": "一、",
    "pcn": "(一)",
    "dec2": "1.1",
    "num": "1.",
    "pnum": "(1)",
    "circ": "①",
    "pcirc": "⑴",
    "bare": "无编号的分组标题",  # `structure.BARE_GROUP_RULE`
}


_TAIL_WORDS = {
    "(flattened cells, header read from the text)": "(由逐行文字还原的表格)",
    "split at each responsibility": "(按责任括号分条)",
    "column": "",
    "+phrase": "(值内含分工句式)",
    "+X(牵头)": "(标注牵头)",
}
_RULE_WORDS = {"figure": "数字+单位", "unit": "", "row": "一行", "lead": "牵头单位列", "co": "责任单位列"}


def describe_rule(rule: str) -> str:
    """A rule name in the reviewer's words: "heading:pcn" → 编号标题 “(一)”, "label:牵头单位" → 标签 “牵头单位”."""
    for prefix, label in _RULE_KINDS:
        if rule.startswith(prefix):
            rest = rule[len(prefix) :]
            head, _, tail = rest.partition(" ")
            if prefix in ("heading:", "item:"):
                head = _MARKER_NAMES.get(head, head.removeprefix("action:") + "N")
            head = _RULE_WORDS.get(head, head)
            for en, zh in _TAIL_WORDS.items():
                tail = tail.replace(en, zh)
            return f"{label}“{head}”{(' ' + tail.strip()) if tail.strip() else ''}"
    return rule or "—"


def _quote(text: str, span: tuple[int, int] | None, width: int = 40) -> str:
    if not span:
        return ""
    a, b = span
    s = " ".join(text[a:b].split())
    return f"「{s[:width]}…」" if len(s) > width else f"「{s}」"


def explain_lines(result: ParseResult) -> list[str]:
    out = [
        f"文件 {result.source_name}({result.source_format}):{result.kind},标题“{result.title}”,"
        f"年度 {result.year or '未识别'},{len(result.measures)} 条举措",
    ]
    out += [f"提示:{w}" for w in result.warnings]
    for m in result.measures:
        out.append("")
        out.append(f"#{m.seq} {m.title or m.text[:30]}")
        for r in m.reasons:
            label = FIELD_NAMES.get(r.field, r.field)
            where = f" @{r.span[0]}-{r.span[1]}" if r.span else ""
            value = r.value or _quote(result.text, r.span)
            line = f"  {label}: {value}  ← {describe_rule(r.rule)} [{r.rule}]{where}"
            if r.field in ("lead", "co", "deadline", "target", "section"):
                line += f" {_quote(result.text, r.span)}"
            if r.check:
                line += f"  [请核对] {r.check}"
            out.append(line)
        if m.suggested_units:
            out.append("  建议牵头单位: " + "、".join(f"{u}({p:.2f})" for u, p in m.suggested_units))
    return out
