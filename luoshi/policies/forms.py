"""The structured rule form: a condition tree edited as plain form fields, without YAML.

The tree travels in the POST as flat fields named by a node's path — ``r`` is the root group, ``r.0`` its first
child, ``r.0.2`` that child's third child::

    r.kind = all                       (all / any / not / leaf)
    r.0.kind = leaf   r.0.id = 高企   r.0.field = tags   r.0.op = has_tag   r.0.tag = 高新技术企业   r.0.clause = 第三条
    r.1.kind = not    r.1.0.kind = leaf   r.1.0.field = credit_status   r.1.0.values = 失信 …

`tree_from_post` reads them back into the rule's dict form (the same dict the YAML holds), `apply_edit` adds, removes
or nests nodes (the form's buttons post ``edit=add_leaf:r.1`` …), and `render_tree` turns a dict tree into the nodes
the template draws, with the operators and value inputs that fit each leaf's field. Values the engine cannot read yet
(a half-typed number) are kept as typed, so the form redraws exactly what the user wrote and the live check names the
problem. No business rules here: the engine (`engine/rules.py`) decides what a valid rule is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from luoshi.core.errors import ValidationFailed
from luoshi.policies.engine.params import ParameterSet
from luoshi.policies.engine.rules import COMPARISONS, DATE_OPS, OPS_BY_KIND
from luoshi.policies.engine.schema import CREDIT_STATUSES, FIELDS, KNOWN_TAGS, SIZES, FieldKind
from luoshi.policies.errors import PolicyError

ROOT = "r"
GROUPS = {"all": "全部满足", "any": "任一满足", "not": "不属于"}
OP_LABELS = {
    ">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于", "!=": "不等于",
    "founded_within_years": "成立不满 K 年", "founded_at_least_years": "成立满 K 年",
    "prefix_in": "代码属于(按前缀,任意层级)", "in": "属于以下取值之一", "has_tag": "具有资质",
}
CHOICES: dict[str, tuple[str, ...]] = {"credit_status": CREDIT_STATUSES, "size": SIZES}
MAX_DEPTH = 6
_SPLIT = re.compile(r"[\s,,、;;]+")


class FormEditError(ValidationFailed):
    """An edit that does not fit the tree (a stale button after the tree changed)."""


# -- POST → dict tree -------------------------------------------------------------------------------------------------


def tree_from_post(post: QueryDict) -> dict[str, Any]:
    """The rule's dict form from the flat fields; the root is always a group (a lone leaf becomes all: [leaf])."""
    node = _node(post, ROOT, 0)
    return node if _is_group(node) else {"all": [node]}


