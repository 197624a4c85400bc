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


# The whole-text scans of `structure` in their plain forms (a leading look-behind: `re` tries every position).
_PLAIN_PARA_GAP = structure.re.compile(
    r"(?<=[。;!?:)”])[^\S\n]{2,}|(?<=[。;!?])[^\S\n]+(?=[(\d一二三四五六七八九十])|"
    r"[^\S\n]{2,}(?=[(\d一二三四五六七八九十]\S{0,3}[、.)])"
)
_PLAIN_INLINE = structure.re.compile(rf"(?<=[{structure._SENT_END}])[^\S\n]*(?={structure._MARK_AHEAD})")
_PLAIN_INLINE_BARE = structure.re.compile(rf"(?<=[\u4e00-\u9fff”])[^\S\n]?(?={structure._MARK_AHEAD})")


def _scan_texts() -> list[str]:
    texts = [normalize(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("00[012]_*.txt"))]
    rng = random.Random(11)
    alphabet = [*"一二十三(1)2.、。;:!?”“ \u3000\n攻坚行动专栏改革12●①⑵*", "  ", "。 ", "X"]
    for _ in range(20000):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16))))
    return texts


def test_whole_text_scans_find_what_their_plain_forms_find() -> None:
    from re import _parser  # type: ignore[attr-defined]

    first = structure._first_set(list(_parser.parse(structure._MARK_AHEAD)))
    assert first is not None and first[1]  # a digit can start a marker
    assert set(first[0]) | set("0123456789") == set(structure._CNN + "(0123456789") | {
        chr(c) for c in range(0x2460, 0x2474)
    }
    for s in _scan_texts():
        assert [m.span() for m in structure._PARA_GAP.finditer(s)] == [
            m.span() for m in _PLAIN_PARA_GAP.finditer(s)
        ], s
        assert [m.end() for m in structure._INLINE.finditer(s)] == [m.end() for m in _PLAIN_INLINE.finditer(s)], s
        assert [m.start() for m in structure._INLINE_BARE.finditer(s)] == [
            m.end() for m in _PLAIN_INLINE_BARE.finditer(s)
        ], s
        assert [m.span() for m in structure._FW_GAP.finditer(s)] == [
            m.span() for m in structure.re.finditer(r"\u3000{2,}", s)
        ], s
        assert [m.groups() for m in structure.keyword_candidates(s)] == [
            m.groups() for m in structure._KEYWORD_CAND.finditer(s)
        ], s


def test_required_characters_read_from_patterns() -> None:
    from luoshi.plans.parser.rules import required_chars

    rc = structure.re.compile
    assert required_chars(rc(r"(?:\d{4}\s*年)?(上|下)半年")) == (frozenset("半"), frozenset("年"), frozenset("上下"))
    assert required_chars(rc(r"今年|明年|下一年")) == (frozenset("年"),)
    assert required_chars(rc(r"(?<![今以])前\s*\d+(?=名)")) == (frozenset("前"), frozenset("名"))
    assert required_chars(rc(r"\d+\s*[%个]?|[a-z]")) == ()
    assert required_chars(rc(r"(?:甲)?乙*丙{0,2}")) == ()


def test_rules_skipped_by_their_needs_find_nothing() -> None:
    """A text that `Rule.may_match` rejects is one where the rule's pattern finds nothing (seeds, examples and
    random strings over the characters the rules name)."""
    from luoshi.plans.parser.deadlines import DATE_RULES
    from luoshi.plans.parser.units import PHRASE_RULES

    rules = [*DATE_RULES, *targets.TARGET_RULES, *PHRASE_RULES, *structure.MARKER_RULES]
    texts = [normalize(e.text) for r in rules for e in r.examples]
    for p in sorted(SEEDS.glob("00[012]_*.txt")):
        texts += normalize(p.read_text(encoding="utf-8")).splitlines()
    rng = random.Random(5)
    alphabet = sorted({ch for r in rules for e in r.examples for ch in normalize(e.text)})
    for _ in range(3000):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 12))))
    matched = 0
    for rule in rules:
        for s in texts:
            if rule.pattern.search(s) is not None:
                matched += 1
                assert rule.may_match(s), (rule.name, s)
    assert matched > 1000


def _match_tuple(m: structure.re.Match[str]) -> tuple[object, ...]:
    return (m.span(), m.groups(), m.groupdict())


