"""File readers: .txt, .docx, .pdf, .html, .doc/.wps (through LibreOffice) and ledger .xlsx.

Each returns a `Document`: the text as read and, for formats that have them, the structured tables
(their span in the text and their rows of cells). Bad input raises `ParseError` with a Chinese message.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luoshi.core.safe_files import UnsafeFile, check_upload
from luoshi.core.text import decode_chinese, has_bom

from .errors import ParseError
from .result import ParseResult
from .tables import Cell

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TableSpec = tuple[int, int, list[list[Cell | None]]]


@dataclass
class Document:
    text: str
    format: str
    tables: list[TableSpec] = field(default_factory=list)
    ledger: ParseResult | None = None


class _Builder:
    """Accumulates text lines and tables with their offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.tables: list[TableSpec] = []

    def line(self, s: str) -> tuple[int, int]:
        s = s.replace("\r", "")
        a = self.pos
        self.parts.append(s + "\n")
        self.pos += len(s) + 1
        return a, a + len(s)

    def table(self, rows: list[list[str]], keys: list[list[Any]] | None = None) -> None:
        """Emit a table one cell per line; merged cells (same key) are written once."""
        start = self.pos
        spans: dict[Any, Cell | None] = {}
        out: list[list[Cell | None]] = []
        for r, row in enumerate(rows):
            cells: list[Cell | None] = []
            for c, txt in enumerate(row):
                key = keys[r][c] if keys else (r, c)
                if key in spans:
                    cells.append(spans[key])
                    continue
                txt = txt.strip()
                if not txt:
                    spans[key] = None
                    cells.append(None)
                    continue
                a, b = self.line(txt)
                spans[key] = Cell(a, b)
                cells.append(spans[key])
            out.append(cells)
        if out:
            self.tables.append((start, self.pos, out))

    def text(self) -> str:
        return "".join(self.parts)


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    if not path.exists() or not path.is_file():
        raise ParseError(f"找不到文件:{path}。请检查路径。", code="not_found")
    size = path.stat().st_size
    if size > max_bytes:
        raise ParseError(
            f"文件过大({size / 1024 / 1024:.1f} MB),超过 {max_bytes // 1024 // 1024} MB 的上限。"
            "请只上传方案正文,或把附件拆分后分别上传。",
            code="too_large",
        )
    if size == 0:
        raise ParseError("文件是空的(0 字节)。请确认上传了正确的文件。", code="empty")
    data = path.read_bytes()
    ext = path.suffix.lower().lstrip(".")
    return read_bytes(data, ext, name=path.name)


def read_bytes(data: bytes, ext: str, *, name: str = "") -> Document:
    if not data:
        raise ParseError("文件是空的(0 字节)。请确认上传了正确的文件。", code="empty")
    try:
        check_upload(data, ext)  # decompression bombs and XML floods, before any parser sees the file
    except UnsafeFile as exc:
        raise ParseError(exc.message, code=exc.code) from None
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise ParseError(
                "文件设有密码保护(已加密),无法读取。请在 Word 中取消密码后另存为 .docx 再上传。",
                code="encrypted",
            )
        return read_legacy(data, ext or "doc")
    if data.startswith(b"%PDF"):
        return read_pdf(data)
    if data.startswith(b"PK\x03\x04") or ext in ("docx", "xlsx"):
        if ext == "xlsx" or (data.startswith(b"PK") and b"xl/workbook" in data[:200000]):
            from .ledger import read_ledger_xlsx

            return Document(
                text="", format="xlsx", ledger=read_ledger_xlsx(io.BytesIO(data), source_name=name)
            )
        return read_docx(data)
    if ext in ("pdf",):
        raise ParseError("PDF 文件已损坏或不完整,无法读取。请重新导出或下载后再上传。", code="corrupt")
    if ext in ("doc", "wps"):
        return read_legacy(data, ext)
    text = decode_text(data)
    if ext in ("html", "htm", "shtml", "xhtml") or re.match(
        r"\s*(<!doctype html|<html|<\?xml)", text[:500], re.I
    ):
        return read_html(data)
    return Document(text=unwrap_fixed_width(text.replace("\r\n", "\n").replace("\r", "\n")), format="txt")


