"""Measure-by-measure comparison of two revisions of a plan. Pure code: no Django imports.

Measures are matched by text similarity (the Dice coefficient of character bigrams, whitespace and punctuation
ignored), best pairs first, each measure used at most once. A pair below the threshold is not a match: the old
measure is reported removed and the new one added. Matched pairs list the fields that differ.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MATCH_THRESHOLD = 0.5

_IGNORED = re.compile(r"[\s\u3000,，。.;；:：、!！?？()（）〔〕\[\]【】“”\"'‘’《》<>—\-]+")

# (field, label) compared on matched measures, in the order the diff page shows them.
COMPARED_FIELDS: tuple[tuple[str, str], ...] = (
    ("text", "举措内容"),
    ("title", "标题"),
    ("path", "所属章节"),
    ("lead_units", "牵头单位"),
    ("co_units", "责任单位"),
    ("deadline", "完成时限"),
    ("targets", "量化目标"),
)


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


CHANGE_LABELS = {
    ChangeKind.ADDED: "新增",
    ChangeKind.REMOVED: "删除",
    ChangeKind.CHANGED: "修改",
    ChangeKind.UNCHANGED: "未变",
}


@dataclass(frozen=True)
class MeasureSnapshot:
    """What the comparison looks at; `key` identifies the measure to the caller (its id)."""

    key: Any
    seq: int
    text: str
    title: str = ""
    path: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()
    co_units: tuple[str, ...] = ()
    deadline: str | None = None
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


@dataclass
class MeasureDiff:
    kind: ChangeKind
    old: MeasureSnapshot | None
    new: MeasureSnapshot | None
    similarity: float = 0.0
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def label(self) -> str:
        return CHANGE_LABELS[self.kind]


def normalise(text: str) -> str:
    return _IGNORED.sub("", text or "")


def _bigrams(text: str) -> Counter[str]:
    t = normalise(text)
    if len(t) < 2:
        return Counter([t]) if t else Counter()
    return Counter(t[i : i + 2] for i in range(len(t) - 1))


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams, in [0, 1]."""
    ba, bb = _bigrams(a), _bigrams(b)
    return _dice(ba, bb)


def _dice(ba: Counter[str], bb: Counter[str]) -> float:
    total = sum(ba.values()) + sum(bb.values())
    if total == 0:
        return 1.0
    common = sum((ba & bb).values())
    return 2 * common / total


def _field_changes(old: MeasureSnapshot, new: MeasureSnapshot) -> list[FieldChange]:
    out = []
    for name, label in COMPARED_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if name == "text":
            same = normalise(before) == normalise(after)
        elif name in ("lead_units", "co_units", "targets"):
            same = sorted(before) == sorted(after)
        else:
            same = before == after
        if not same:
            out.append(FieldChange(name, label, before, after))
    return out


def match_measures(
    old: Sequence[MeasureSnapshot], new: Sequence[MeasureSnapshot], *, threshold: float = MATCH_THRESHOLD
) -> dict[int, tuple[int, float]]:
    """THE measure matching of two revisions: new index -> (old index, similarity). Identical text (after
    normalising) wins, then the most similar pairs (Dice of character bigrams >= `threshold`), nearer sequence
    numbers breaking ties; each measure is used at most once. The revision diff the reviewer approves and the
    task carry-over at publish both use it, so a measure shown as "changed" keeps its task."""
    old_grams = [_bigrams(m.text) for m in old]
    new_grams = [_bigrams(m.text) for m in new]
    old_sizes = [sum(g.values()) for g in old_grams]
    new_sizes = [sum(g.values()) for g in new_grams]
    pairs: list[tuple[float, int, int]] = []
    exact: dict[str, list[int]] = {}
    for i, m in enumerate(old):
        exact.setdefault(normalise(m.text), []).append(i)
    for j, n in enumerate(new):
        for i in exact.get(normalise(n.text), []):
            pairs.append((2.0, i, j))  # identical text wins over any fuzzy pair
        for i in range(len(old)):
            size = old_sizes[i] + new_sizes[j]
            if size and 2 * min(old_sizes[i], new_sizes[j]) / size < threshold:
                continue  # the lengths alone rule a match out
            score = _dice(old_grams[i], new_grams[j])
            if score >= threshold:
                pairs.append((score, i, j))
    pairs.sort(key=lambda p: (-p[0], abs(old[p[1]].seq - new[p[2]].seq), p[1], p[2]))
    matched_old: set[int] = set()
    new_to_old: dict[int, tuple[int, float]] = {}
    for score, i, j in pairs:
        if i in matched_old or j in new_to_old:
            continue
        matched_old.add(i)
        new_to_old[j] = (i, min(score, 1.0))
    return new_to_old


def diff_measures(
    old: Sequence[MeasureSnapshot], new: Sequence[MeasureSnapshot], *, threshold: float = MATCH_THRESHOLD
) -> list[MeasureDiff]:
    """Every measure of both revisions once, in the new revision's order; a removed measure is shown where it
    stood, just before the first new measure matched to a later old one."""
    new_to_old = match_measures(old, new, threshold=threshold)
    old_to_new = {i: j for j, (i, _score) in new_to_old.items()}

    out: list[MeasureDiff] = []
    emitted_old: set[int] = set()

    def flush_removed(up_to: int) -> None:
        for i in range(up_to):
            if i not in old_to_new and i not in emitted_old:
                emitted_old.add(i)
                out.append(MeasureDiff(ChangeKind.REMOVED, old[i], None))

    for j, n in enumerate(new):
        if j in new_to_old:
            i, score = new_to_old[j]
            flush_removed(i)
            changes = _field_changes(old[i], n)
            kind = ChangeKind.CHANGED if changes else ChangeKind.UNCHANGED
            out.append(MeasureDiff(kind, old[i], n, score, changes))
        else:
            out.append(MeasureDiff(ChangeKind.ADDED, None, n))
    flush_removed(len(old))
    return out


def summarise(diffs: Sequence[MeasureDiff]) -> dict[str, int]:
    counts = Counter(d.kind for d in diffs)
    return {kind.value: counts.get(kind, 0) for kind in ChangeKind}