def test_rules_scanned_from_their_first_characters_find_what_finditer_finds() -> None:
    """`Rule.finditer` (tried only at the characters a match can start with, for patterns that begin with an
    optional part or a look-around) gives every match of `pattern.finditer`, groups included."""
    from luoshi.plans.parser.deadlines import DATE_RULES
    from luoshi.plans.parser.rules import first_chars
    from luoshi.plans.parser.units import PHRASE_RULES

    rules = [*DATE_RULES, *targets.TARGET_RULES, *PHRASE_RULES, *structure.MARKER_RULES]
    fast = [r for r in rules if first_chars(r.pattern) is not None]
    assert {"target:figure", "date:N月(底前)", "date:今年/明年 (field)"} <= {r.name for r in fast}
    texts = [normalize(e.text) for r in rules for e in r.examples]
    for p in [*sorted(SEEDS.glob("00[012]_*.txt")), *sorted(Path(__file__).parent.glob("data/*/docs/*.txt"))]:
        texts += normalize(p.read_bytes().decode("utf-8", "replace")).splitlines()  # some are GB 18030
    rng = random.Random(13)
    alphabet = sorted({ch for r in rules for e in r.examples for ch in normalize(e.text)} | set("前今明 \n"))
    for _ in range(5000):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24))))
    matched = 0
    for rule in fast:
        for s in texts:
            plain = [_match_tuple(m) for m in rule.pattern.finditer(s)]
            assert [_match_tuple(m) for m in rule.finditer(s)] == plain, (rule.name, s)
            matched += len(plain)
    assert matched > 1000


def test_first_characters_read_from_patterns() -> None:
    from luoshi.plans.parser.rules import first_chars

    rc = structure.re.compile
    got = first_chars(rc(r"(?:(\d{4})年)?(上|下)半年"))
    assert got is not None and got.pattern == r"[\d上下]"
    got = first_chars(rc(r"(?<![今以])前\s*\d+"))
    assert got is not None and got.pattern == "[前]"
    assert first_chars(rc(r"前\d+")) is None  # `re` jumps to 前 by itself
    assert first_chars(rc(r"(\d{4})年")) is None  # no optional part first: as fast without
    assert first_chars(rc(r"(?:甲)?乙*")) is None  # may match the empty string
    assert first_chars(rc(r"(?:用)?\s*\d")) is None  # \s: not read


def test_normalize_by_runs_equals_translating_every_character() -> None:
    """A long text is translated only in the runs of characters `norm_char` changes: the same copy as
    `str.translate` over every character (seeds, and long random strings over changing characters, their
    neighbours, astral characters, ASCII and line breaks)."""
    from luoshi.plans.parser import normalize as nz

    changing = [cp for a, b in nz.read_changes_file() for cp in range(a, b + 1)]
    rng = random.Random(17)
    pool = [chr(cp) for cp in rng.sample(changing, 400)]
    pool += [chr(cp + d) for cp in rng.sample(changing, 200) for d in (-1, 1) if 0 <= cp + d < 0x110000]
    pool += [*"\n\t\r a1。,,(()营商环境實發區\u3000", "\U0001d400", "\U0002f800", "\U00020000", "\ud800"]
    texts = [p.read_text(encoding="utf-8") * 8 for p in sorted(SEEDS.glob("00[012]_*.txt"))]
    for _ in range(12):
        texts.append("".join(rng.choice(pool) for _ in range(nz.RUNS_FROM + rng.randrange(0, 3000))))
    for s in texts:
        assert len(s) >= nz.RUNS_FROM
        assert nz.normalize(s) == s.translate(nz._TABLE)


def test_shipped_changing_characters_are_those_norm_char_changes() -> None:
    """data/normalize_changes.txt lists exactly the code points `norm_char` changes with this Python and OpenCC
    (if this fails after an upgrade: `normalize.write_changes_file()`)."""
    from luoshi.plans.parser import normalize as nz

    assert nz.CHANGES_FILE.read_text(encoding="ascii").split("\n", 1)[0] == "# " + nz.changes_key()
    assert nz.read_changes_file() == nz.changing_chars()


def test_changing_characters_of_another_key_are_not_used(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A file written under other Unicode tables, another OpenCC or other look-alike tables is not used: every
    character is translated, as in the plain form."""
    from luoshi.plans.parser import normalize as nz

    nz._changing_runs.cache_clear()
    monkeypatch.setattr(nz, "_LOOKALIKE", {**nz._LOOKALIKE, "\u2014": "-"})
    try:
        assert nz.changes_key() != nz.CHANGES_FILE.read_text(encoding="ascii").split("\n", 1)[0][2:]
        assert nz._changing_runs() is None
        text = "推进——落实," * 4000
        assert nz.normalize(text) == text.translate(nz._TABLE)
    finally:
        nz._changing_runs.cache_clear()


def test_a_parse_leaves_no_cyclic_garbage() -> None:
    """Everything a parse builds is freed by reference counting when its result is dropped (the heading tree
    has no parent pointers): nothing is left for the cyclic collector, whose pass over a fresh parse's
    objects `parse_text` would otherwise pay when it turns the collector back on."""
    import gc

    from luoshi.plans.parser import parse_text

    for p in sorted(SEEDS.glob("00[012]_*.txt")):
        text = p.read_text(encoding="utf-8")
        parse_text(text, year=2025, suggest=False)  # caches filled outside the count
        gc.collect()
        gc.disable()
        try:
            result = parse_text(text, year=2025, suggest=False)
            assert result.measures
            del result
            assert gc.collect() == 0, p.name
        finally:
            gc.enable()
