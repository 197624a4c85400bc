"""The 公文 writer, read back: GB/T 9704-2012 page, margins, fonts, page numbers, the Beijing 成文日期."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import time_machine
from docx import Document
from docx.shared import Mm

from luoshi.core import gongwen
from luoshi.core.downloads import content_disposition

LATE_UTC = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)  # already 2 December in Beijing


def _doc(issued_at: dt.datetime | dt.date = LATE_UTC) -> bytes:
    return gongwen.render(
        gongwen.Gongwen(
            issuer="荆门市优化营商环境工作领导小组办公室",
            number="荆门市营商督〔2026〕1号",
            title="督办单",
            recipient="荆门市发展和改革委员会",
            body=[
                gongwen.Para("经调度,贵单位承担的以下任务需加快推进,现予督办。"),
                gongwen.Heading("一、督办事项"),
                gongwen.Table(["序号", "事项"], [["1", "企业开办一网通办"]]),
            ],
            issued_at=issued_at,
        )
    )


def _mm(length: int | None) -> float:
    assert length is not None
    return round(length / Mm(1), 1)


def test_page_and_type_area_follow_gb_t_9704() -> None:
    doc = Document(io.BytesIO(_doc()))
    s = doc.sections[0]
    assert (_mm(s.page_width), _mm(s.page_height)) == (210.0, 297.0)
    assert (_mm(s.top_margin), _mm(s.left_margin), _mm(s.right_margin), _mm(s.bottom_margin)) == (
        37,
        28,
        26,
        35,
    )
    # 版心 156 × 225
    assert _mm(s.page_width) - _mm(s.left_margin) - _mm(s.right_margin) == 156
    assert _mm(s.page_height) - _mm(s.top_margin) - _mm(s.bottom_margin) == 225


def test_fonts_title_xiaobiaosong_body_fangsong_three_with_cjk_fallbacks() -> None:
    data = _doc()
    doc = Document(io.BytesIO(data))
    title = next(p for p in doc.paragraphs if p.text == "督办单")
    run = title.runs[0]
    assert run.font.size is not None and run.font.size.pt == 22
    fonts: Any = run._r.rPr.rFonts  # type: ignore[union-attr]
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "方正小标宋简体"
    )
    body = next(p for p in doc.paragraphs if p.text.startswith("经调度"))
    brun = body.runs[0]
    assert brun.font.size is not None and brun.font.size.pt == 16  # 三号
    east = brun._r.rPr.rFonts.get(  # type: ignore[union-attr]
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east == "仿宋_GB2312"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        table = z.read("word/fontTable.xml").decode()
        footer_xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    # every font declared with the GB2312 charset and a substitute WPS/Word can pick
    for name, alt in gongwen.FALLBACKS.items():
        assert f'w:name="{name}"' in table and f'w:val="{alt}"' in table
    assert 'w:val="86"' in table
    assert "Noto Serif CJK SC" in doc.core_properties.comments  # the free fallback is named in the document
    # page numbers "— N —" on odd (right) and even (left) pages
    assert footer_xml.count("PAGE") == 2 and "— " in footer_xml and " —" in footer_xml
    assert doc.settings.odd_and_even_pages_header_footer


def test_date_is_the_beijing_date_at_23_30_utc() -> None:
    doc = Document(io.BytesIO(_doc(LATE_UTC)))
    texts = [p.text for p in doc.paragraphs]
    assert "2026年12月2日" in texts and "2026年12月1日" not in texts
    assert "荆门市营商督〔2026〕1号" in texts
    with time_machine.travel(LATE_UTC, tick=False):
        from django.utils import timezone

        now_doc = Document(io.BytesIO(_doc(timezone.now())))
        assert "2026年12月2日" in [p.text for p in now_doc.paragraphs]
    assert gongwen.chinese_date(dt.date(2026, 6, 5)) == "2026年6月5日"  # no leading zeros


def test_chinese_download_names_use_rfc_6266_filename_star() -> None:
    header = content_disposition("荆门市营商督〔2026〕1号.docx", fallback="notice-1.docx")
    assert header.startswith("attachment; filename=\"notice-1.docx\"; filename*=UTF-8''")
    from urllib.parse import unquote

    assert unquote(header.split("UTF-8''")[1]) == "荆门市营商督〔2026〕1号.docx"
