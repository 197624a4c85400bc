"""The parser's fast paths give the answers of the plain forms they replace (no timing here: bench/parse.py)."""

from __future__ import annotations

import random
from pathlib import Path

from luoshi.plans.parser import structure, targets, units
from luoshi.plans.parser.normalize import normalize

SEEDS = Path(__file__).parent.parent / "demo_data"


def _quote_mask_walk(s: str) -> list[bool]:
    mask = [False] * len(s)
    depth = 0
    for i, ch in enumerate(s):
        if ch in '“《"「『':
            if ch == '"' and depth:
                depth -= 1
                continue
            depth += 1
        elif ch in "”》」』":
            depth = max(0, depth - 1)
            mask[i] = depth > 0
            continue
        mask[i] = depth > 0
    return mask


def _paren_depth_walk(s: str) -> list[int]:
    depth = [0] * (len(s) + 1)
    d = 0
    for i, ch in enumerate(s):
        if ch == "(":
            d += 1
        depth[i] = d
        if ch == ")":
            d = max(0, d - 1)
    return depth


def test_quote_and_bracket_masks_equal_a_walk_over_every_character() -> None:
    rng = random.Random(7)
    for _ in range(20000):
        s = "".join(rng.choice('“《"「『”》」』()ab') for _ in range(rng.randrange(0, 14)))
        assert targets._quote_mask(s) == _quote_mask_walk(s), s
        assert targets._paren_depth(s) == _paren_depth_walk(s), s


def _fixed_marker_every_style(norm: str, a: int, b: int, head: str) -> tuple[str, int, int] | None:
    saved = structure._markers_for
    structure._markers_for = lambda ch: tuple(structure.MARKERS)  # type: ignore[assignment]
    try:
        return structure._fixed_marker(norm, a, b, head)
    finally:
        structure._markers_for = saved


def test_marker_styles_by_first_character_read_what_trying_every_style_reads() -> None:
    lines = [e.text for r in structure.MARKER_RULES for e in r.examples]
    for p in sorted(SEEDS.glob("00[012]_*.txt")):
        lines += p.read_text(encoding="utf-8").splitlines()
    lines += [c + "、测试" for c in structure._MARKER_FIRST] + [c + "1.测试" for c in "第(附行专"]
    for line in lines:
        norm = normalize(line)
        for a in range(min(len(norm), 3)):
            head = norm[a : a + 64]
            if head:
                assert structure._fixed_marker(norm, a, len(norm), head) == _fixed_marker_every_style(
                    norm, a, len(norm), head
                ), line


def test_unit_spans_cached_per_list_keep_their_offsets() -> None:
    s = "市发改委、市经信局等"
    assert units.unit_spans(s, 100) == [(100 + a, 100 + b) for a, b in units.unit_spans(s)]
    assert units.unit_spans(s) == [(0, 4), (5, 9)]
