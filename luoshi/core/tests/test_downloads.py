"""Every download names its file in Chinese through one helper (``core/downloads.py``: RFC 6266 ``filename*``
beside an ASCII fallback); no view or API builds a ``Content-Disposition`` header by hand."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from luoshi.core.downloads import XLSX, file_response

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


def test_the_helper_gives_the_chinese_name_and_the_ascii_fallback() -> None:
    header = file_response(b"x", "诉求办理指标-2026-11.xlsx", XLSX, fallback="requests-metrics-2026-11.xlsx")[
        "Content-Disposition"
    ]
    assert header.startswith('attachment; filename="requests-metrics-2026-11.xlsx"; ')
    assert unquote(header.split("filename*=UTF-8''")[1]) == "诉求办理指标-2026-11.xlsx"
