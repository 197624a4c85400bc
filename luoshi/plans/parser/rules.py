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
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Example:
    text: str
    expect: Any  # what the table's function reads from `text` (its form is documented per table)


@dataclass(frozen=True)
class Rule:
    """One reading rule. `pattern` is matched (`how`: "match", "fullmatch" or "finditer"); `read` turns a match
    into the table's reading (or None to decline); `examples` are run as tests. `needs` (read from the pattern,
    see `required_chars`) are sets of characters of which every match holds one each: `may_match` skips a text
    lacking one of them without running the pattern over it."""

    name: str
    pattern: re.Pattern[str]
    read: Callable[..., Any] | None = None
    examples: tuple[Example, ...] = ()
    how: str = "match"
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    _needs_rx: tuple[re.Pattern[str], ...] | None = field(init=False, default=None, compare=False, repr=False)
    _first_rx: re.Pattern[str] | bool | None = field(init=False, default=False, compare=False, repr=False)

    @property
    def needs(self) -> tuple[frozenset[str], ...]:
        return required_chars(self.pattern)

    def may_match(self, s: str) -> bool:
        """False when `s` lacks every character of one of `needs` (then the pattern finds nothing in it)."""
        rxs = self._needs_rx
        if rxs is None:  # read on first use, not at import (the command compiles only what it runs)
            rxs = tuple(re.compile("[" + "".join(map(re.escape, sorted(n))) + "]") for n in self.needs)
            object.__setattr__(self, "_needs_rx", rxs)
        for rx in rxs:  # noqa: SIM110 (all() over a generator costs as much as the searches here)
            if rx.search(s) is None:
                return False
        return True

    def finditer(self, s: str) -> Iterator[re.Match[str]]:
        """The matches of `pattern.finditer(s)`. A pattern that begins with an optional part or a look-around
        gives `re` no first character to jump to, so it is tried at every position; for such a pattern the
        characters a match can start with are read from it (`first_chars`) and it is tried only there."""
        first = self._first_rx
        if first is False:  # read on first use, like `needs`
            first = first_chars(self.pattern)
            object.__setattr__(self, "_first_rx", first)
        if not isinstance(first, re.Pattern):
            return self.pattern.finditer(s)
        return _finditer_from(self.pattern, first, s)


