"""The monitoring engine, pure (no Django): periods, indicator colours against target / warning / advanced
values (the kernel's rules, ``luoshi.calendar.targets``), the weighted roll-up of an indicator tree, and the
composite ranking score. Every result explains itself in Chinese, so a leader can read why a figure is red.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

PeriodKind = Literal["week", "month", "quarter", "year", "day"]
PERIOD_KINDS: tuple[str, ...] = ("week", "month", "quarter", "year")


# --- periods -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "week":
            iso = self.start.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        return self.start.isoformat()

    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "year":
            return f"{self.start.year}年"
        if self.kind == "week":
            return f"{self.start:%m-%d}至{self.end:%m-%d}"
        return f"{self.start:%Y-%m-%d}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == "day":
        return Period("day", day, day)
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period("week", start, start + dt.timedelta(days=6))
    if kind == "month":
        return Period("month", day.replace(day=1), _month_end(day.year, day.month))
    if kind == "quarter":
        first = 3 * ((day.month - 1) // 3) + 1
        return Period("quarter", dt.date(day.year, first, 1), _month_end(day.year, first + 2))
    if kind == "year":
        return Period("year", dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r}")


def previous_period(period: Period) -> Period:
    return period_containing(period.kind, period.start - dt.timedelta(days=1))


def last_periods(kind: str, day: dt.date, count: int) -> list[Period]:
    """The `count` periods of `kind` ending with the one containing `day`, oldest first."""
    out = [period_containing(kind, day)]
    while len(out) < count:
        out.append(previous_period(out[-1]))
    return list(reversed(out))


def parse_period(kind: str, text: str) -> Period:
    """'2026-05' (month), '2026-Q2' (quarter), '2026' (year), '2026-W19' (week), or any ISO day inside."""
    text = (text or "").strip()
    period = _parse_period(kind, text)
    from luoshi.core.bounds import MAX_DATE, MIN_DATE

    if not MIN_DATE <= period.start <= MAX_DATE:
        raise ValueError(f"期间“{text[:20]}”超出允许范围({MIN_DATE.year} 年至 {MAX_DATE.year} 年)。")
    return period


def _parse_period(kind: str, text: str) -> Period:
    try:
        if kind == "quarter" and "-Q" in text.upper():
            year, q = text.upper().split("-Q")
            return period_containing("quarter", dt.date(int(year), 3 * (int(q) - 1) + 1, 1))
        if kind == "week" and "-W" in text.upper():
            year, w = text.upper().split("-W")
            return period_containing("week", dt.date.fromisocalendar(int(year), int(w), 1))
        if kind == "year" and text.isdigit():
            return period_containing("year", dt.date(int(text), 1, 1))
        if kind == "month" and len(text) == 7:
            year, month = text.split("-")
            return period_containing("month", dt.date(int(year), int(month), 1))
        return period_containing(kind, dt.date.fromisoformat(text))
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"期间“{text[:20]}”格式不对(如 2026-05、2026-Q2、2026、2026-W19)。") from exc


# --- figures -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tally:
    """One figure for one region or unit: a count (denominator None) or a ratio numerator / denominator."""

    numerator: float
    denominator: float | None = None

    def __add__(self, other: Tally) -> Tally:
        if self.denominator is None and other.denominator is None:
            return Tally(self.numerator + other.numerator)
        return Tally(self.numerator + other.numerator, (self.denominator or 0) + (other.denominator or 0))


def figure_value(kind: str, numerator: float, denominator: float | None) -> float | None:
    """rate → percent (None when nothing is due), mean → numerator / denominator, count/sum → numerator."""
    if kind == "rate":
        return round(100.0 * numerator / denominator, 1) if denominator else None
    if kind == "mean":
        return round(numerator / denominator, 2) if denominator else None
    return round(numerator, 2)


def roll_up(own: Mapping[int, Tally], paths: Mapping[int, str]) -> dict[int, Tally]:
    """Subtree totals: each region's own tally added to itself and every ancestor (`paths` = id → "/1/5/")."""
    out: dict[int, Tally] = {}
    for region_id, tally in own.items():
        path = paths.get(region_id)
        if path is None:
            continue
        for part in path.strip("/").split("/"):
            if not part:
                continue
            ancestor = int(part)
            if ancestor in paths:
                out[ancestor] = tally if ancestor not in out else out[ancestor] + tally
    return out


