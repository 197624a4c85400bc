"""Official documents (公文) as .docx following GB/T 9704-2012 《党政机关公文格式》. Kernel level: no domain imports.

What the standard fixes and this writer does:

- A4 paper (210 mm × 297 mm); 版心 156 mm × 225 mm: top margin (天头) 37 mm, left (订口) 28 mm, so right 26 mm and
  bottom 35 mm.
- 发文机关标志 (the red masthead) in 小标宋 red, 发文字号 centred under it (``荆门市营商督〔2026〕1号``), a red rule;
  the title in 2号 (22 pt) 小标宋, the body in 3号 (16 pt) 仿宋_GB2312 at a fixed 28 pt line (22 lines a page, 28
  characters a line); first-level headings 黑体, second-level 楷体_GB2312.
- 成文日期 in Arabic numerals without leading zeros (``2026年12月2日``), always the Beijing date of the moment given.
- Page numbers 4号 (14 pt) 宋体 as ``— 1 —``: odd pages on the right, even pages on the left, each one character in.

Fonts: 方正小标宋简体 and 仿宋_GB2312 are not free and not on every machine. Each font the document uses is declared in
its font table with GB2312 charset (86) and an ``altName`` (Word's and WPS's substitution hint), and the body runs name
a CJK east-asian font explicitly, so a machine without the font still picks a Chinese serif rather than a Latin one:
小标宋 falls back to the free Noto Serif CJK SC (SIL Open Font Licence; named in the document), 仿宋_GB2312 to 仿宋,
楷体_GB2312 to 楷体. ``FALLBACKS`` lists them.

Usage::

    doc = Gongwen(issuer="荆门市优化营商环境工作领导小组办公室", number="荆门市营商督〔2026〕1号",
                  title="督办单", recipient="市发改委", body=[Para("…"), Table(["序号", "事项"], [["1", "…"]])],
                  signature="荆门市优化营商环境工作领导小组办公室", issued_at=timezone.now())
    data: bytes = render(doc)
"""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BEIJING",
    "BODY_FONT",
    "FALLBACKS",
    "TITLE_FONT",
    "Gongwen",
    "Heading",
    "Para",
    "Table",
    "beijing_date",
    "chinese_date",
    "duban_notice",
    "next_serial",
    "notice_number",
    "office_name",
    "render",
]

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# font -> the substitute named in the document's font table (altName)
FALLBACKS: dict[str, str] = {
    TITLE_FONT: "Noto Serif CJK SC",
    BODY_FONT: "仿宋",
    HEADING2_FONT: "楷体",
    HEADING1_FONT: "SimHei",
    PAGE_NUMBER_FONT: "SimSun",
}

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, LEFT_MM = 37, 28
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TEXT_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, LINE_PT = 22, 16, 14, 28
RED = "FF0000"


