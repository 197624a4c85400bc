"""Benefit formulas over profile fields (``revenue * 100``, ``min(employees * 2000, 500000)``): a tiny safe
expression language read with `ast`, evaluated on numbers or on numpy columns alike. No Django."""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from luoshi.policies.engine.schema import FIELDS, FieldKind

_BINOPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
_FUNCS = {"min": np.minimum, "max": np.maximum}


class FormulaError(ValueError):
    pass


def formula_fields(source: str) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(_parse(source)) if isinstance(n, ast.Name) and n.id not in _FUNCS)


@functools.lru_cache(maxsize=1024)
def _parse(source: str) -> ast.Expression:
    """Parsed and checked once per formula text (the tree is only read afterwards)."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        raise FormulaError(f"金额公式「{source}」无法解析") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _FUNCS:
            if node.id not in FIELDS or FIELDS[node.id].kind != FieldKind.NUMBER:
                raise FormulaError(f"金额公式中的「{node.id}」不是数值字段")
        elif not isinstance(
            node, ast.Expression | ast.BinOp | ast.Constant | ast.Name | ast.Call | ast.Load | ast.UnaryOp
            | ast.USub | ast.operator
        ):
            raise FormulaError(f"金额公式「{source}」含有不允许的写法")
    return tree


def evaluate_formula(source: str, values: Mapping[str, Any]) -> Any:
    return _eval(_parse(source).body, values)


def _eval(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        value = values.get(node.id)
        if value is None:
            raise FormulaError(f"计算金额需要「{FIELDS[node.id].label}」")
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, values)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS and len(node.args) == 2:
        return _FUNCS[node.func.id](_eval(node.args[0], values), _eval(node.args[1], values))
    raise FormulaError("金额公式含有不允许的写法")