# --- indicator colours: the kernel's target rules (luoshi.calendar.targets) --------------------------------


@dataclass
class Node:
    """One indicator in a tree: a leaf has a score of its own, a parent the weighted mean of its children."""

    id: int
    parent_id: int | None
    weight: float
    score: float | None = None
    children: list[Node] = field(default_factory=list)
    missing: int = 0  # leaves below without a value


def weighted_roll_up(nodes: Iterable[Node]) -> dict[int, Node]:
    """Fill each parent's score with Σ weight × score ÷ Σ weight over children that have one."""
    by_id = {n.id: n for n in nodes}
    roots: list[Node] = []
    for n in by_id.values():
        parent = by_id.get(n.parent_id) if n.parent_id is not None else None
        if parent is None:
            roots.append(n)
        else:
            parent.children.append(n)

    def walk(n: Node) -> None:
        if not n.children:
            n.missing = 1 if n.score is None else 0
            return
        num = den = 0.0
        n.missing = 0
        for c in n.children:
            walk(c)
            n.missing += c.missing
            if c.score is not None and c.weight > 0:
                num += c.weight * c.score
                den += c.weight
        n.score = round(num / den, 1) if den else None

    for r in roots:
        walk(r)
    return by_id


# --- composite ranking score ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Component:
    key: str
    value: float | None  # percent 0–100 for rates; None when nothing was due
    higher_is_better: bool = True


@dataclass(frozen=True)
class Score:
    score: float | None  # None: nothing due, not ranked
    parts: tuple[tuple[str, float, float], ...]  # (key, weight, component score)

    def explain(self, labels: Mapping[str, str]) -> str:
        if self.score is None:
            return "本期无到期事项,不参与排名"
        bits = [f"{labels.get(k, k)} {s:g}×{w:g}" for k, w, s in self.parts]
        return f"综合得分 {self.score:g} = ({' + '.join(bits)}) ÷ 权重合计"


def composite(components: Sequence[Component], weights: Mapping[str, float]) -> Score:
    """Σ weight × component ÷ Σ weight over the components that apply (a component of a unit with nothing due
    in it is left out, not counted as full marks). Lower-is-better components count as 100 − value."""
    parts = []
    for c in components:
        w = float(weights.get(c.key, 0) or 0)
        if w <= 0 or c.value is None:
            continue
        s = max(0.0, min(100.0, c.value if c.higher_is_better else 100.0 - c.value))
        parts.append((c.key, w, round(s, 1)))
    den = sum(w for _, w, _ in parts)
    if not den:
        return Score(None, ())
    return Score(round(sum(w * s for _, w, s in parts) / den, 1), tuple(parts))


def rank(scores: Mapping[int, float | None]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) of the ids that have a score; ids without one get no rank."""
    ordered = sorted(((s, i) for i, s in scores.items() if s is not None), key=lambda x: (-x[0], x[1]))
    out: dict[int, int] = {}
    prev: float | None = None
    position = 0
    for n, (s, i) in enumerate(ordered, start=1):
        if s != prev:
            position, prev = n, s
        out[i] = position
    return out


def top_bottom(ranked: Sequence[int], n: int = 10) -> tuple[list[int], list[int]]:
    """十优十差 from ids best first; with fewer than 2n, the list is split in half (no id in both)."""
    k = n if len(ranked) >= 2 * n else len(ranked) // 2
    return list(ranked[:k]), list(reversed(ranked[-k:])) if k else []
