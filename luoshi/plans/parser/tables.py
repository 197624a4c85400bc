"""Task tables: a table whose rows are measures (专项行动/重点任务/序号/细化举措/牵头单位/责任单位/完成时限).

Two sources: structured tables read from .docx/.html (rows of cells, merged cells repeated, "同上"), and
tables flattened into text one cell per line (as pasted from a web page). Both end as `TableRow`s.
Repeated header rows are skipped; unit cells wrapped over several lines are joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .rules import Rule, ex
from .units import is_unit_list

ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("other", re.compile(r"领导|负责人|联系人|联系电话|联络员")),  # 牵头领导 names a person, not a unit
    ("seq", re.compile(r"^(序号|编号|序)$")),
    ("lead", re.compile(r"牵头|主责")),
    # "负责科室" / "责任科室": a bureau's own sections as the responsible column (blind batch 10, j05)
    (
        "co",
        re.compile(
            r"责任单位|责任部门|配合|协同|协办|参与单位|责任主体|实施单位|承办单位|落实单位|"
            r"负责单位|负责部门|负责科室|责任科室|负责处室"
        ),
    ),
    ("time", re.compile(r"时限|完成时间|时间进度|进度安排|期限|时间节点|时间安排|完成日期")),
    ("content", re.compile(r"细化|具体|举措|措施|任务内容|工作内容|主要内容|改革内容|内容|要求")),
    (
        "group",
        re.compile(
            r"专项行动|重点任务|主要任务|工作任务|任务|领域|类别|行动|板块|方向|重点工作|事项|项目|指标"
        ),
    ),
    ("other", re.compile(r"目标|成效|备注|说明|成果|形式|依据")),
]


_WS = re.compile(r"\s+")
_PERSON_HEADER = re.compile(r"领导|负责人|联系人")
_PERSON_CELL = re.compile(r"[\u4e00-\u9fff]{2,4}")
_NOT_HEADER = re.compile(r"^[一二三四五六七八九十]+、|^\(|\d|[“”、,。:;]")
_APPENDIX_LINE = re.compile(r"^附件\s*\d*\s*[::]?")


@lru_cache(maxsize=8192)
def header_role(s: str) -> str | None:
    s = _WS.sub("", s)
    if not s or len(s) > 10 or _NOT_HEADER.search(s):
        return None
    for role, rx in ROLE_PATTERNS:
        if rx.search(s):
            return role
    return None


def assign_roles(headers: list[str]) -> list[str] | None:
    roles = [header_role(h) or "other" for h in headers]
    if "content" not in roles:
        groups = [i for i, r in enumerate(roles) if r == "group"]
        if not groups:
            return None
        roles[groups[-1]] = "content"
    if roles.count("content") > 1:
        first = roles.index("content")
        roles = [r if r != "content" or i == first else "other" for i, r in enumerate(roles)]
    if "lead" not in roles and "co" not in roles:
        return None
    return roles


@dataclass
class Cell:
    start: int
    end: int


@dataclass
class TableRow:
    groups: list[Cell | None]
    content: Cell
    lead: list[Cell] = field(default_factory=list)
    co: list[Cell] = field(default_factory=list)
    time: Cell | None = None
    seq: str = ""
    lead_col: bool = True  # the table has a separate 牵头 column


@dataclass
class TableRegion:
    start: int
    end: int
    rows: list[TableRow]
    flat: bool = False  # recovered from cells flattened one per line (its header read from the text)


def _is_time(s: str) -> bool:
    return (
        bool(re.search(r"\d{4}\s*年|\d{1,2}\s*月|年底|年内|季度|半年|长期|持续|常态|全年|期间|底前|同步", s))
        and len(s) <= 40
    )


def _is_seq(s: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}[.、]?", s))


# A crawl may close each cell with a "|" on the cell's own line ("序号 |", "招商工作部、安商工作部 |"): the sign
# only draws the border. A run of such lines starting with a header has it trimmed before the table is read.
_CELL_PIPE = re.compile(r"[^|]+?\s*\|\s*$")  # matched from a line's start to its end
_CELL_PIPE_MIN = 6  # a header of at least three cells and a row


def _trim_cell_pipes(norm: str, lines: list) -> None:  # type: ignore[type-arg]
    if "|" not in norm:
        return
    cand = [k for k, ln in enumerate(lines) if norm[ln.end - 1] == "|" and _CELL_PIPE.match(norm, ln.start, ln.end)]
    q = 0
    while q < len(cand):
        r = q  # a run of consecutive lines cand[q] … cand[r - 1]
        while r < len(cand) and cand[r] - cand[q] == r - q:
            r += 1
        run = [lines[k] for k in cand[q:r]]
        heads = [norm[ln.start : ln.end].rstrip(" |") for ln in run[:3]]
        if len(run) >= _CELL_PIPE_MIN and all(header_role(h) for h in heads):
            for ln in run:
                ln.end = ln.start + len(norm[ln.start : ln.end].rstrip(" |"))
        q = r


def find_flat_tables(norm: str, lines: list) -> list[TableRegion]:  # type: ignore[type-arg]
    """Find task tables flattened one cell per line. Marks their lines `in_table`."""
    regions: list[TableRegion] = []
    _trim_cell_pipes(norm, lines)
    n = len(lines)
    i = 0
    while i < n:
        # a header: >= 3 consecutive short lines that are column titles
        j = i
        heads: list[str] = []
        while j < n and header_role(norm[lines[j].start : lines[j].end]) is not None:
            if re.sub(r"\s+", "", norm[lines[j].start : lines[j].end]) in heads:
                break
            heads.append(re.sub(r"\s+", "", norm[lines[j].start : lines[j].end]))
            j += 1
        roles = assign_roles(heads) if len(heads) >= 3 else None
        if not roles:
            i = max(j, i + 1)
            continue
        rows, end_idx = _parse_flat_rows(norm, lines, j, heads, roles)
        # a numbered header and one row that the text ends with (a crawl cut after its first row) is a table too
        if len(rows) >= 2 or (rows and "seq" in roles and end_idx == n):
            for k in range(i, end_idx):
                lines[k].in_table = True
            regions.append(TableRegion(lines[i].start, lines[end_idx - 1].end, rows, flat=True))
            i = end_idx
        else:
            i = j
    return regions


class _FlatRows:
    """Rows of a task table flattened one cell per line, read line by line after its header: a serial number
    (or a long line) starts a row, its content may wrap, then unit and time cells follow; short lines in
    between are group cells (merged cells repeat their text); a repeated header row is skipped."""

    def __init__(self, norm: str, lines: list, j: int, heads: list[str], roles: list[str]) -> None:  # type: ignore[type-arg]
        self.norm, self.lines, self.heads = norm, lines, heads
        self.has_seq = "seq" in roles
        content_idx = roles.index("content")
        self.group_n = sum(1 for r in roles[:content_idx] if r == "group")
        self.unit_roles = [r for r in roles if r in ("lead", "co")]
        self.lead_col = "lead" in roles
        # a 责任领导 / 牵头领导 column after the task: its cells are a person's name ("叶林", "钱 宇")
        self.person_col = any(
            r == "other" and _PERSON_HEADER.search(h) for r, h in zip(roles[content_idx:], heads[content_idx:], strict=True)
        )
        self.groups: list[Cell | None] = [None] * self.group_n
        self.rows: list[TableRow] = []
        self.cur: TableRow | None = None
        self.state = "pre"
        self.pending = 0
        self.k = self.last_ok = j

    def text(self, k: int) -> str:
        return self.norm[self.lines[k].start : self.lines[k].end].strip()

    def run(self) -> tuple[list[TableRow], int]:
        n = len(self.lines)
        while self.k < n:
            t = self.text(self.k)
            if self._repeated_header():
                continue
            if _APPENDIX_LINE.match(t) and self.state != "content":
                break
            if self._line(t) is False:
                break
        return self.rows, self.last_ok

    def _advance(self, by: int = 1) -> bool:
        self.k += by
        self.last_ok = self.k
        return True

    def _repeated_header(self) -> bool:
        k, heads, n = self.k, self.heads, len(self.lines)
        if _WS.sub("", self.text(k)) != heads[0] or k + len(heads) > n:
            return False
        if all(_WS.sub("", self.text(k + q)) == heads[q] for q in range(len(heads))):
            return self._advance(len(heads))
        return False

    def _new_row(self, content: Cell, seq: str = "") -> None:
        self.cur = TableRow(groups=list(self.groups), content=content, seq=seq, lead_col=self.lead_col)
        self.rows.append(self.cur)
        self.state = "content"

    def _line(self, t: str) -> bool:
        """Read one line; False when the table has ended."""
        ln = self.lines[self.k]
        if self.has_seq and _is_seq(t):
            self._new_row(Cell(0, 0), t.rstrip(".、"))
            self.pending = 0
            return self._advance()
        if self.state == "content" and self.cur is not None and self._content(t, ln):
            return self._advance()
        if self.state == "cells" and self.cur is not None:
            if self._cell(t, ln):
                return self._advance()
            self.state = "pre"
        if not self.has_seq and self.state in ("pre", "cells") and (len(t) > 30 or re.search(r"[,。;]", t)):
            self._new_row(Cell(ln.start, ln.end))
            return self._advance()
        self.pending += 1
        if self.pending > self.group_n + 3 or len(t) > 60:
            return False
        self._group(t, ln)
        return self._advance()

    def _content(self, t: str, ln: Any) -> bool:
        cur = self.cur
        assert cur is not None
        if cur.content.end == 0:
            cur.content = Cell(ln.start, ln.end)
            return True
        if t == "同上" or is_unit_list(t) or _is_time(t) or self._person(t):
            self.state = "cells"
            return False
        cur.content = Cell(cur.content.start, ln.end)  # wrapped content
        return True

    def _person(self, t: str) -> bool:
        return self.person_col and bool(_PERSON_CELL.fullmatch(_WS.sub("", t)))

    def _cell(self, t: str, ln: Any) -> bool:
        cur = self.cur
        assert cur is not None
        if t == "同上":
            prev = self.rows[-2] if len(self.rows) >= 2 else None
            filled = len(cur.lead) + len(cur.co)
            if prev is not None:
                src = prev.lead if filled == 0 else prev.co
                (cur.lead if filled == 0 else cur.co).extend(src)
            return True
        if is_unit_list(t) or (t.endswith("、") and is_unit_list(t.rstrip("、"))):
            self._unit_cell(ln)
            return True
        if _is_time(t):
            cur.time = Cell(ln.start, ln.end)
            return True
        return self._person(t)  # the leader's name: no unit

    def _unit_cell(self, ln: Any) -> None:
        cur = self.cur
        assert cur is not None
        prev_line = self.text(self.k - 1)
        if prev_line.endswith(("、", ",")) and (cur.lead or cur.co):
            lst = cur.co if cur.co else cur.lead
            lst[-1] = Cell(lst[-1].start, ln.end)  # a unit cell wrapped over lines
        elif not cur.lead:
            cur.lead.append(Cell(ln.start, ln.end))
        elif len(self.unit_roles) >= 2 and not cur.co:
            cur.co.append(Cell(ln.start, ln.end))
        else:
            (cur.co if len(self.unit_roles) >= 2 else cur.lead).append(Cell(ln.start, ln.end))

    def _group(self, t: str, ln: Any) -> None:
        """A group cell (merged cells repeat their text)."""
        if not self.group_n:
            return
        cell = Cell(ln.start, ln.end)
        known = [self.norm[g.start : g.end].strip() if g else None for g in self.groups]
        if t in known:
            return
        if self.group_n >= 2 and _SECTION.match(t):
            self.groups = [cell] + [None] * (self.group_n - 1)
        elif self.group_n >= 2 and self.groups[0] is None:
            self.groups[0] = cell
        else:
            self.groups[-1] = cell


def _parse_flat_rows(norm: str, lines: list, j: int, heads: list[str], roles: list[str]):  # type: ignore[no-untyped-def,type-arg]
    return _FlatRows(norm, lines, j, heads, roles).run()


_SECTION = re.compile(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十\d]+)")


def _table_header(table: list[list[Cell | None]], txt: Any) -> tuple[int, list[str]] | None:
    for i, row in enumerate(table[:5]):
        r = assign_roles([txt(c) for c in row])
        if r and sum(1 for c in row if header_role(txt(c))) >= 3:
            return i, r
    return None


def _is_section_row(texts: list[str], content_idx: int, group_cols: list[int]) -> bool:
    """One cell across the row: a section of the table ("一、提升政务服务效能")."""
    filled = [i for i, t in enumerate(texts) if t]
    spanning = len(filled) >= 2 and len({texts[i] for i in filled}) == 1  # merged across (docx, html)
    single = (
        len(filled) == 1
        and len(texts) >= 3
        and (filled[0] not in (content_idx, *group_cols) or bool(_SECTION.match(texts[filled[0]])))
    )  # merged across, read from a PDF: the text in one cell, the others empty
    return len(group_cols) < 2 and (spanning or single)


def _group_row(texts: list[str], content_idx: int, group_cols: list[int]) -> bool:
    """A full-width group row ("一、助企专项行动") or a row with only group cells."""
    distinct = {t for t in texts if t}
    return (len(distinct) == 1 and len([t for t in texts if t]) >= 2) or (
        not texts[content_idx] and any(texts[g] for g in group_cols)
    )


# A numbered task group inside a table's section: a short heading in the task cell, no unit, date or person cell,
# while the next row has units ("1 | 大力提振消费。 | ||" over "(8) | 统筹衔接消费券发放… | 市商务局 | …"); it heads
# the rows below it (their path) until the next section or group row, and is no measure of its own.
# Example: blind batch 9, i03.
SUBGROUP_ROW_RULE = Rule(
    "table:numbered task group row",
    re.compile(r"[^,，;；:：\d]{1,20}"),  # the task cell: a short heading, one clause, no figure
    how="fullmatch",
    examples=(
        ex("大力提振消费。", True),
        ex("统筹衔接消费券发放与消费品以旧换新行动,推动汽车消费转型升级。", False),
        ex("地区生产总值增长6%以上。", False),
    ),
    note="a row with a short task cell and no unit or date cell, over rows with units, heads the rows below it",
)
_UNIT_ROLES = ("lead", "co", "time")


def _has_units(texts: list[str], roles: list[str]) -> bool:
    return any(t for t, r in zip(texts, roles, strict=False) if r in _UNIT_ROLES)


def _subgroup_row(texts: list[str], roles: list[str], content_idx: int, nxt: list[str] | None) -> bool:
    return (
        "lead" in roles
        and SUBGROUP_ROW_RULE.pattern.fullmatch(texts[content_idx]) is not None
        and not _has_units(texts, roles)
        and nxt is not None
        and bool(nxt[content_idx])
        and _has_units(nxt, roles)
    )


def _row_of(
    cells: list[Cell | None], roles: list[str], groups: list[Cell | None], lead_col: bool, txt: Any
) -> TableRow:
    content = cells[roles.index("content")]
    assert content is not None
    tr = TableRow(groups=groups, content=content, lead_col=lead_col)
    for i, role in enumerate(roles):
        c = cells[i]
        if c is None or not txt(c):
            continue
        if role == "lead":
            tr.lead.append(c)
        elif role == "co":
            (tr.co if lead_col else tr.lead).append(c)
        elif role == "time":
            tr.time = c
        elif role == "seq":
            tr.seq = txt(c)
    return tr


def structured_rows(norm: str, table: list[list[Cell | None]]) -> list[TableRow]:
    """Rows of a table read from a document (cells with spans; None for an empty cell)."""

    def txt(c: Cell | None) -> str:
        return re.sub(r"\s+", "", norm[c.start : c.end]) if c else ""

    found = _table_header(table, txt)
    if found is None:
        return []
    header_idx, roles = found
    header = [txt(c) for c in table[header_idx]]
    content_idx = roles.index("content")
    group_cols = [i for i, r in enumerate(roles) if r == "group"]
    lead_col = "lead" in roles
    out: list[TableRow] = []
    prev: list[Cell | None] = [None] * len(roles)
    section: Cell | None = None  # a row spanning the table ("一、政务服务提质行动") above the task cells
    subgroup: Cell | None = None  # a numbered task group under the section (`_subgroup_row`)
    body = table[header_idx + 1 :]
    for r, row in enumerate(body):
        cells = list(row) + [None] * (len(roles) - len(row))
        texts = [txt(c) for c in cells]
        if texts[: len(header)] == header:
            continue
        if _is_section_row(texts, content_idx, group_cols):
            section = cells[next(i for i, t in enumerate(texts) if t)]
            subgroup = None
            prev = [None] * len(roles)
            continue
        nxt = [txt(c) for c in body[r + 1]] + [""] * (len(roles) - len(body[r + 1])) if r + 1 < len(body) else None
        if not group_cols and _subgroup_row(texts, roles, content_idx, nxt):
            subgroup = cells[content_idx]
            continue
        if _group_row(texts, content_idx, group_cols):
            for g in group_cols:
                if texts[g] or len({t for t in texts if t}) == 1:
                    prev[g] = cells[g] or next(c for c in cells if c)
                    break
            continue
        for i, t in enumerate(texts):
            if t in ("同上", "同前", "〃") or (not t and i in group_cols):
                cells[i] = prev[i]
        if not cells[content_idx] or not txt(cells[content_idx]):
            continue
        groups = [cells[g] for g in group_cols]
        if section is not None and len(group_cols) < 2:
            groups = [section, *groups]
        if subgroup is not None:
            groups = [*groups, subgroup]
        out.append(_row_of(cells, roles, groups, lead_col, txt))
        prev = cells
    return out


# ---- tables flattened with their cell borders: one cell per line, "|" lines between ------------------------
# A crawler that renders a table as text writes each cell, then a line of "|" closing it; a line "||||" closes
# that many empty cells, so every row has as many cells as the header — but a cell merged from the row above is
# left out and the row's other cells move left, padded with empty cells at its end:
#   序号 | 项目 | 重点工作目标任务 | 牵头领导 | 责任单位 |      (the header row)
#   一、…预期目标 | |||| (a group row across the table)       1 | 主要预期目标 | 1.地区生产总值… | 钱 宇 | ★区发改委… |
#   2.一般公共预算收入… | ★区财政局、税务局 | |||              (序号, 项目 and 牵头领导 merged from above)
# The rows are recovered by counting cells, and each row's cells are put back into their columns by what they
# hold: the task (the longest cell that is no unit list or number) in the content column, the cells before
# it right-aligned before it, after it a unit list in the next unit column, a time in the time column.
_PIPE_LINE = re.compile(r"^[\s|]*\|[\s|]*$")
_PIPE_RUN_MAX = 4  # text lines between two border lines inside a table (a cell wrapped over lines)


def _pipe_cells(norm: str, lines: list, i: int) -> tuple[list[Cell | None], int]:  # type: ignore[type-arg]
    """Cells from line i (the first header cell, one line), until the border lines stop; and the index after the
    last line read."""
    cells: list[Cell | None] = []
    run: list[Any] = [lines[i]]
    k = i + 1
    last = i
    while k < len(lines):
        t = norm[lines[k].start : lines[k].end]
        if _PIPE_LINE.match(t):
            for q in range(t.count("|")):
                cells.append(Cell(run[0].start, run[-1].end) if q == 0 and run else None)
            run = []
            last = k
        else:
            run.append(lines[k])
            if len(run) > _PIPE_RUN_MAX:
                break
        k += 1
    return cells, last + 1


def _cell_kind(t: str) -> str:
    if not t:
        return "empty"
    if _is_seq(t):
        return "seq"
    if is_unit_list(t):
        return "unit"
    if _is_time(t):
        return "time"
    return "text"


def _align_row(row: list[Cell | None], roles: list[str], txt: Any) -> list[Cell | None]:
    """Put a row whose merged cells were left out back into its columns (see above)."""
    n = len(roles)
    last = max((q for q, c in enumerate(row) if c is not None and txt(c)), default=-1)
    real = row[: last + 1]
    if len(real) >= n or not real:
        return list(row[:n]) + [None] * (n - len(row[:n]))
    out: list[Cell | None] = [None] * n
    kinds = [_cell_kind(txt(c)) if c is not None else "empty" for c in real]
    texts = [k for k, kind in enumerate(kinds) if kind in ("text", "time")]  # "…与经济增长保持同步。" reads as a time
    content = roles.index("content")
    if not texts:
        return list(real) + [None] * (n - len(real))
    at = max(texts, key=lambda q: len(txt(real[q])))
    if len(real) == 1:
        out[0] = real[0]  # one cell: a group or section row, read as such by `structured_rows`
        return out
    out[content] = real[at]
    before = real[:at]
    for q, c in enumerate(reversed(before)):
        if content - 1 - q >= 0:
            out[content - 1 - q] = c
    col = content + 1
    for c, kind in zip(real[at + 1 :], kinds[at + 1 :], strict=True):
        want = {"unit": ("lead", "co"), "time": ("time",)}.get(kind)
        if want:
            nxt = next((q for q in range(col, n) if roles[q] in want), None)
            col = nxt if nxt is not None else col
        if col >= n:
            break
        out[col] = c
        col += 1
    return out


# The same table crawled one row per line ("| 序号 | 重点任务 | 牵头单位 |", Markdown style): the cells of a row are
# between its "|"s, an empty cell (merged from above) stays in its place; "|---|---|" lines only draw the border.
_MD_RULE = re.compile(r"^[\s|:\-—–]*$")


def _inline_cells(norm: str, ln: Any) -> list[Cell | None] | None:
    """The cells of a one-line row "| a | b | c |" (None for an empty cell), or None if the line is no row."""
    t = norm[ln.start : ln.end]
    if t.count("|") < 2 or _PIPE_LINE.match(t):
        return None
    cells: list[Cell | None] = []
    a = 0
    for q in [*(m.start() for m in re.finditer(r"\|", t)), len(t)]:
        piece = t[a:q]
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        cells.append(Cell(ln.start + a + lead, ln.start + a + lead + len(body)) if body else None)
        a = q + 1
    if t.lstrip().startswith("|"):
        cells = cells[1:]
    if t.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def _inline_table(norm: str, lines: list, k: int, txt: Any) -> tuple[list[list[Cell | None]], int] | None:  # type: ignore[type-arg]
    head = _inline_cells(norm, lines[k])
    if not head or sum(1 for c in head if c is not None and header_role(txt(c))) < 3:
        return None
    table = [head]
    q = k + 1
    while q < len(lines):
        t = norm[lines[q].start : lines[q].end]
        if "|" in t and _MD_RULE.match(t):
            q += 1
            continue
        row = _inline_cells(norm, lines[q])
        if row is None:
            break
        table.append(row + [None] * (len(head) - len(row)))
        q += 1
    return table, q


def find_pipe_tables(norm: str, lines: list) -> list[TableRegion]:  # type: ignore[type-arg]
    """Task tables flattened with "|" between their cells: a border line after each cell, or one row per line.
    Marks their lines `in_table`."""

    def txt(c: Cell | None) -> str:
        return _WS.sub("", norm[c.start : c.end]) if c else ""

    regions: list[TableRegion] = []
    k = 0
    while k < len(lines):
        inline = _inline_table(norm, lines, k, txt) if "|" in norm[lines[k].start : lines[k].end] else None
        if inline is not None:
            rows = structured_rows(norm, inline[0])
            if len(rows) >= 2:
                for q in range(k, inline[1]):
                    lines[q].in_table = True
                regions.append(TableRegion(lines[k].start, lines[inline[1] - 1].end, rows, flat=True))
                k = inline[1]
                continue
        if k == 0:
            k += 1
            continue
        if not _PIPE_LINE.match(norm[lines[k].start : lines[k].end]) or header_role(
            norm[lines[k - 1].start : lines[k - 1].end]
        ) is None:
            k += 1
            continue
        cells, end = _pipe_cells(norm, lines, k - 1)
        width = 0
        while width < len(cells) and cells[width] is not None and header_role(txt(cells[width])):
            width += 1
        roles = assign_roles([txt(c) for c in cells[:width]]) if width >= 3 else None
        if roles is None:
            k += 1
            continue
        table = [cells[:width]] + [
            _align_row(cells[q : q + width], roles, txt) for q in range(width, len(cells), width)
        ]
        rows = structured_rows(norm, table)
        if len(rows) >= 2:
            for q in range(k - 1, end):
                lines[q].in_table = True
            regions.append(TableRegion(lines[k - 1].start, lines[end - 1].end, rows, flat=True))
        k = end + 1
    return regions