def _children_paths(post: QueryDict, path: str) -> list[str]:
    prefix = f"{path}."
    indices = set()
    for key in post:
        if key.startswith(prefix) and key.endswith(".kind"):
            head = key[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                indices.add(int(head))
    return [f"{path}.{i}" for i in sorted(indices)]


def _node(post: QueryDict, path: str, depth: int) -> dict[str, Any]:
    kind = post.get(f"{path}.kind", "all" if path == ROOT else "leaf")
    if kind in GROUPS and depth < MAX_DEPTH:
        children = [_node(post, p, depth + 1) for p in _children_paths(post, path)]
        if kind == "not":
            return {"not": children[0] if children else _blank_leaf()}
        return {kind: children}
    return _leaf(post, path)


def _leaf(post: QueryDict, path: str) -> dict[str, Any]:
    def get(name: str) -> str:
        return (post.get(f"{path}.{name}") or "").strip()

    name = get("field")
    kind = FIELDS[name].kind if name in FIELDS else None
    ops = OPS_BY_KIND.get(kind, ()) if kind else ()
    op = get("op")
    if op not in ops:
        op = ops[0] if ops else ""
    data: dict[str, Any] = {"id": get("id"), "field": name, "op": op}
    if op in COMPARISONS or op in DATE_OPS:
        if get("source") == "param":
            data["param"] = get("param")
        else:
            data["years" if op in DATE_OPS else "value"] = _number(get("value"))
        if op in DATE_OPS and get("as_of"):
            data["as_of"] = get("as_of")
    elif op == "prefix_in":
        data["codes"] = [c for c in _SPLIT.split(get("codes").upper()) if c]
    elif op == "in":
        data["values"] = [v.strip() for v in post.getlist(f"{path}.values") if v.strip()]
    elif op == "has_tag":
        data["tag"] = get("tag")
    if get("clause"):
        data["clause"] = get("clause")
    return data


def _number(raw: str) -> Any:
    """A number when the text is one (the engine then checks it), else the text itself (the check names it)."""
    cleaned = raw.replace(",", "").replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return raw or None
    return int(value) if value.is_integer() and "." not in cleaned else value


def _blank_leaf() -> dict[str, Any]:
    return {"id": "", "field": "tags", "op": "has_tag", "tag": ""}


def _is_group(node: Mapping[str, Any]) -> bool:
    return any(k in node for k in GROUPS)


# -- structural edits -------------------------------------------------------------------------------------------------


def apply_edit(tree: dict[str, Any], edit: str) -> dict[str, Any]:
    """``add_leaf:P`` / ``add_all:P`` / ``add_any:P`` / ``add_not:P`` append to group P; ``remove:P`` drops node P
    (a group keeps at least one child); ``refresh`` only redraws (after a field or operator changed)."""
    verb, _, path = edit.partition(":")
    if verb == "refresh" or not verb:
        return tree
    if verb.startswith("add_"):
        what = verb[4:]
        group = _find(tree, path)
        children = _children(group)
        if children is None or "not" in group:
            raise FormEditError(code=PolicyError.RULE_EDIT_ADD_REFUSED)
        if path.count(".") + 1 >= MAX_DEPTH and what != "leaf":
            raise FormEditError(f"条件组最多嵌套 {MAX_DEPTH} 层。", code=PolicyError.RULE_EDIT_TOO_DEEP)
        leaf = {**_blank_leaf(), "id": next_leaf_id(tree)}
        children.append(leaf if what == "leaf" else {"not": leaf} if what == "not" else {what: [leaf]})
        return tree
    if verb == "remove":
        if path == ROOT or "." not in path:
            raise FormEditError(code=PolicyError.RULE_EDIT_ROOT)
        parent_path, _, index = path.rpartition(".")
        parent = _find(tree, parent_path)
        children = _children(parent)
        if "not" in parent:  # removing the only child of a 'not' removes the 'not' itself
            return apply_edit(tree, f"remove:{parent_path}")
        if children is None or not index.isdigit() or int(index) >= len(children):
            raise FormEditError(code=PolicyError.RULE_EDIT_GONE)
        if len(children) == 1:
            raise FormEditError(code=PolicyError.RULE_EDIT_LAST_CHILD)
        del children[int(index)]
        return tree
    raise FormEditError(f"未知的编辑操作「{verb}」。", code=PolicyError.RULE_EDIT_UNKNOWN)


def _children(node: Mapping[str, Any]) -> list[Any] | None:
    for key in ("all", "any"):
        if key in node:
            value = node[key]
            return value if isinstance(value, list) else None
    return None


def _find(tree: dict[str, Any], path: str) -> dict[str, Any]:
    parts = path.split(".")
    if parts[0] != ROOT:
        raise FormEditError(code=PolicyError.RULE_EDIT_PATH_INVALID)
    node: Any = tree
    for part in parts[1:]:
        if "not" in node:
            node = node["not"]
            continue
        children = _children(node)
        if children is None or not part.isdigit() or int(part) >= len(children):
            raise FormEditError(code=PolicyError.RULE_EDIT_TARGET_GONE)
        node = children[int(part)]
    return node  # type: ignore[no-any-return]


def _leaf_ids(node: Any) -> list[str]:
    if not isinstance(node, Mapping):
        return []
    if "not" in node:
        return _leaf_ids(node["not"])
    children = _children(node)
    if children is not None:
        return [i for c in children for i in _leaf_ids(c)]
    return [str(node.get("id") or "")]


def next_leaf_id(tree: Mapping[str, Any]) -> str:
    used = set(_leaf_ids(tree))
    n = 1
    while f"条件{n}" in used:
        n += 1
    return f"条件{n}"


def fill_ids(tree: dict[str, Any]) -> dict[str, Any]:
    """Leaves left without a 编号 get 条件1, 条件2 … (the test cases and why-not texts name leaves by it)."""
    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        if "not" in node:
            walk(node["not"])
            return
        children = _children(node)
        if children is not None:
            for c in children:
                walk(c)
        elif not node.get("id"):
            node["id"] = next_leaf_id(tree)

    walk(tree)
    return tree


def as_group(rule: Any) -> dict[str, Any]:
    """A stored or imported rule as the form edits it: the root is a group, dates are ISO text (YAML reads
    ``as_of: 2026-01-01`` as a date)."""
    rule = _plain(rule)
    if isinstance(rule, dict) and ("all" in rule or "any" in rule):
        return rule
    return {"all": [rule]} if isinstance(rule, dict) else {"all": [_blank_leaf()]}


def _plain(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


# -- dict tree → what the template draws ------------------------------------------------------------------------------


@dataclass
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass
class FormNode:
    path: str
    kind: str  # all / any / not / leaf
    depth: int
    children: list[FormNode] = field(default_factory=list)
    removable: bool = True
    # leaves only
    data: dict[str, Any] = field(default_factory=dict)
    fields: list[Choice] = field(default_factory=list)
    ops: list[Choice] = field(default_factory=list)
    field_kind: str = ""
    unit: str = ""
    source: str = "value"  # value / param
    params: list[Choice] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)  # category fields: the values to tick
    tags: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.kind != "leaf"

    @property
    def can_add(self) -> bool:
        return self.kind in ("all", "any")

    @property
    def can_nest(self) -> bool:
        return self.can_add and self.depth + 1 < MAX_DEPTH

    @property
    def label(self) -> str:
        return GROUPS.get(self.kind, "")

    @property
    def codes_text(self) -> str:
        return " ".join(str(c) for c in self.data.get("codes") or ())

    @property
    def value_text(self) -> str:
        raw = self.data.get("years" if self.data.get("op") in DATE_OPS else "value")
        return "" if raw is None else str(raw)


def render_tree(tree: Mapping[str, Any], params: ParameterSet) -> FormNode:
    return _render(as_group(tree), ROOT, 0, params, removable=False)


def _render(node: Any, path: str, depth: int, params: ParameterSet, removable: bool = True) -> FormNode:
    node = node if isinstance(node, Mapping) else _blank_leaf()
    if "not" in node:
        out = FormNode(path, "not", depth, removable=removable)
        out.children = [_render(node["not"], f"{path}.0", depth + 1, params, removable=False)]
        return out
    children = _children(node)
    if children is not None and depth < MAX_DEPTH:
        kind = "all" if "all" in node else "any"
        out = FormNode(path, kind, depth, removable=removable)
        out.children = [_render(c, f"{path}.{i}", depth + 1, params, removable=len(children) > 1)
                        for i, c in enumerate(children)]
        return out
    return _render_leaf(dict(node), path, depth, params, removable)


def _render_leaf(data: dict[str, Any], path: str, depth: int, params: ParameterSet, removable: bool) -> FormNode:
    name = str(data.get("field") or "")
    spec = FIELDS.get(name)
    ops = OPS_BY_KIND[spec.kind] if spec else ()
    op = str(data.get("op") or "")
    out = FormNode(path, "leaf", depth, removable=removable, data=data)
    out.fields = [Choice(f.name, f.label + (f"({f.unit})" if f.unit else ""), f.name == name) for f in FIELDS.values()]
    out.ops = [Choice(o, OP_LABELS[o], o == op) for o in ops]
    out.field_kind = spec.kind.value if spec else ""
    out.unit = spec.unit if spec else ""
    out.source = "param" if data.get("param") else "value"
    out.params = [Choice(k, f"{p.label}({k})", k == data.get("param")) for k, p in sorted(params.items())]
    if spec is not None and spec.kind == FieldKind.CATEGORY:
        wanted = {str(v) for v in data.get("values") or ()}
        out.choices = [Choice(v, v, v in wanted) for v in CHOICES.get(name, ())]
    out.tags = KNOWN_TAGS
    return out


def flatten(tree: Mapping[str, Any], path: str = ROOT) -> list[tuple[str, str]]:
    """The flat fields the form posts for a dict tree (the inverse of `tree_from_post`, for tests and API clients)."""
    if "not" in tree:
        return [(f"{path}.kind", "not"), *flatten(tree["not"], f"{path}.0")]
    children = _children(tree)
    if children is not None:
        kind = "all" if "all" in tree else "any"
        return [(f"{path}.kind", kind), *[kv for i, c in enumerate(children) for kv in flatten(c, f"{path}.{i}")]]
    out = [(f"{path}.kind", "leaf")]
    for key in ("id", "field", "op", "tag", "clause", "as_of"):
        if tree.get(key) not in (None, ""):
            out.append((f"{path}.{key}", str(tree[key])))
    if tree.get("param"):
        out += [(f"{path}.source", "param"), (f"{path}.param", str(tree["param"]))]
    elif tree.get("op") in COMPARISONS or tree.get("op") in DATE_OPS:
        raw = tree.get("years" if tree.get("op") in DATE_OPS else "value")
        out += [(f"{path}.source", "value"), (f"{path}.value", "" if raw is None else str(raw))]
    if tree.get("codes"):
        out.append((f"{path}.codes", " ".join(str(c) for c in tree["codes"])))
    out += [(f"{path}.values", str(v)) for v in tree.get("values") or ()]
    return out
