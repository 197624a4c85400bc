"""Build the ninth blind batch's format variants from `src/`: `python luoshi/plans/tests/data/blind9/make_docs.py`.

Plans stored as running text (`src/DOC.txt`) go through `../blind_batch.py` like every earlier batch. A plan whose
stored opening is a task table (`src/DOC.txt` the crawl as stored, `src/DOC.table.json` the same cells read back
into rows by hand: the lines before the table, the table's title, its header and its rows) is built as a city would
upload it:

  DOC.txt       the crawl as stored (cells one per line, with or without "|" separators)
  DOC.flat.txt  the crawl's lines joined by two full-width spaces (line breaks lost)
  DOC.html      a government page: the lines before the table as paragraphs, the title, a real <table>
  DOC.docx      the same as Word paragraphs and a real Word table whose header row repeats on each page
  DOC.pdf       the page printed by Chromium (Playwright, A4, running header, "— N —" page numbers)
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from luoshi.plans.tests.data.blind_batch import PAGE, TABLE_CSS, build, print_pdf
from luoshi.plans.tests.data.docgen import page_furniture, set_font

HERE = Path(__file__).parent


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


def table_pdf(body: str, out: Path) -> None:
    print_pdf(body, out, css=TABLE_CSS)


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
    table_pdf(body, docs / f"{stem}.pdf")


def main() -> None:
    docs = HERE / "docs"
    docs.mkdir(exist_ok=True)
    for src in sorted((HERE / "src").glob("*.txt")):
        spec = src.with_suffix(".table.json")
        if spec.exists():
            build_table_doc(src, spec, docs)
        else:
            build(src, docs)
        print("built", src.stem)


if __name__ == "__main__":
    main()
