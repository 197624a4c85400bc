"""Chinese numerals and magnitudes: 三 → 3, 二十五 → 25, 3.5万 → 35000, 8800万 → 88000000."""

from __future__ import annotations

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
MAGNITUDE = {"万": 10_000, "亿": 100_000_000, "千": 1000, "百": 100}
CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万亿"


def cn_to_int(s: str) -> int | None:
    """'二十五' → 25, '十' → 10, '一百零八' → 108, '三万' → 30000; None if not a numeral."""
    if not s or any(c not in CN_NUM_CHARS for c in s):
        return None
    total, section, num = 0, 0, 0
    for c in s:
        if c in _DIGITS:
            num = _DIGITS[c]
        elif c in _UNITS:
            section += (num or 1) * _UNITS[c]
            num = 0
        elif c == "万" or c == "亿":
            section += num
            total += section * MAGNITUDE[c]
            section, num = 0, 0
    return total + section + num


def to_number(s: str) -> float | None:
    s = s.replace(",", "").strip()
    try:
        return float(s)
    except ValueError:
        v = cn_to_int(s)
        return float(v) if v is not None else None