@dataclass(frozen=True)
class Para:
    """A body paragraph (3号仿宋, first line indented two characters)."""

    text: str
    indent: bool = True
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    """A heading in the body: level 1 = 一、 (黑体), level 2 = (一) (楷体)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Table:
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths_mm: Sequence[float] | None = None


Block = Para | Heading | Table


@dataclass
class Gongwen:
    issuer: str  # 发文机关 (masthead and, by default, the signature)
    number: str  # 发文字号
    title: str
    body: list[Block]
    issued_at: dt.datetime | dt.date  # 成文日期: written as the Beijing date of this moment
    recipient: str = ""  # 主送机关
    signature: str = ""  # 署名 (default: the issuer)
    masthead: bool = True
    attachments: list[str] = field(default_factory=list)  # 附件说明
    copy_to: str = ""  # 抄送机关


def beijing_date(moment: dt.datetime | dt.date) -> dt.date:
    """The date in Beijing of an aware datetime (a date is returned as it is; a naive datetime is refused)."""
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            raise ValueError("a naive datetime has no Beijing date; pass an aware datetime")
        return moment.astimezone(BEIJING).date()
    return moment


def chinese_date(day: dt.date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- low-level OOXML helpers -------------------------------------------------------------------------------
def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _set_fonts(run_or_style_element: Any, east_asia: str, *, latin: str = LATIN_FONT) -> None:
    """Set w:rFonts on a run's or style's rPr: the east-asian font explicitly, Latin text in Times New Roman."""
    rpr = run_or_style_element.get_or_add_rPr()
    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        from docx.oxml import OxmlElement

        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(_qn("w:ascii"), latin)
    fonts.set(_qn("w:hAnsi"), latin)
    fonts.set(_qn("w:cs"), latin)
    fonts.set(_qn("w:eastAsia"), east_asia)
    fonts.set(_qn("w:hint"), "eastAsia")


def _run(
    paragraph: Any, text: str, *, font: str, size_pt: float, bold: bool = False, colour: str = ""
) -> Any:
    from docx.shared import Pt, RGBColor

    from luoshi.core.sanitize import strip_controls

    run = paragraph.add_run(strip_controls(text))  # python-docx refuses C0 controls: one stored \x0b broke every .docx
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    _set_fonts(run._r, font)
    return run


def _fixed_lines(
    paragraph: Any, *, before_pt: float = 0, after_pt: float = 0, line_pt: float = LINE_PT
) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(before_pt)
    fmt.space_after = Pt(after_pt)


def _declare_fonts(document: Any) -> None:
    """Font-table entries with GB2312 charset and the substitute each font falls back to."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import OxmlElement

    part = document.part
    font_part = None
    for rel in part.rels.values():
        if rel.reltype == RT.FONT_TABLE:
            font_part = rel.target_part
    if font_part is None:  # the default template always has one
        return
    from lxml import etree

    root = etree.fromstring(font_part.blob)
    existing = {f.get(_qn("w:name")) for f in root.findall(_qn("w:font"))}
    for name, alt in FALLBACKS.items():
        if name in existing:
            continue
        font = OxmlElement("w:font")
        font.set(_qn("w:name"), name)
        for tag, value in (
            ("w:altName", alt),
            ("w:charset", "86"),
            ("w:family", "roman"),
            ("w:pitch", "variable"),
        ):
            child = OxmlElement(tag)
            child.set(_qn("w:val"), value)
            font.append(child)
        root.append(font)
    font_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(footer: Any, *, right: bool) -> None:
    """``— N —`` in 4号宋体, one character in from the outer edge."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    if right:
        p.paragraph_format.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        p.paragraph_format.left_indent = Pt(PAGE_NUMBER_PT)
    _run(p, "— ", font=PAGE_NUMBER_FONT, size_pt=PAGE_NUMBER_PT)
    run = _run(p, "", font=PAGE_NUMBER_FONT, size_pt=PAGE_NUMBER_PT)
    begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(_qn("w:fldCharType"), "begin")
    instr.set(_qn("xml:space"), "preserve")
    instr.text = " PAGE "
    end.set(_qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(end)
    _run(p, " —", font=PAGE_NUMBER_FONT, size_pt=PAGE_NUMBER_PT)


def _red_rule(paragraph: Any) -> None:
    """The red separator line under the masthead (a bottom border of the 发文字号 paragraph)."""
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "8"), ("w:color", RED)):
        bottom.set(_qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _table(document: Any, block: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    cols = len(block.header)
    table = document.add_table(rows=1, cols=cols)
    table.style = "Table Grid"
    table.autofit = False
    widths = list(block.widths_mm or [TEXT_WIDTH_MM / cols] * cols)
    for row_values, is_header in [(block.header, True), *((r, False) for r in block.rows)]:
        cells = table.rows[0].cells if is_header else table.add_row().cells
        for k, (cell, text) in enumerate(zip(cells, row_values, strict=True)):
            cell.width = Mm(widths[k])
            p = cell.paragraphs[0]
            p.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER if is_header or len(str(text)) <= 12 else WD_ALIGN_PARAGRAPH.LEFT
            )
            _fixed_lines(p, line_pt=22)
            _run(
                p,
                str(text),
                font=HEADING1_FONT if is_header else BODY_FONT,
                size_pt=12,
            )


def render(doc: Gongwen) -> bytes:
    """The document as .docx bytes."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(LEFT_MM), Mm(RIGHT_MM)
    section.footer_distance = Mm(BOTTOM_MM - 7 - 5)  # the page number's line sits 7 mm under the 版心
    section.header_distance = Mm(15)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, right=True)
    _page_number_footer(section.even_page_footer, right=False)

    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element, BODY_FONT)
    _declare_fonts(document)
    document.core_properties.title = doc.title
    document.core_properties.author = doc.issuer
    document.core_properties.comments = f"字体:标题{TITLE_FONT}(缺字体时用 {FALLBACKS[TITLE_FONT]}),正文{BODY_FONT}(缺字体时用{FALLBACKS[BODY_FONT]})"

    body = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    if doc.masthead:
        head = body
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fixed_lines(head, before_pt=0, after_pt=12, line_pt=40)
        _run(head, doc.issuer, font=TITLE_FONT, size_pt=26, colour=RED)
        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fixed_lines(number, before_pt=LINE_PT, after_pt=0)
        _run(number, doc.number, font=BODY_FONT, size_pt=BODY_PT)
        _red_rule(number)
        title = document.add_paragraph()
    else:
        title = body
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fixed_lines(title, before_pt=LINE_PT * 2 if doc.masthead else 0, after_pt=LINE_PT, line_pt=35)
    _run(title, doc.title, font=TITLE_FONT, size_pt=TITLE_PT)
    if not doc.masthead and doc.number:
        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fixed_lines(number)
        _run(number, doc.number, font=BODY_FONT, size_pt=BODY_PT)
    if doc.recipient:
        p = document.add_paragraph()
        _fixed_lines(p)
        _run(p, f"{doc.recipient}:", font=BODY_FONT, size_pt=BODY_PT)
    for block in doc.body:
        if isinstance(block, Table):
            _table(document, block)
            continue
        p = document.add_paragraph()
        _fixed_lines(p)
        p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        if isinstance(block, Heading):
            _run(p, block.text, font=HEADING1_FONT if block.level == 1 else HEADING2_FONT, size_pt=BODY_PT)
        else:
            if not block.indent:
                p.paragraph_format.first_line_indent = Pt(0)
            _run(p, block.text, font=BODY_FONT, size_pt=BODY_PT, bold=block.bold)
    if doc.attachments:
        for k, name in enumerate(doc.attachments, start=1):
            p = document.add_paragraph()
            _fixed_lines(p)
            p.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
            label = "附件:" if k == 1 else "　　　"
            prefix = f"{k}." if len(doc.attachments) > 1 else ""
            _run(p, f"{label}{prefix}{name}", font=BODY_FONT, size_pt=BODY_PT)
    # 署名 and 成文日期: right-aligned, the date four characters in from the right
    spacer = document.add_paragraph()
    _fixed_lines(spacer)
    sign = document.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fixed_lines(sign)
    sign.paragraph_format.right_indent = Pt(BODY_PT * 2)
    _run(sign, doc.signature or doc.issuer, font=BODY_FONT, size_pt=BODY_PT)
    date = document.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fixed_lines(date)
    date.paragraph_format.right_indent = Pt(BODY_PT * 4)
    _run(date, chinese_date(beijing_date(doc.issued_at)), font=BODY_FONT, size_pt=BODY_PT)
    if doc.copy_to:
        p = document.add_paragraph()
        _fixed_lines(p)
        p.paragraph_format.left_indent = Pt(BODY_PT)
        _run(p, f"抄送:{doc.copy_to}。", font=BODY_FONT, size_pt=14)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def attachment_filename(number: str, suffix: str = ".docx") -> str:
    """A download name for a document: its 发文字号 (Chinese kept; RFC 6266 filename* is the view's job)."""
    safe = "".join(ch for ch in number if ch not in '\\/:*?"<>|\r\n').strip() or "document"
    return f"{safe}{suffix}"


