"""Every download names its file in Chinese through one helper (``core/downloads.py``: RFC 6266 ``filename*``
beside an ASCII fallback); no view or API builds a ``Content-Disposition`` header by hand."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_hand_built_content_disposition_outside_the_helper() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "downloads.py"
        and '["Content-Disposition"] =' in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], f"use luoshi.core.downloads.file_response: {offenders}"

