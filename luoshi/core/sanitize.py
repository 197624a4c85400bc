"""Input sanitising at the service/API boundary and output sanitising for files. Pure Python (no Django).

- `clean_text`: refuses NUL and strips the other C0 control characters (but tab and newlines) and lone UTF-16
  surrogates, which PostgreSQL, openpyxl and python-docx refuse later (an alias with \\x0b made every export of
  its region fail), and caps the length.
- `cell`: what goes into a spreadsheet or CSV cell: control characters removed and a leading = + - @ (or a tab /
  carriage return before them) neutralised with an apostrophe, so a measure text "=HYPERLINK(...)" stays text.
"""

from __future__ import annotations

import math
import re
from typing import Any

_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


class BadInput(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def strip_controls(text: str) -> str:
    return _SURROGATE.sub("", _C0.sub("", text))


def clean_text(
    value: str, *, label: str = "内容", max_length: int | None = None, reject_nul: bool = False
) -> str:
    if reject_nul and "\x00" in value:
        raise BadInput(f"“{label}”中含有不可见的空字符(NUL),请删除后重新提交。")
    text = strip_controls(value)
    if max_length is not None and len(text) > max_length:
        raise BadInput(f"“{label}”过长({len(text)} 字),最多 {max_length} 字。请精简后重新提交。")
    return text


def finite_number(value: Any, *, label: str = "数值", low: float = -1e12, high: float = 1e12) -> float:
    """A finite float within [low, high]: nan, inf and 1e308 are refused with a Chinese message."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise BadInput(f"“{label}”不是有效的数字。") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise BadInput(f"“{label}”超出允许范围({low:g} 至 {high:g})。")
    return number


def cell(value: Any) -> Any:
    """A value safe to write into an .xlsx/.csv cell."""
    if not isinstance(value, str):
        return value
    text = strip_controls(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def xlsx_value(sheet: Any, value: Any) -> Any:
    """A value for `sheet.append`: control characters removed, and text starting with "=" written as a text cell
    (openpyxl would otherwise store it as a live formula: "=HYPERLINK(...)" in a measure text)."""
    if not isinstance(value, str):
        return value
    text = strip_controls(value)
    if text.startswith(("=", "＝")):
        from openpyxl.cell import WriteOnlyCell

        c = WriteOnlyCell(sheet, value=text)
        c.data_type = "s"  # text, not a formula
        return c
    return text


def xlsx_row(sheet: Any, values: Any) -> list[Any]:
    return [xlsx_value(sheet, v) for v in values]
