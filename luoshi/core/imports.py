"""All-or-nothing imports: collect every problem of a file (row, column, message in Chinese), refuse the
whole file when there is any, and write nothing half-way.

Used by the directory import (orgs), the project ledger (projects), the unit workbook (supervision), and
by every future import (requests, policies)::

    problems = Problems(columns=HEADERS)          # column order for sorting the report
    for number, cells in rows:
        if not cells["项目编码"]:
            problems.add(number, "项目编码", "请填写项目编码。")
    problems.raise_if_any()                       # ImportFailed listing every problem, sorted

    with all_or_nothing(problems):                # one transaction; rolled back when a problem was added
        for number, row in parsed:
            with problems.catching(number):       # a DomainError / ValueError becomes a problem of that row
                write(row)

``ImportFailed.details`` is a list of ``{"row", "column", "message"}``; the API returns it, pages list it, the
CLI prints it one line each (第 3 行 「单位全称」: 不能为空。).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from luoshi.core.errors import DomainError, ImportFailed

__all__ = ["Problem", "Problems", "all_or_nothing"]


def _default_summary(n: int) -> str:
    return f"导入未执行:共发现 {n} 处问题,请按行号和列名逐一修改后重新导入(未写入任何数据)。"


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class Problems:
    """The problems of one import, in the order found; ``items`` is the JSON-ready list (``details``)."""

    def __init__(
        self, *, columns: Sequence[str] = (), summary: Callable[[int], str] = _default_summary
    ) -> None:
        self._found: list[Problem] = []
        self._columns = list(columns)
        self._summary = summary

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self._found.append(Problem(row, column, message))

    def insert_first(self, row: int | None, column: str | None, message: str) -> None:
        self._found.insert(0, Problem(row, column, message))

    def extend(self, items: Sequence[dict[str, Any]]) -> None:
        for item in items:
            self.add(item.get("row"), item.get("column"), str(item.get("message", "")))

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    @property
    def items(self) -> list[dict[str, Any]]:
        return [p.as_dict() for p in self._found]

    def sorted_items(self) -> list[dict[str, Any]]:
        """By row (file-level problems first), then by the column's position in ``columns`` (others by name)."""

        def key(p: Problem) -> tuple[int, int, str]:
            col = p.column or ""
            row = p.row if p.row is not None else -1
            if self._columns:  # the file's column order; ties keep the order found
                return (row, self._columns.index(col) if col in self._columns else -1, "")
            return (row, 0, col)

        return [p.as_dict() for p in sorted(self._found, key=key)]

    def error(self, message: str | None = None) -> ImportFailed:
        return ImportFailed(message or self._summary(len(self)), details=self.sorted_items())

    def raise_if_any(self, message: str | None = None) -> None:
        if self:
            raise self.error(message)

    @contextmanager
    def catching(self, row: int | None, column: str | None = None) -> Iterator[None]:
        """A DomainError or ValueError raised inside becomes a problem of `row` (the import goes on, so every
        problem is reported; ``all_or_nothing`` rolls the writes back)."""
        try:
            with transaction.atomic():
                yield
        except DomainError as exc:
            self.add(row, column, exc.message)
        except ValueError as exc:
            self.add(row, column, str(exc))


class _Rollback(Exception):
    pass


@contextmanager
def all_or_nothing(problems: Problems, message: str | None = None) -> Iterator[Problems]:
    """One transaction around the writes of an import. If any problem was recorded when the block ends,
    everything written in it is rolled back and ``ImportFailed`` lists every problem."""
    try:
        with transaction.atomic():
            yield problems
            if problems:
                raise _Rollback
    except _Rollback:
        pass
    problems.raise_if_any(message)
