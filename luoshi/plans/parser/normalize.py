"""A normalised copy of a text for matching, the same length as the original so offsets carry over.

Each character is mapped to exactly one character: full-width → half-width (NFKC when it yields one
character), look-alike punctuation folded (〔〕 → (), ：→ :), traditional → simplified (OpenCC t2s,
character by character). Offsets found in the copy are therefore offsets into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
    """Return the normalised copy of `text` (same length, one character for one character)."""
    return text.translate(_TABLE)


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