# --- 督办单 (supervision notices): the one layout and numbering every domain issues --------------------------
OFFICE_SUFFIX = "优化营商环境工作领导小组办公室"
NOTICE_SERIES = "营商督"  # supervision's 督办单 on tasks


def office_name(region_name: str) -> str:
    """The issuing office as it signs 公文."""
    return f"{region_name}{OFFICE_SUFFIX}"


def notice_number(region_name: str, year: int, serial: int, series: str = NOTICE_SERIES) -> str:
    """发文字号 of a 督办单: ``荆门市营商督〔2026〕1号`` (one series per kind of notice, numbered per region and year)."""
    return f"{region_name}{series}〔{year}〕{serial}号"


def next_serial(model: Any, region: Any, year: int) -> int:
    """The next serial of `model`'s notices (fields ``region``, ``year``, ``serial``) in `region` and `year`.
    Call inside the transaction that creates the notice: the region row is the per-region numbering lock, so
    parallel issuers queue instead of colliding; a unique (region, year, serial) constraint backs it up."""
    from django.db.models import Max

    type(region).objects.select_for_update().filter(pk=region.pk).values_list("pk", flat=True).first()
    return int(model.objects.filter(region=region, year=year).aggregate(m=Max("serial"))["m"] or 0) + 1


def duban_notice(
    *,
    region_name: str,
    number: str,
    recipient: str,
    intro: str,
    items_heading: str,
    items: Table,
    reply_deadline: dt.date,
    issued_at: dt.datetime | dt.date,
    requirement: str = "",
    answer: str = "",
    copy_to: str = "",
) -> Gongwen:
    """A 督办单 as a 公文: the intro, the items (a table), the requirement, the reply deadline, and the
    answer once given. Domains supply the words and rows; the layout and the office's name are the same
    everywhere."""
    body: list[Block] = [Para(intro), Para(items_heading, indent=True), items]
    if requirement:
        body.append(Para(f"督办要求:{requirement}"))
    body.append(Para(f"回复期限:{chinese_date(reply_deadline)}。"))
    if answer:
        body.append(Heading("办理情况", level=1))
        body.append(Para(answer))
    return Gongwen(
        issuer=office_name(region_name),
        number=number,
        title="督办单",
        recipient=recipient,
        body=body,
        issued_at=issued_at,
        copy_to=copy_to,
    )