# A plain text copied out of a PDF keeps the PDF's line breaks: most of its long lines have one width and end
# inside a sentence ("…加快推动政" + "务服务标准化…"). Such a text is joined like a PDF's lines, a line of that width
# counting as one that runs to the right margin. (Lines of at least _WRAP_MIN characters are judged; the text must
# hold _WRAP_LINES of them at the width, _WRAP_SHARE of its long lines, most ending with no sentence end.)
_WRAP_MIN, _WRAP_LINES, _WRAP_SHARE = 15, 6, 0.6


def unwrap_fixed_width(text: str) -> str:
    from collections import Counter

    lines = text.split("\n")
    long = [len(x.strip()) for x in lines if len(x.strip()) >= _WRAP_MIN]
    if len(long) < _WRAP_LINES:
        return text
    c = Counter(long)
    width = max(c, key=lambda w: (c[w - 1] + c[w] + c[w + 1], w))
    at = [x.strip() for x in lines if abs(len(x.strip()) - width) <= 1 and len(x.strip()) >= _WRAP_MIN]
    open_ended = sum(x[-1] not in _ENDS_PARA for x in at)
    if len(at) < _WRAP_LINES or len(at) < _WRAP_SHARE * len(long) or open_ended * 3 < len(at) * 2:
        return text
    kept = [x for x in lines if x.strip()]
    return join_pdf_lines([kept], [[len(x.strip()) >= width - 1 for x in kept]])


# ---- text ---------------------------------------------------------------------------------------------
def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nul = sample.count(b"\x00")
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return nul > 0 or ctrl / len(sample) > 0.05


def decode_text(data: bytes) -> str:
    if not has_bom(data) and _looks_binary(data):
        raise ParseError(
            "文件不是文本文件(可能是图片、压缩包或其他二进制格式),无法读取。"
            "请上传 .docx、.pdf、.html 或 .txt 格式的方案。",
            code="binary",
        )
    decoded = decode_chinese(data)
    if decoded is not None:
        return decoded[0]
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None or best.encoding is None:
        raise ParseError("无法识别文件的文字编码。请另存为 UTF-8 编码的文本后再上传。", code="encoding")
    enc = best.encoding.lower()
    if enc in ("gb2312", "gbk", "hz", "gb18030"):
        enc = "gb18030"
    return data.decode(enc, errors="replace")


