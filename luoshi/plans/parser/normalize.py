"""A normalised copy of a text for matching, the same length as the original so offsets carry over.

Each character is mapped to exactly one character: full-width → half-width (NFKC when it yields one
character), look-alike punctuation folded (〔〕 → (), ：→ :), traditional → simplified (OpenCC t2s,
character by character). Offsets found in the copy are therefore offsets into the original text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_LOOKALIKE = {
    "〔": "(",
    "〕": ")",
    "﹝": "(",
    "﹞": ")",
    "［": "(",
    "］": ")",
    "[": "(",
    "]": ")",
    "【": "(",
    "】": ")",
    "（": "(",
    "）": ")",
    "：": ":",
    "，": ",",
    "；": ";",
    "﹐": ",",
    "﹔": ";",
    "﹕": ":",
    "．": ".",
    "。": "。",
    "\u3000": " ",
    "\xa0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200b": " ",
    "\ufeff": " ",
    "\t": " ",
    "\r": " ",
    "“": "“",
    "”": "”",
    "〝": "“",
    "〞": "”",
    "＂": '"',
    "－": "-",
    "—": "—",
    "―": "—",
    "─": "—",
    "–": "-",
    "～": "~",
    "〜": "~",
    "％": "%",
    "﹪": "%",
    "＋": "+",
    "﹢": "+",
    "０": "0",
    "１": "1",
    "２": "2",
    "３": "3",
    "４": "4",
    "５": "5",
    "６": "6",
    "７": "7",
    "８": "8",
    "９": "9",
    "〇": "〇",
    "○": "〇",
    "Ｏ": "O",
    "壹": "一",
    "贰": "二",
    "叁": "三",
}
# Circled and parenthesised numbers are heading markers: keep them as they are.
_KEEP = {chr(c) for c in range(0x2460, 0x24A0)}


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    """Traditional → simplified (a declared dependency: a missing package is an error, never a quiet no-op)."""
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=20000)
def norm_char(ch: str) -> str:
    if ch in _KEEP:
        return ch
    out = _LOOKALIKE.get(ch)
    if out is None:
        out = ch
        if ord(ch) >= 0x80:
            nf = unicodedata.normalize("NFKC", ch)
            if len(nf) == 1:
                out = nf
            if "\u4e00" <= out <= "\u9fff":
                s = _converter().convert(out)
                if len(s) == 1:
                    out = s
    return out


class _Table(dict[int, str]):
    def __missing__(self, key: int) -> str:
        out = norm_char(chr(key))
        self[key] = out
        return out


_TABLE = _Table()


def normalize(text: str) -> str:
    """Return the normalised copy of `text` (same length, one character for one character).

    `str.translate` looks every character up (about 18 ms per MB of plan text), though in plan text only one
    character in ~30 changes. A long text is translated only in the runs of characters that `norm_char`
    changes (`data/normalize_changes.txt`, every such code point, checked against `changing_chars` by a test,
    and used only under the Unicode tables, OpenCC and look-alike tables it was written for: `changes_key`);
    the other characters map to themselves. Both forms are pinned equal by tests/test_parser_fast_paths.py."""
    runs = _changing_runs() if len(text) >= RUNS_FROM else None
    if runs is None:
        return text.translate(_TABLE)
    return runs.sub(_translate_run, text)


# Shorter texts are translated whole: reading the file and compiling its class (~3 ms) costs more than it saves.
RUNS_FROM = 20_000
CHANGES_FILE = Path(__file__).parent / "data" / "normalize_changes.txt"


def _translate_run(m: re.Match[str]) -> str:
    return m.group().translate(_TABLE)


def changes_key() -> str:
    """What `norm_char` depends on besides its code: Python's Unicode tables, OpenCC, `_LOOKALIKE` and `_KEEP`.
    `CHANGES_FILE` was written under this key; under another one it is not used."""
    import opencc  # the data of its t2s conversion (reading them costs ~0.2 ms, asking the package version ~17)

    t2s = hashlib.sha256()
    for name in ("config/t2s.json", "dictionary/TSPhrases.txt", "dictionary/TSCharacters.txt"):
        t2s.update((Path(opencc.__file__).parent / name).read_bytes())
    tables = hashlib.sha256(repr((sorted(_LOOKALIKE.items()), sorted(_KEEP))).encode()).hexdigest()[:16]
    return f"unicode={unicodedata.unidata_version} opencc-t2s={t2s.hexdigest()[:16]} tables={tables}"


@lru_cache(maxsize=1)
def _changing_runs() -> re.Pattern[str] | None:
    """Runs of the characters `norm_char` changes (`CHANGES_FILE`), with every character beyond U+FFFF: `re`
    tests a class of BMP characters with one table look-up, but a class that also lists astral ranges range by
    range (twice the time of `translate`). Translating a character that does not change is harmless. None when
    the file was written under another `changes_key` (then every character is translated)."""
    if CHANGES_FILE.read_text(encoding="ascii").split("\n", 1)[0] != "# " + changes_key():
        return None
    parts = [
        re.escape(chr(a)) + ("-" + re.escape(chr(min(b, 0xFFFF))) if min(b, 0xFFFF) > a else "")
        for a, b in read_changes_file()
        if a <= 0xFFFF
    ]
    return re.compile("[" + "".join(parts) + "\U00010000-\U0010ffff]+")


def changing_chars() -> list[tuple[int, int]]:
    """The code points `norm_char` maps to another character, as (first, last) ranges. Slow (every code point,
    ~1 s): `CHANGES_FILE` holds the result; `write_changes_file()` writes it again (after a change of `_LOOKALIKE`, `_KEEP`,
    Python's Unicode tables or OpenCC; the test says when)."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x110000):
        ch = chr(cp)
        if norm_char.__wrapped__(ch) != ch:  # uncached: the run-time cache keeps the plans' characters
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return ranges


def read_changes_file() -> list[tuple[int, int]]:
    out = []
    for item in CHANGES_FILE.read_text(encoding="ascii").split("\n", 1)[1].split():
        a, _, b = item.partition("-")
        out.append((int(a, 16), int(b or a, 16)))
    return out


def write_changes_file() -> None:
    ranges = "\n".join(f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in changing_chars())
    CHANGES_FILE.write_text(f"# {changes_key()}\n{ranges}\n", encoding="ascii")


# CJK Radicals Supplement characters that PDF fonts use for a whole simplified ideograph (NFKC maps only two).
_RADICAL_SUPPLEMENT = dict(
    zip(
        "⺟⺠⻄⻅⻆⻉⻋⻓⻔⻘⻚⻛⻜⻝⻢⻣⻤⻥⻦⻨⻩⻬⻮⻰⻳⻁⻊⻗⻙⻠⻡⺮⺶⺼⻐⻈⺇",
        "母民西见角贝车长门青页风飞食马骨鬼鱼鸟麦黄齐齿龙龟虎足雨韦食页竹羊肉钅讠几",
        strict=True,
    )
)


def fold_radicals(text: str) -> str:
    """Kangxi radicals (U+2F00–U+2FD5) and the radicals of the CJK Radicals Supplement that stand for a whole
    ideograph, as text extracted from many PDFs holds them ("⼀窗通", "⼈⺠银⾏"), folded to the ideographs
    they show, one character for one (offsets do not move). Other text is returned as it is."""
    if not _RADICAL.search(text):
        return text
    return _RADICAL.sub(lambda m: _fold_radical(m.group()), text)


_RADICAL = re.compile("[\u2e80-\u2fdf]")


def _fold_radical(ch: str) -> str:
    if ch in _RADICAL_SUPPLEMENT:
        return _RADICAL_SUPPLEMENT[ch]
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch
