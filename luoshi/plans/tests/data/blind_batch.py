"""Build a blind batch's format variants from its `src/` (used by `blind1/make_docs.py`, `blind2/make_docs.py` …).

Each plan in `src/` is the opening of a stored public copy of a real government page (see README.md), saved as
it was crawled (.txt, or .html for b302). From that text this script writes what a city would upload:

  DOC.txt       the crawled text (UTF-8), or for an .html source its paragraphs one per line
  DOC.html      a government page around the text (menu, breadcrumb, info bar, <p> per paragraph, footer)
  DOC.docx      one Word paragraph per line (python-docx, 三号 CJK font, running header, "— N —" page numbers)
  DOC.pdf       that .docx converted by LibreOffice (`soffice --headless --convert-to pdf`); where soffice is
                missing (as on the machine this batch was built on), the text printed to PDF by Chromium
                (Playwright `page.pdf`, A4, running header, "— N —" page numbers): a text PDF either way
  DOC.flat.txt  the text with its line breaks lost: paragraphs separated only by two full-width spaces

The generated files are committed so the tests never need LibreOffice.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import tempfile
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from luoshi.plans.parser import ParseError, parse_file
from luoshi.plans.tests.data.docgen import page_furniture, set_font, soffice_pdf

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<div class="nav"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/zcwj/">政策文件</a> | <a href="/hdjl/">互动交流</a></div>
<div class="crumb">当前位置:首页 &gt; 政务公开 &gt; 政策文件</div>
<div class="info">发布时间:2025-01-01 来源:本站 【字体:大 中 小】 打印本页</div>
<div class="TRS_Editor">
{body}
</div>
<div class="share">分享到: 微信 微博</div>
<div class="footer">主办单位:人民政府办公室 网站标识码:0000000000 ICP备00000000号</div>
</body></html>
"""


def lines_of(src: Path) -> list[str]:
    text = src.read_text(encoding="utf-8")
    if src.suffix == ".html":
        body = text.split('<div class="content">', 1)[1].split("</div>", 1)[0]
        body = re.sub(r"<br\s*/?>", "\n", body)
        text = html.unescape(re.sub(r"<[^>]+>", "\n", body))
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def build(src: Path, docs: Path) -> None:
    stem = src.stem
    lines = lines_of(src)
    if src.suffix == ".html":
        (docs / f"{stem}.html").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        (docs / f"{stem}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        (docs / f"{stem}.txt").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        body = "\n".join(f"<p>　　{html.escape(ln)}</p>" for ln in lines)
        (docs / f"{stem}.html").write_text(
            PAGE.format(title=html.escape(lines[0]), body=body), encoding="utf-8"
        )
    (docs / f"{stem}.flat.txt").write_text("　　".join(lines) + "\n", encoding="utf-8")
    doc = Document()
    set_font(doc, 16)
    page_furniture(doc, "人民政府办公室文件")
    for ln in lines:
        doc.add_paragraph(ln)
    doc.save(str(docs / f"{stem}.docx"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{stem}.docx"
        doc.save(str(path))
        if shutil.which("soffice"):
            soffice_pdf(path, docs / f"{stem}.pdf")
        else:
            chromium_pdf(lines, docs / f"{stem}.pdf")


TEXT_CSS = 'body{font-family:"Noto Serif CJK SC";font-size:16pt;line-height:1.6}p{text-indent:2em;margin:0}'
TABLE_CSS = (
    'body{font-family:"Noto Serif CJK SC";font-size:14pt;line-height:1.5}p{text-indent:2em;margin:0}'
    "table{border-collapse:collapse;width:100%;font-size:11pt}td,th{border:1px solid #000;padding:3px}"
    "thead{display:table-header-group}"
)


def chromium_pdf(lines: list[str], out: Path) -> None:
    print_pdf("".join(f"<p>{html.escape(ln)}</p>" for ln in lines), out, css=TEXT_CSS)


def print_pdf(body: str, out: Path, *, css: str, header: str = "人民政府办公室文件") -> None:
    """`body` printed to an A4 PDF by Chromium, with a 公文-like header line and page numbers."""
    from playwright.sync_api import sync_playwright

    page_html = f'<html><head><meta charset="utf-8"><style>{css}</style></head><body>{body}</body></html>'
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        page.set_content(page_html)
        page.pdf(
            path=str(out),
            format="A4",
            display_header_footer=True,
            header_template=f'<div style="font-size:9px;width:100%;text-align:center">{header}</div>',
            footer_template='<div style="font-size:10px;width:100%;text-align:center">— <span class="pageNumber"></span> —</div>',
            margin={"top": "30mm", "bottom": "30mm", "left": "28mm", "right": "26mm"},
        )
        browser.close()


def table_docx(spec: dict, out: Path) -> None:  # type: ignore[type-arg]
    doc = Document()
    set_font(doc, 14)
    page_furniture(doc, "人民政府办公室文件")
    for line in spec["before"]:
        doc.add_paragraph(line)
    doc.add_paragraph(spec["title"])
    table = doc.add_table(rows=1 + len(spec["rows"]), cols=len(spec["header"]))
    table.style = "Table Grid"
    head = table.rows[0]
    for cell, text in zip(head.cells, spec["header"], strict=True):
        cell.text = text
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    head._tr.get_or_add_trPr().append(flag)
    for r, row in enumerate(spec["rows"], start=1):
        for cell, text in zip(table.rows[r].cells, row, strict=True):
            cell.text = text
    doc.save(str(out))


def table_html(spec: dict) -> str:  # type: ignore[type-arg]
    parts = [f"<p>　　{html.escape(line)}</p>" for line in spec["before"]]
    parts.append(f'<p style="text-align:center">{html.escape(spec["title"])}</p>')
    parts.append('<table border="1" cellspacing="0">')
    parts.append("<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in spec["header"]) + "</tr></thead>")
    for row in spec["rows"]:
        parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def build_table_doc(src: Path, spec_path: Path, docs: Path) -> None:
    stem = src.stem
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    crawl = src.read_text(encoding="utf-8")
    (docs / f"{stem}.txt").write_text(crawl, encoding="utf-8")
    lines = [ln.strip() for ln in crawl.splitlines() if ln.strip()]
    (docs / f"{stem}.flat.txt").write_text("　　".join(lines) + "\n", encoding="utf-8")
    body = table_html(spec)
    (docs / f"{stem}.html").write_text(PAGE.format(title=html.escape(spec["title"]), body=body), encoding="utf-8")
    table_docx(spec, docs / f"{stem}.docx")
    print_pdf(body, docs / f"{stem}.pdf", css=TABLE_CSS)


def build_batch(here: Path) -> None:
    """Every plan in `here/src` → `here/docs`: running text through `build`; a task table stored as its crawl
    (`DOC.txt`) beside the same cells read back into rows by hand (`DOC.table.json`: the lines before the table,
    its title, header and rows) through `build_table_doc` — the crawl as stored, its lines joined (flat.txt), a
    page with a real <table>, a Word table whose header row repeats on each page, that page printed by Chromium."""
    docs = here / "docs"
    docs.mkdir(exist_ok=True)
    for src in sorted((here / "src").iterdir()):
        if src.name.endswith(".table.json"):
            continue
        spec = src.with_suffix(".table.json")
        if spec.exists():
            build_table_doc(src, spec, docs)
        else:
            build(src, docs)
        print("built", src.stem)


FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]


def scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score_extraction", Path(__file__).parent / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def first_read(here: Path, out: Path) -> None:
    """Parse every document of the batch in `here` in each format and score it against `here/gold` (one JSON
    line per plan and format, a TOTAL per format and an ALL line); predictions are written under `out`."""
    sc = scorer()
    stems = sorted(p.stem for p in (here / "gold").glob("*.jsonl"))
    grand = None
    for fmt in FORMATS:
        pred_dir = out / fmt.replace(".", "_")
        pred_dir.mkdir(parents=True, exist_ok=True)
        total = None
        for stem in stems:
            try:
                pred = [m.to_score_dict() for m in parse_file(here / "docs" / f"{stem}.{fmt}").measures]
            except ParseError:
                pred = []
            (pred_dir / f"{stem}.jsonl").write_text(
                "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pred), encoding="utf-8"
            )
            s = sc.score_doc(sc.load(here / "gold" / f"{stem}.jsonl"), pred)
            print(json.dumps({"format": fmt, **sc.line(stem, s)}, ensure_ascii=False))
            total = s if total is None else {k: total[k] + s[k] for k in s}
            grand = s if grand is None else {k: grand[k] + s[k] for k in s}
        print(json.dumps({"format": fmt, **sc.line("TOTAL", total)}, ensure_ascii=False))
    print(json.dumps({"format": "all", **sc.line("ALL", grand)}, ensure_ascii=False))