# ---- docx ---------------------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _fmt(n: int, fmt: str) -> str:
    if fmt in (
        "chineseCounting",
        "chineseCountingThousand",
        "ideographTraditional",
        "chineseLegalSimplified",
        "taiwaneseCounting",
        "japaneseCounting",
    ):
        return _cn(n)
    if fmt == "ideographDigital":
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, k = "", n
        for v, s in vals:
            while k >= v:
                out, k = out + s, k - v
        return out if fmt == "lowerRoman" else out.upper()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Recovers Word auto-numbering (numbering.xml) that python-docx drops."""

    def __init__(self, doc: Any) -> None:
        self.levels: dict[
            str, dict[int, tuple[str, str, int]]
        ] = {}  # abstractNumId -> ilvl -> (fmt, text, start)
        self.num_to_abs: dict[str, str] = {}
        self.overrides: dict[tuple[str, int], int] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            part = doc.part.numbering_part
        except (NotImplementedError, KeyError, AttributeError):
            return
        root = part.element
        for an in root.findall(f"{_W}abstractNum"):
            aid = an.get(f"{_W}abstractNumId") or ""
            lv: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(f"{_W}lvl"):
                il = int(lvl.get(f"{_W}ilvl") or 0)
                fmt_el, text_el, start_el = (
                    lvl.find(f"{_W}numFmt"),
                    lvl.find(f"{_W}lvlText"),
                    lvl.find(f"{_W}start"),
                )
                lv[il] = (
                    fmt_el.get(f"{_W}val") if fmt_el is not None else "decimal",
                    text_el.get(f"{_W}val") if text_el is not None else f"%{il + 1}.",
                    int(start_el.get(f"{_W}val") or 1) if start_el is not None else 1,
                )
            self.levels[aid] = lv
        for num in root.findall(f"{_W}num"):
            nid = num.get(f"{_W}numId") or ""
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.num_to_abs[nid] = ref.get(f"{_W}val") or ""
            for ov in num.findall(f"{_W}lvlOverride"):
                so = ov.find(f"{_W}startOverride")
                if so is not None:
                    self.overrides[(nid, int(ov.get(f"{_W}ilvl") or 0))] = int(so.get(f"{_W}val") or 1)

    def label(self, p: Any) -> str:
        ppr = p._p.pPr
        num_pr = ppr.numPr if ppr is not None else None
        if num_pr is None:
            style = p.style
            while style is not None and num_pr is None:
                sp = style.element.pPr
                num_pr = sp.numPr if sp is not None else None
                style = style.base_style
        if num_pr is None or num_pr.numId is None:
            return ""
        nid = str(num_pr.numId.val)
        il = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        aid = self.num_to_abs.get(nid)
        if aid is None or aid not in self.levels:
            return ""
        lv = self.levels[aid]
        ctr = self.counters.setdefault(aid, [0] * 9)
        for k in range(9):
            if ctr[k] == 0 and k < il:
                ctr[k] = self.overrides.get((nid, k), lv.get(k, ("", "", 1))[2])
        if ctr[il] == 0:
            ctr[il] = self.overrides.get((nid, il), lv.get(il, ("", "", 1))[2])
        else:
            ctr[il] += 1
        for k in range(il + 1, 9):
            ctr[k] = 0
        fmt, text, _ = lv.get(il, ("decimal", f"%{il + 1}.", 1))
        if fmt in ("bullet", "none"):
            return ""

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            f = lv.get(k, ("decimal", "", 1))[0]
            return _fmt(ctr[k] or 1, f)

        return re.sub(r"%(\d)", sub, text)


def read_docx(data: bytes) -> Document:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        d = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ParseError(
            "Word 文件已损坏或不完整(可能下载中断),无法打开。请重新保存或下载后再上传。", code="corrupt"
        ) from exc
    except Exception as exc:
        raise ParseError(
            "Word 文件无法解析(格式损坏)。请在 Word 中打开并另存为 .docx 后再上传。", code="corrupt"
        ) from exc
    numbering = _Numbering(d)
    b = _Builder()
    body = d.element.body
    for el in body.iterchildren():
        if el.tag == f"{_W}p":
            p = Paragraph(el, d)
            label = numbering.label(p)
            txt = p.text
            if label and txt.strip():
                b.line(label + txt)
            else:
                b.line(txt)
        elif el.tag == f"{_W}tbl":
            t = Table(el, d)
            rows, keys = [], []
            seen: dict[int, str] = {}  # a merged cell is returned once per row it spans: number it once
            try:
                for row in t.rows:
                    cells = row.cells
                    rows.append([_docx_cell_text(c, numbering, seen) for c in cells])
                    keys.append([c._tc for c in cells])
            except (IndexError, ValueError):
                continue
            b.table(rows, keys)
    text = b.text()
    if not text.strip():
        raise ParseError("Word 文件中没有文字内容(可能只有图片)。请上传含文字的方案。", code="no_text")
    return Document(text=text, format="docx", tables=b.tables)


def _docx_cell_text(c: Any, numbering: _Numbering, seen: dict[int, str]) -> str:
    """A cell's paragraphs with their Word auto-numbering (序号 cells are often numbered by Word)."""
    k = id(c._tc)
    if k not in seen:
        seen[k] = "\n".join(numbering.label(p) + p.text for p in c.paragraphs)
    return seen[k]


