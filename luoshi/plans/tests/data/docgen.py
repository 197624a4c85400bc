"""Helpers the fixture scripts share to build real-format plan documents: a CJK body font, a running header with
"— N —" page numbers, and a PDF made by LibreOffice (skipped with a note where soffice is missing)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt


def set_font(doc, size: float) -> None:  # type: ignore[no-untyped-def]
    style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.font.name = "Noto Serif CJK SC"
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")


def page_furniture(doc, header: str) -> None:  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    section.header.paragraphs[0].text = header
    fp = section.footer.paragraphs[0]
    fp.add_run("— ")
    fp._p.append(
        parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    )
    fp.add_run(" —")


def soffice_pdf(docx_path: Path, out: Path) -> None:
    soffice = shutil.which("soffice")
    if not soffice:
        print(f"soffice not found: {out.name} not regenerated")
        return
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{tmp}/p",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(docx_path),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        shutil.copy(Path(tmp) / (docx_path.stem + ".pdf"), out)
