"""Bounded input types: every number, id, page, date and version that enters through the API or a page.

An unbounded int reaches the database as an overflow (PostgreSQL `bigint out of range`, SQLite `Python int too
large`), `nan`/`inf`/`1e308` poison sums and exports, and `date(9999, 12, 31) + 1 day` raises OverflowError: each
answered 500. This module is the one place those bounds live:

- API schemas (django-ninja / pydantic) use the `Annotated` types `Id`, `OptionalId`, `Page`, `PageSize`,
  `Limit`, `Offset`, `Version`, `Number`, `Percent`, `Money`, `Day`, `Year`; out-of-range values answer 422 with a Chinese
  message naming the field (luoshi/api.py) before any view, selector or permission check runs.
  `luoshi/core/tests/test_bounds.py` walks the OpenAPI schema and fails on an unbounded integer, number or date.
- Pages parse query strings and form fields with `parse_id`, `parse_int`, `parse_date`, `parse_month`,
  `parse_number` and `version_from`, and page through lists with `page_of`.
- Services check the optimistic lock with `expected_or_current`: from a page or the API the version is required.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from luoshi.core.errors import ValidationFailed

MAX_ID = 2**63 - 1  # BigAutoField
MAX_INT = 2**31 - 1
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 1000
MAX_OFFSET = 10_000_000
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)  # far from date.max: deadlines add workdays, periods add months
MAX_NUMBER = 1e12  # a target actual, an amount in 万元, a weight: all far below

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
OptionalId = Annotated[int | None, Field(default=None, ge=1, le=MAX_ID)]
Page = Annotated[int, Field(ge=1, le=MAX_PAGE)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
Version = Annotated[int, Field(ge=0, le=MAX_INT)]
Count = Annotated[int, Field(ge=0, le=MAX_INT)]
SmallInt = Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
Year = Annotated[int, Field(ge=MIN_DATE.year, le=MAX_DATE.year)]
Number = Annotated[float, Field(ge=-MAX_NUMBER, le=MAX_NUMBER, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Day = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
# 万元 with two decimals, as the projects' DecimalField(max_digits=14) stores it
Money = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2, allow_inf_nan=False)]


def parse_int(value: Any, *, low: int = -MAX_INT, high: int = MAX_INT, default: int | None = None) -> int | None:
    """`value` as an int within [low, high]; `default` when empty, not a number or out of range."""
    if value is None or isinstance(value, bool):
        return default
    text = str(value).strip()
    if not text or len(text) > 20:
        return default
    try:
        number = int(text)
    except ValueError:
        return default
    return number if low <= number <= high else default


def parse_id(value: Any) -> int | None:
    """A primary key from a query string or form field, or None (then nothing matches: 404, never 500)."""
    return parse_int(value, low=1, high=MAX_ID)


def parse_key(value: Any) -> int | None:
    """An id or a version (0 … MAX_ID) from a form field or query string, or None."""
    return parse_int(value, low=0, high=MAX_ID)


def parse_ids(values: Any) -> list[int]:
    return [i for i in (parse_id(v) for v in values) if i is not None]


def parse_date(value: Any, *, label: str = "日期", required: bool = False) -> dt.date | None:
    """An ISO date between MIN_DATE and MAX_DATE; a Chinese ValidationFailed otherwise (None when empty)."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationFailed(f"请填写“{label}”。")
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"“{label}”不是有效的日期(应为 YYYY-MM-DD):{text[:20]}。") from None
    return check_date(day, label=label)


def check_date(day: dt.date, *, label: str = "日期") -> dt.date:
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationFailed(f"“{label}”超出允许范围({MIN_DATE.year} 年至 {MAX_DATE.year} 年):{day}。")
    return day


def parse_month(text: Any, *, label: str = "期间") -> dt.date:
    """'YYYY-MM' → the first day of that month, within the allowed years."""
    raw = str(text or "").strip()
    try:
        year, month = (int(x) for x in raw.split("-"))
        day = dt.date(year, month, 1)
    except (ValueError, TypeError, OverflowError):
        raise ValidationFailed(f"“{label}”格式不对:“{raw[:20]}”,请写成 YYYY-MM(如 2026-05)。") from None
    return check_date(day, label=label)


def parse_number(value: Any, *, label: str = "数值", low: float = -MAX_NUMBER, high: float = MAX_NUMBER) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed(f"“{label}”不是有效的数字:{str(value)[:20]}。") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationFailed(f"“{label}”超出允许范围({low:g} 至 {high:g})。")
    return number


def version_from(value: Any) -> int:
    """The `version` field of a form: required and numeric (else a Chinese 400)."""
    version = parse_int(value, low=0, high=MAX_INT)
    if version is None:
        raise ValidationFailed(VERSION_MISSING)
    return version


VERSION_MISSING = "请求缺少有效的版本号(version),请刷新页面后重试。"


def expected_or_current(expected: int | None, current: int) -> int:
    """The version an optimistic-lock write must match. From a page or the API it is required (a missing version
    used to skip the check); commands and jobs, which hold the row they just read, may pass None."""
    from luoshi.core.interface import Interface, current_interface

    if expected is None:
        if current_interface() in (Interface.PAGE, Interface.API):
            raise ValidationFailed(VERSION_MISSING)
        return current
    return expected


def page_of(items: Any, page: Any, per_page: int) -> Any:
    """Django's Paginator page for a query-string `page` (bounded, so page=99999999999999999999 shows the last)."""
    from django.core.paginator import Paginator

    number = parse_int(page, low=1, high=MAX_PAGE, default=1)
    return Paginator(items, per_page).get_page(number)


def window(page: int, page_size: int) -> slice:
    """The slice of a bounded (page, page_size) pair: what the API's list operations cut their query with."""
    return slice((page - 1) * page_size, page * page_size)