# ---- pdf ----------------------------------------------------------------------------------------------
_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－_]+\s*\d+\s*[-—–－_]+|第\s*\d+\s*页(?:\s*[/,,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d{1,4}|[-—–]?\s*[ivxIVX]+\s*[-—–]?)\s*$"
)
_ENDS_PARA = "。;:!?”)》"


def read_pdf(data: bytes) -> Document:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ParseError("服务器缺少 PDF 解析组件(pdfplumber)。请联系管理员。") from exc
    pages: list[list[_PdfLine]] = []
    tables: list[list[list[str | None]]] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > 2000:
                raise ParseError("PDF 页数过多(超过 2000 页)。请只上传方案正文。", code="too_large")
            for page in pdf.pages:
                pages.append(_page_items(page, tables))
    except ParseError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ParseError(
            "PDF 文件设有密码保护(已加密),无法读取。请取消密码后再上传。", code="encrypted"
        ) from exc
    except Exception as exc:
        msg = str(exc).lower()
        if "password" in msg or "encrypt" in msg:
            raise ParseError(
                "PDF 文件设有密码保护(已加密),无法读取。请取消密码后再上传。", code="encrypted"
            ) from exc
        raise ParseError(
            "PDF 文件已损坏或不完整,无法读取。请重新导出或下载后再上传。", code="corrupt"
        ) from exc
    chars = sum(len(ln.text) for p in pages for ln in p) + sum(
        len(c or "") for t in tables for row in t for c in row
    )
    if chars < max(20, 10 * len(pages)):
        raise ParseError(
            "PDF 中没有可提取的文字(可能是扫描件或图片)。请上传带文字层的 PDF 或 Word 原件,"
            "或先做文字识别(OCR)。",
            code="no_text",
        )
    _merge_page_tables(pages, tables)
    # a line is "full" (wrapped at the right margin) when it ends within ~2.5 characters of the margin: a
    # ragged right edge (a web page printed to PDF) breaks a line early to keep "、" or "”" off the next
    ends = sorted(ln.x1 for p in pages for ln in p if ln.x1 is not None)
    # (a page of a few text lines, a table filling the rest: its right margin is its widest line)
    right = (ends[int(0.98 * (len(ends) - 1))] if len(ends) >= 10 else ends[-1]) if ends else 0.0
    full = [[ln.x1 is not None and ln.x1 >= right - 2.5 * ln.char_w for ln in p] for p in pages]
    joined = join_pdf_lines([[ln.text for ln in p] for p in pages], full)
    b = _Builder()
    for line in joined.splitlines():
        m = _TABLE_MARK.fullmatch(line)
        if m:
            b.table([[c or "" for c in row] for row in tables[int(m.group(1))]])
        else:
            b.line(line)
    return Document(text=b.text(), format="pdf", tables=b.tables)


# pdfminer puts a space where the font changes between CJK text and Latin digits ("2025 年 6 月"): drop it.
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]) (?=[0-9A-Za-z%])|"
    r"(?<=[0-9A-Za-z%]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])"
)
_TABLE_MARK = re.compile("\x00T(\\d+)\x00")


@dataclass
class _PdfLine:
    text: str
    x1: float | None = None  # right end, None for a table placeholder
    char_w: float = 10.0


