"""Decoding the text files Chinese offices send (no Django: the parser and the calendar engine use it too)."""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def has_bom(data: bytes) -> bool:
    return data.startswith(tuple(bom for bom, _, _ in _BOMS))


def decode_chinese(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) for a UTF-8/UTF-16 file marked by a BOM, else UTF-8, else GB18030 (which covers GBK
    and GB2312, as Excel and WPS save them). None when the bytes fit none of these; the caller says why."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), name
            except UnicodeDecodeError:
                return None
    for codec, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030/GBK")):
        try:
            return data.decode(codec), name
        except UnicodeDecodeError:
            continue
    return None
