"""Build the fifth blind batch's format variants from `src/`: `python luoshi/plans/tests/data/blind5/make_docs.py`.

Plans stored as running text (`src/DOC.txt`) go through `../blind_batch.py` like every earlier batch. A plan whose
opening is a task table (`src/DOC.txt` is the crawl, cells one per line between "|" separators, as stored, and
`src/DOC.table.json` the same rows read back into columns by hand) is built as a city would upload it:

  DOC.txt       the crawl as stored (flattened cells, "|" separators)
  DOC.flat.txt  the crawl's lines joined by two full-width spaces (line breaks lost)
  DOC.html      a government page whose body is the covering notice and a real <table> (header row, a group row
                spanning the table, 序号/项目 cells spanning their rows)
  DOC.docx      the notice as paragraphs, then a real Word table: a repeated-on-each-page header row (tblHeader),
                the group row merged across all columns, 序号 and 项目 merged down their rows, 牵头领导 merged
                where the crawl leaves the cell empty
  DOC.pdf       that page printed by Chromium (Playwright, A4, running header, "— N —" page numbers)
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
    page_furniture(doc, "苏州市吴江区人民政府文件")
    for line in spec["before"]:
        doc.add_paragraph(line)
    n_rows = 1 + sum(1 + len(g["rows"]) for g in spec["groups"])
    table = doc.add_table(rows=n_rows, cols=len(spec["header"]))
    table.style = "Table Grid"
    head = table.rows[0]
    for cell, text in zip(head.cells, spec["header"], strict=True):
        cell.text = text
    trpr = head._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    trpr.append(flag)
    r = 1
    for group in spec["groups"]:
        row = table.rows[r]
        merged = row.cells[0].merge(row.cells[-1])
        merged.text = group["title"]
        first = r + 1
        last = r + len(group["rows"])
        for i, item in enumerate(group["rows"]):
            cells = table.rows[first + i].cells
            cells[2].text = item["task"]
            cells[4].text = item["units"]
            if item["leader"] is not None:
                cells[3].text = ""
                for k, part in enumerate(item["leader"].split("\n")):
                    if k == 0:
                        cells[3].paragraphs[0].text = part
                    else:
                        cells[3].add_paragraph(part)
        # merge the leader column where the crawl leaves it empty (the cell above continues)
        top = None
        for i, item in enumerate(group["rows"]):
            if item["leader"] is not None:
                top = first + i
            elif top is not None:
                a = table.cell(top, 3)
                a.merge(table.cell(first + i, 3))
        num = table.cell(first, 0).merge(table.cell(last, 0))
        num.text = group["number"]
        name = table.cell(first, 1).merge(table.cell(last, 1))
        name.text = group["item"]
        r = last + 1
    doc.save(str(out))


def table_html(spec: dict) -> str:  # type: ignore[type-arg]
    parts = [f"<p>　　{html.escape(line)}</p>" for line in spec["before"]]
    parts.append('<table border="1" cellspacing="0">')
    parts.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in spec["header"]) + "</tr>")
    for group in spec["groups"]:
        parts.append(f'<tr><td colspan="{len(spec["header"])}">{html.escape(group["title"])}</td></tr>')
        n = len(group["rows"])
        spans = []
        for i, item in enumerate(group["rows"]):
            if item["leader"] is not None:
                j = i + 1
                while j < n and group["rows"][j]["leader"] is None:
                    j += 1
                spans.append(j - i)
            else:
                spans.append(0)
        for i, item in enumerate(group["rows"]):
            cells = []
            if i == 0:
                cells.append(f'<td rowspan="{n}">{html.escape(group["number"])}</td>')
                cells.append(f'<td rowspan="{n}">{html.escape(group["item"])}</td>')
            cells.append(f"<td>{html.escape(item['task'])}</td>")
            if spans[i]:
                leader = "<br>".join(html.escape(p) for p in item["leader"].split("\n"))
                cells.append(f'<td rowspan="{spans[i]}">{leader}</td>')
            elif not any(spans[:i]):
                cells.append("<td></td>")  # no leader above to continue
            cells.append(f"<td>{html.escape(item['units'])}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table>")
    return "\n".join(parts)


def table_pdf(body: str, out: Path) -> None:
    print_pdf(body, out, css=TABLE_CSS, header="苏州市吴江区人民政府文件")


def build_table_doc(src: Path, spec_path: Path, docs: Path) -> None:
    stem = src.stem
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    crawl = src.read_text(encoding="utf-8")
    (docs / f"{stem}.txt").write_text(crawl, encoding="utf-8")
    lines = [ln.strip() for ln in crawl.splitlines() if ln.strip()]
    (docs / f"{stem}.flat.txt").write_text("　　".join(lines) + "\n", encoding="utf-8")
    body = table_html(spec)
    (docs / f"{stem}.html").write_text(PAGE.format(title=html.escape(spec["before"][5]), body=body), encoding="utf-8")
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