def _page_items(page: Any, tables: list[list[list[str | None]]]) -> list[_PdfLine]:
    """A page's text lines and tables (as placeholder lines "\\x00T<n>\\x00"), top to bottom.

    A table that continues a table ending the previous page (same columns) is merged into it: a repeated
    header row is dropped and a row broken over the page break is joined to the row it continues.
    """
    try:
        found = [t for t in page.find_tables() if len(t.rows) >= 2 and len(t.rows[0].cells) >= 2]
    except (AttributeError, TypeError, ValueError, IndexError):
        found = []
    boxes = [t.bbox for t in found]

    def outside(obj: dict[str, Any]) -> bool:
        # by the object's centre: a heading just under a table's bottom border stays text
        if "top" not in obj or "x0" not in obj:
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    rest = page.filter(outside) if boxes else page
    try:
        rows = rest.extract_text_lines(return_chars=False)
    except (AttributeError, TypeError, ValueError):
        rows = [
            {"text": x, "x0": 0.0, "x1": None, "top": 0.0} for x in (rest.extract_text() or "").splitlines()
        ]
    items: list[tuple[float, _PdfLine]] = []
    for r in rows:
        text = _CJK_GAP.sub("", str(r["text"]))
        if not text.strip():
            continue
        x1 = None if r["x1"] is None else float(r["x1"])
        w = ((x1 or 0.0) - float(r["x0"])) / max(1, len(text.replace(" ", "")))
        items.append((float(r["top"]), _PdfLine(text, x1, w if x1 is not None else 10.0)))
    for t in found:
        grid = [[_pdf_cell(c) for c in row] for row in t.extract()]
        items.append((float(t.bbox[1]), _PdfLine(f"\x00T{len(tables)}\x00")))
        tables.append(grid)
    items.sort(key=lambda it: it[0])
    return [ln for _, ln in items]


def _table_at(lines: list[_PdfLine], k: int) -> int | None:
    m = _TABLE_MARK.fullmatch(lines[k].text) if 0 <= k < len(lines) and lines[k].x1 is None else None
    return int(m.group(1)) if m else None


def _merge_page_tables(pages: list[list[_PdfLine]], tables: list[list[list[str | None]]]) -> None:
    """A table at the top of a page that continues the table ending the previous page becomes part of it
    (at most two lines, a running header, may stand before it; a page number after the first)."""
    open_idx: int | None = None
    for lines in pages:
        first = next((k for k in range(min(3, len(lines))) if _table_at(lines, k) is not None), None)
        if first is not None and open_idx is not None:
            cur = _table_at(lines, first)
            assert cur is not None
            if _continue_table(tables[open_idx], tables[cur]):
                lines[first] = _PdfLine(text="", x1=0.0)  # dropped below
        tail = [k for k in range(max(0, len(lines) - 3), len(lines)) if _table_at(lines, k) is not None]
        if tail:
            open_idx = _table_at(lines, tail[-1])
        elif not (first is not None and lines[first].text == "" and len(lines) <= first + 3):
            open_idx = None
        lines[:] = [ln for ln in lines if ln.text]


def _pdf_cell(text: str | None) -> str | None:
    """A cell's lines, joined where the cell wrapped them ("区市场监\\n管局、区\\n税务局" → one line)."""
    if text is None:
        return None
    lines = [_CJK_GAP.sub("", x.strip()) for x in text.split("\n") if x.strip()]
    out = ""
    for x in lines:
        if out and (out[-1] in "。;;!?" or re.match(r"\d+[.、](?!\d)|[一二三四五六七八九十]+、", x)):
            out += "\n"
        out += x
    return out


def _continue_table(prev: list[list[str | None]], cur: list[list[str | None]]) -> bool:
    """Append `cur` (the part of a table on the next page) to `prev` when it has the same columns."""
    from .tables import header_role

    if not prev or not cur or len(prev[0]) != len(cur[0]):
        return False
    header = [re.sub(r"\s+", "", c or "") for c in prev[0]]
    rows = cur[1:] if [re.sub(r"\s+", "", c or "") for c in cur[0]] == header else cur
    seq_cols = [i for i, h in enumerate(header) if header_role(h) == "seq"]
    if rows:
        first = rows[0]
        filled = [i for i, c in enumerate(first) if c]
        broken = (seq_cols and all(not first[i] for i in seq_cols) and filled) or (
            not seq_cols and 0 < len(filled) < len(header) / 2
        )
        if broken and len(prev) > 1:
            last = prev[-1]
            for i, c in enumerate(first):
                if c:
                    last[i] = (last[i] or "") + c
            rows = rows[1:]
    prev.extend(rows)
    return True