def _finditer_from(pattern: re.Pattern[str], first: re.Pattern[str], s: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(s)` for a pattern that never matches the empty string and whose matches start with a
    character `first` matches: `pattern.match(s, i)` is the attempt `finditer` makes at i (look-behinds and
    anchors see the whole string in both), and at any other position that attempt fails."""
    search, match = first.search, pattern.match
    c = search(s)
    while c is not None:
        m = match(s, c.start())
        if m is None:
            c = search(s, c.start() + 1)
        else:
            yield m
            c = search(s, m.end())


def first_chars(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A character class matching the first character of every match of `pattern`, when `pattern` begins with
    an optional part or a look-around (`re` then tries it at every position) and never matches the empty
    string; None otherwise (`pattern.finditer` is as fast)."""
    if pattern.flags & re.IGNORECASE:
        return None
    parsed = _parsed(pattern)
    if parsed.getwidth()[0] == 0 or not _opens_without_prefix(list(parsed)):
        return None
    got = _seq_first(list(parsed))
    if got is None or got[2]:
        return None
    chars, digit, _ = got
    return re.compile("[" + ("\\d" if digit else "") + "".join(map(re.escape, sorted(chars))) + "]")


def _opens_without_prefix(items: list[Any]) -> bool:
    """Does the parsed pattern begin with something `re` reads no first character from: an optional part, a
    look-around, a branch whose alternatives do not all begin with a literal?"""
    from re import _constants as c  # type: ignore[attr-defined]

    while items and items[0][0] is c.SUBPATTERN:
        items = list(items[0][1][-1])
    if not items:
        return False
    op, av = items[0]
    if op in (c.ASSERT, c.ASSERT_NOT):
        return True
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return av[0] == 0
    if op is c.BRANCH:
        return any(not b or b[0][0] is not c.LITERAL for b in av[1])
    return False


def _seq_first(items: list[Any]) -> tuple[set[str], bool, bool] | None:
    """(characters, whether a decimal digit, whether the sequence can match empty) that a match of the parsed
    sequence `items` can start with; None when it cannot be read (a negated class, a category other than \\d,
    a wide range, ANY, a group reference)."""
    from re import _constants as c  # type: ignore[attr-defined]

    chars: set[str] = set()
    digit = False
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # consumes nothing: the next item holds the first character
        got = _item_first(op, av)
        if got is None:
            return None
        chars |= got[0]
        digit = digit or got[1]
        if not got[2]:
            return chars, digit, False
    return chars, digit, True


def _item_first(op: Any, av: Any) -> tuple[set[str], bool, bool] | None:
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return {chr(av)}, False, False
    if op is c.IN:
        chars: set[str] = set()
        digit = False
        for kind, v in av:
            if kind is c.LITERAL:
                chars.add(chr(v))
            elif kind is c.RANGE and v[1] - v[0] < 64:
                chars.update(chr(x) for x in range(v[0], v[1] + 1))
            elif kind is c.CATEGORY and v is c.CATEGORY_DIGIT:
                digit = True
            else:
                return None
        return chars, digit, False
    if op is c.SUBPATTERN:
        return _seq_first(list(av[-1]))
    if op is c.ATOMIC_GROUP:
        return _seq_first(list(av))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        got = _seq_first(list(av[2]))
        return None if got is None else (got[0], got[1], got[2] or av[0] == 0)
    if op is c.BRANCH:
        out: set[str] = set()
        digit = nullable = False
        for branch in av[1]:
            got = _seq_first(list(branch))
            if got is None:
                return None
            out |= got[0]
            digit, nullable = digit or got[1], nullable or got[2]
        return out, digit, nullable
    return None


@lru_cache(maxsize=256)
def _parsed(pattern: re.Pattern[str]) -> Any:
    """`re`'s parse of a rule's pattern, read once for both `required_chars` and `first_chars`."""
    from re import _parser  # type: ignore[attr-defined]  # the stubs ship re as one module

    return _parser.parse(pattern.pattern, pattern.flags)


_MAX_NEEDS = 12  # a larger set of characters is found in nearly every text: not worth a look


def required_chars(pattern: re.Pattern[str], most: int = 3) -> tuple[frozenset[str], ...]:
    """Sets of characters such that every match of `pattern` holds (or its look-arounds need in the text) at
    least one character of each set, read from the parsed pattern: a literal, a small character class, a
    group or a repetition of at least one of them, an alternation (the union over its branches of each
    branch's smallest set). The `most` smallest sets, smallest first; () when none can be read."""
    if pattern.flags & re.IGNORECASE:
        return ()
    found = list(dict.fromkeys(_seq_needs(list(_parsed(pattern)))))
    return tuple(sorted(found, key=len)[:most])


def _seq_needs(items: list[Any]) -> list[frozenset[str]]:
    out: list[frozenset[str]] = []
    for op, av in items:
        out += _item_needs(op, av)
    return out


def _item_needs(op: Any, av: Any) -> list[frozenset[str]]:
    from re import _constants as c  # type: ignore[attr-defined]

    if op is c.LITERAL:
        return [frozenset(chr(av))]
    if op is c.IN:
        chars: set[str] = set()
        for kind, v in av:
            if kind is c.LITERAL:
                chars.add(chr(v))
            elif kind is c.RANGE and v[1] - v[0] < _MAX_NEEDS:
                chars.update(chr(x) for x in range(v[0], v[1] + 1))
            else:
                return []  # NEGATE, a category (\d, \s), a wide range
        return [frozenset(chars)] if len(chars) <= _MAX_NEEDS else []
    if op is c.SUBPATTERN:
        return _seq_needs(list(av[-1]))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return _seq_needs(list(av[2])) if av[0] >= 1 else []
    if op is c.ATOMIC_GROUP:
        return _seq_needs(list(av))
    if op is c.ASSERT:  # a look-ahead or look-behind that must hold: its characters are in the text
        return _seq_needs(list(av[1]))
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            sets = _seq_needs(list(branch))
            if not sets:
                return []
            union |= min(reversed(sets), key=len)  # the smallest; of equal ones the last ("今年" → 年)
        return [frozenset(union)] if len(union) <= _MAX_NEEDS else []
    return []  # ANY, AT, ASSERT_NOT, CATEGORY, GROUPREF, ...


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
