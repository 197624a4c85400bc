"""Reading rules as named records, and the matcher that walks a table of them.

A rule is data: a name (which every reading it makes carries, see `result.Reading`), a pattern, what a match
means, and examples — (input, expected reading) pairs that `tests/test_parser_rule_examples.py` runs through the
public function the table belongs to (`parse_responsibility`, `find_dates`, `extract_targets`, `match_marker`).
Adding a phrasing means adding a row and its example here or in the table's module, nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Example:
    text: str
    expect: Any  # what the table's function reads from `text` (its form is documented per table)


@dataclass(frozen=True)
class Rule:
    """One reading rule. `pattern` is matched (`how`: "match", "fullmatch" or "finditer"); `read` turns a match
    into the table's reading (or None to decline); `examples` are run as tests."""

    name: str
    pattern: re.Pattern[str]
    read: Callable[..., Any] | None = None
    examples: tuple[Example, ...] = ()
    how: str = "match"
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def ex(text: str, expect: Any) -> Example:
    return Example(text, expect)


def first_match(rules: list[Rule], s: str, *args: Any) -> tuple[Rule, Any] | None:
    """The first rule of the table whose pattern matches `s` (at its start, or whole) and whose `read` accepts."""
    for rule in rules:
        m = rule.pattern.fullmatch(s) if rule.how == "fullmatch" else rule.pattern.match(s)
        if m is None:
            continue
        got = rule.read(m, *args) if rule.read else m
        if got is not None:
            return rule, got
    return None


def all_matches(rules: list[Rule], s: str, *args: Any) -> Iterator[tuple[Rule, Any]]:
    """Every reading of every rule over `s`, in table order (a `finditer` rule's `read` may yield several)."""
    for rule in rules:
        assert rule.read is not None, rule.name
        for m in rule.pattern.finditer(s):
            got = rule.read(m, *args)
            if got is None:
                continue
            if isinstance(got, list):
                for g in got:
                    yield rule, g
            else:
                yield rule, got