def _open(line: str) -> bool:
    """A line that leaves a bracket open goes on in the next ("(市财政局,各县" + "〔市、区〕政府)": a bracket may not
    end a line, so the line breaks early)."""
    return sum(map(line.count, "(（[［〔【")) > sum(map(line.count, ")）]］〕】"))


def join_pdf_lines(pages: list[list[str]], full: list[list[bool]] | None = None) -> str:
    """Drop running headers/footers and page numbers; join lines broken inside sentences.

    `full` tells, per line, whether it runs to the right margin (from the reader's coordinates); without it
    a line counts as full when it is nearly as long as the longest line.
    """
    from collections import Counter

    from .normalize import fold_radicals, normalize
    from .structure import match_marker
    from .units import LABEL_LINE

    def key(s: str) -> str:
        return re.sub(r"\d+", "#", s.strip())

    # A running header or footer sits at the edge of most pages and never in the middle of one.
    edge: Counter[str] = Counter()
    middle: Counter[str] = Counter()
    for p in pages:
        idx = [i for i, x in enumerate(p) if x.strip()]
        ends = set(idx[:2] + idx[-2:])
        edge.update({key(p[i]) for i in ends})
        middle.update(key(p[i]) for i in idx if i not in ends)
    running = {
        k
        for k, c in edge.items()
        if (len(pages) >= 3 and c >= max(3, len(pages) // 2) and middle[k] <= c // 10)
        or (len(pages) == 2 and c == 2 and middle[k] == 0 and len(k) >= 4)  # a two-page file's header
    }
    lines: list[tuple[str, bool]] = []
    for n, p in enumerate(pages):
        idx = [i for i, x in enumerate(p) if x.strip()]
        ends = set(idx[:2] + idx[-2:])
        for i in idx:
            s = p[i].strip()
            if i in ends and (key(s) in running or _PAGE_NO.match(s)):
                continue
            lines.append((s, bool(full[n][i]) if full is not None and i < len(full[n]) else False))
    width = max((len(x) for x, _ in lines), default=0)
    out: list[str] = []
    prev_full = False
    for s, is_full in lines:
        if out:
            prev = out[-1]
            wrapped = prev_full if full is not None else len(prev) >= 0.85 * width
            mk = match_marker(fold_radicals(s), 0, len(s))  # "⼀、" (a Kangxi radical) is "一、"
            # "0.5个工作日" at the start of a wrapped line is a number, not a "1.1" heading
            heading = mk is not None and not (mk[0] == "dec2" and wrapped)
            starts_new = heading or LABEL_LINE.match(normalize(s)) is not None or s.startswith("\x00")
            # a closing quote or title mark at the right margin closes a phrase, not the paragraph ("…“名特优新”" +
            # "分类标准…", "…的通知》" + "(江府函〔2017〕200号)规定的…")
            quote_wrap = wrapped and prev[-1] in "”》" and prev[-2:-1] not in _ENDS_PARA
            # ")" closing an inner bracket while an outer one stays open ("[责任单位:…,各市(区)" + "政府,…]")
            inner = prev[-1] in ")）" and _open(prev)
            closed = prev[-1] in _ENDS_PARA and not quote_wrap and not inner
            if not starts_new and not closed and (wrapped or prev[-1] in ",、(“《" or _open(prev)):
                out[-1] = prev + s
                prev_full = is_full
                continue
        out.append(s)
        prev_full = is_full
    return "\n".join(out) + "\n"


# ---- html ---------------------------------------------------------------------------------------------
_BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "ul",
    "ol",
    "dd",
    "dt",
    "blockquote",
    "pre",
    "center",
    "font",
}
_DROP = {
    "script",
    "style",
    "noscript",
    "iframe",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "select",
    "button",
    "input",
    "textarea",
    "svg",
    "head",
    "object",
    "embed",
}
_NOISE = re.compile(
    r"nav|menu|header|footer|breadcrumb|crumb|sidebar|share|toolbar|login|search|banner|copyright|"
    r"related|friend|link|location|pager|print|close",
    re.I,
)
_CONTENT = re.compile(r"content|article|zoom|TRS_Editor|TRS_UEDITOR|main|detail|view|text|zw|body|con", re.I)


def _html_encoding(data: bytes) -> str | None:
    head = data[:8192].decode("ascii", errors="ignore")
    m = re.search(r"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", head, re.I) or re.search(
        r"""<\?xml[^>]+encoding\s*=\s*["']([\w-]+)""", head, re.I
    )
    if not m:
        return None
    enc = m.group(1).lower()
    return "gb18030" if enc in ("gb2312", "gbk", "gb_2312-80", "x-gbk", "gb18030") else enc


def read_html(data: bytes) -> Document:
    import lxml.html

    enc = _html_encoding(data)
    text: str
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif enc:
        try:
            text = data.decode(enc, errors="replace")
        except LookupError:
            text = decode_text(data)
    else:
        text = decode_text(data)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:
        raise ParseError(
            "网页文件无法解析。请用浏览器“另存为网页(仅 HTML)”后再上传。", code="corrupt"
        ) from exc
    for el in list(root.iter(*_DROP)):
        if el.getparent() is not None:
            el.drop_tree()  # type: ignore[attr-defined]
    for el in list(root.iter("div", "ul", "td", "section", "span", "p")):
        attrs = f"{el.get('id', '')} {el.get('class', '')}"
        if _NOISE.search(attrs) and not _CONTENT.search(attrs) and el.getparent() is not None:
            el.drop_tree()  # type: ignore[attr-defined]
    main = _main_content(root)
    b = _Builder()
    _emit(main, b)
    out = b.text()
    if not out.strip():
        raise ParseError("网页中没有找到正文内容。请确认保存的是方案正文页面。", code="no_text")
    return Document(text=out, format="html", tables=b.tables)


def _text_len(el: Any) -> int:
    return len(re.sub(r"\s+", "", el.text_content() or ""))


def _main_content(root: Any) -> Any:
    best, best_score = root.body if root.body is not None else root, 0.0
    total = _text_len(best) or 1
    for el in root.iter("div", "article", "section", "td", "main"):
        n = _text_len(el)
        if n < 200:
            continue
        links = sum(_text_len(a) for a in el.iter("a"))
        attrs = f"{el.get('id', '')} {el.get('class', '')}"
        bonus = 1.3 if _CONTENT.search(attrs) else 1.0
        score = (n - 3 * links) * bonus
        # prefer the deepest element holding most of the page's text
        if (score > best_score * 1.0 and n >= 0.3 * total) or (
            score >= best_score * 0.85 and n >= 0.3 * total and best in el.iterancestors()
        ):
            best, best_score = el, score
    return best


def _emit(el: Any, b: _Builder) -> None:
    buf: list[str] = []

    def flush() -> None:
        s = "".join(buf)
        buf.clear()
        for ln in s.split("\n"):
            if ln.strip():
                b.line(ln.strip())

    def walk(e: Any) -> None:
        tag = e.tag if isinstance(e.tag, str) else ""
        if tag == "table" and not _layout_table(e):
            flush()
            rows, keys = _html_table(e)
            if rows:
                b.table(rows, keys)
            if e.tail:
                buf.append(e.tail)
            return
        if tag in _BLOCK or tag in ("td", "th"):
            buf.append("\n")
        if e.text and tag:
            buf.append(e.text)
        for ch in e:
            walk(ch)
        if tag in _BLOCK or tag in ("td", "th"):
            buf.append("\n")
        if e.tail:
            buf.append(e.tail)

    walk(el)
    flush()


def _layout_table(t: Any) -> bool:
    """A table that lays out the page (old government sites put the whole article in one) rather than a
    table of data: it holds another table, has a single column, or a cell holding a whole article."""
    if any(True for _ in t.iterdescendants("table")):
        return True
    rows = [tr for tr in t.iter("tr") if next(tr.iterancestors("table"), None) is t]
    if not rows or max(sum(1 for td in tr if td.tag in ("td", "th")) for tr in rows) <= 1:
        return True
    return any(_text_len(td) > 600 for tr in rows for td in tr if td.tag in ("td", "th"))


def _html_table(t: Any) -> tuple[list[list[str]], list[list[Any]]]:
    grid: dict[tuple[int, int], tuple[str, Any]] = {}
    r = 0
    for tr in t.iter("tr"):
        if next((a for a in tr.iterancestors("table")), None) is not t:
            continue
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            try:
                rs = max(1, min(int(td.get("rowspan", 1) or 1), 500))
                cs = max(1, min(int(td.get("colspan", 1) or 1), 50))
            except ValueError:
                rs, cs = 1, 1
            parts = []
            for line in re.split(r"\n", _cell_text(td)):
                if line.strip():
                    parts.append(line.strip())
            txt = "\n".join(parts)
            key = td
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = (txt, key)
            c += cs
        r += 1
    if not grid:
        return [], []
    nrows = max(k[0] for k in grid) + 1
    ncols = max(k[1] for k in grid) + 1
    rows = [[grid.get((i, j), ("", None))[0] for j in range(ncols)] for i in range(nrows)]
    keys = [[_key(grid.get((i, j)), (i, j)) for j in range(ncols)] for i in range(nrows)]
    return rows, keys


def _key(cell: tuple[str, Any] | None, pos: tuple[int, int]) -> Any:
    return cell[1] if cell is not None and cell[1] is not None else pos


def _cell_text(td: Any) -> str:
    out: list[str] = []

    def walk(e: Any) -> None:
        tag = e.tag if isinstance(e.tag, str) else ""
        if tag in ("p", "div", "br", "li"):
            out.append("\n")
        if e.text and tag:
            out.append(e.text)
        for ch in e:
            walk(ch)
        if e.tail and e is not td:
            out.append(e.tail)

    walk(td)
    return re.sub(r"[ \t\u3000]+", " ", "".join(out))


# ---- .doc / .wps --------------------------------------------------------------------------------------
def read_legacy(data: bytes, ext: str) -> Document:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise ParseError(
            f"读取 .{ext} 文件需要在服务器上安装 LibreOffice(soffice),当前未安装。"
            "请在 Word/WPS 中另存为 .docx 后再上传。",
            code="needs_libreoffice",
        )
    with tempfile.TemporaryDirectory(prefix="luoshi-conv-") as tmp:
        src = Path(tmp) / f"input.{ext}"
        src.write_bytes(data)
        try:
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--norestore",
                    f"-env:UserInstallation=file://{tmp}/profile",
                    "--convert-to",
                    "docx",
                    "--outdir",
                    tmp,
                    str(src),
                ],
                check=False,
                capture_output=True,
                timeout=180,
            )
        except subprocess.TimeoutExpired as exc:
            raise ParseError(
                f".{ext} 文件转换超时。请在 Word/WPS 中另存为 .docx 后再上传。", code="timeout"
            ) from exc
        out = Path(tmp) / "input.docx"
        if not out.exists():
            raise ParseError(
                f".{ext} 文件无法转换(可能已损坏或设有密码)。请在 Word/WPS 中另存为 .docx 后再上传。",
                code="corrupt",
            )
        doc = read_docx(out.read_bytes())
    doc.format = ext
    return doc
