"""Task tables: a table whose rows are measures (专项行动/重点任务/序号/细化举措/牵头单位/责任单位/完成时限).

Two sources: structured tables read from .docx/.html (rows of cells, merged cells repeated, "同上"), and
tables flattened into text one cell per line (as pasted from a web page). Both end as `TableRow`s.
Repeated header rows are skipped; unit cells wrapped over several lines are joined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .units import is_unit_list

ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("other", re.compile(r"领导|负责人|联系人|联系电话|联络员")),  # 牵头领导 names a person, not a unit
    ("seq", re.compile(r"^(序号|编号|序)$")),
    ("lead", re.compile(r"牵头|主责")),
    ("co", re.compile(r"责任单位|责任部门|配合|协同|协办|参与单位|责任主体|实施单位|承办单位|落实单位")),
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


def header_role(s: str) -> str | None:
    s = re.sub(r"\s+", "", s)
    if not s or len(s) > 10 or re.search(r"^[一二三四五六七八九十]+、|^\(|\d|[“”、,。:;]", s):
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


def find_flat_tables(norm: str, lines: list) -> list[TableRegion]:  # type: ignore[type-arg]
    """Find task tables flattened one cell per line. Marks their lines `in_table`."""
    regions: list[TableRegion] = []
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
        if len(rows) >= 2:
            for k in range(i, end_idx):
                lines[k].in_table = True
            regions.append(TableRegion(lines[i].start, lines[end_idx - 1].end, rows, flat=True))
            i = end_idx
        else:
            i = j
    return regions


def _parse_flat_rows(norm: str, lines: list, j: int, heads: list[str], roles: list[str]):  # type: ignore[no-untyped-def,type-arg]
    n = len(lines)
    has_seq = "seq" in roles
    content_idx = roles.index("content")
    group_n = sum(1 for r in roles[:content_idx] if r == "group")
    unit_roles = [r for r in roles if r in ("lead", "co")]
    lead_col = "lead" in roles
    groups: list[Cell | None] = [None] * group_n
    rows: list[TableRow] = []
    cur: TableRow | None = None
    state = "pre"
    pending = 0
    k = j
    last_ok = j
    while k < n:
        ln = lines[k]
        t = norm[ln.start : ln.end].strip()
        # a repeated header row
        if (
            re.sub(r"\s+", "", t) == heads[0]
            and k + len(heads) <= n
            and all(
                re.sub(r"\s+", "", norm[lines[k + q].start : lines[k + q].end]) == heads[q]
                for q in range(len(heads))
            )
        ):
            k += len(heads)
            last_ok = k
            continue
        if re.match(r"^附件\s*\d*\s*[::]?", t) and state != "content":
            break
        if has_seq and _is_seq(t):
            cur = TableRow(groups=list(groups), content=Cell(0, 0), seq=t.rstrip(".、"), lead_col=lead_col)
            rows.append(cur)
            state = "content"
            pending = 0
            k += 1
            last_ok = k
            continue
        if state == "content" and cur is not None:
            if cur.content.end == 0:
                cur.content = Cell(ln.start, ln.end)
                k += 1
                last_ok = k
                continue
            if t == "同上" or is_unit_list(t) or _is_time(t):
                state = "cells"
            else:
                cur.content = Cell(cur.content.start, ln.end)  # wrapped content
                k += 1
                last_ok = k
                continue
        if state == "cells" and cur is not None:
            if t == "同上":
                prev = rows[-2] if len(rows) >= 2 else None
                filled = len(cur.lead) + len(cur.co)
                if prev is not None:
                    src = prev.lead if filled == 0 else prev.co
                    (cur.lead if filled == 0 else cur.co).extend(src)
                k += 1
                last_ok = k
                continue
            if is_unit_list(t) or (t.endswith("、") and is_unit_list(t.rstrip("、"))):
                prev_line = norm[lines[k - 1].start : lines[k - 1].end].strip()
                target_list = cur.lead if not cur.lead else cur.co
                if prev_line.endswith(("、", ",")) and (cur.lead or cur.co):
                    lst = cur.co if cur.co else cur.lead
                    lst[-1] = Cell(lst[-1].start, ln.end)
                elif not cur.lead:
                    cur.lead.append(Cell(ln.start, ln.end))
                elif len(unit_roles) >= 2 and not cur.co:
                    cur.co.append(Cell(ln.start, ln.end))
                else:
                    target_list = cur.co if len(unit_roles) >= 2 else cur.lead
                    target_list.append(Cell(ln.start, ln.end))
                k += 1
                last_ok = k
                continue
            if _is_time(t):
                cur.time = Cell(ln.start, ln.end)
                k += 1
                last_ok = k
                continue
            state = "pre"
        if not has_seq and state in ("pre", "cells") and (len(t) > 30 or re.search(r"[,。;]", t)):
            cur = TableRow(groups=list(groups), content=Cell(ln.start, ln.end), lead_col=lead_col)
            rows.append(cur)
            state = "content"
            k += 1
            last_ok = k
            continue
        # a group cell (merged cells repeat their text)
        pending += 1
        if pending > group_n + 3 or len(t) > 60:
            break
        if group_n:
            cell = Cell(ln.start, ln.end)
            text = t
            known = [norm[g.start : g.end].strip() if g else None for g in groups]
            if text in known:
                k += 1
                last_ok = k
                continue
            if group_n >= 2 and re.match(
                r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十\d]+)", text
            ):
                groups = [cell] + [None] * (group_n - 1)
            elif group_n >= 2 and groups[0] is None:
                groups[0] = cell
            else:
                groups[-1] = cell
        k += 1
        last_ok = k
    return rows, last_ok


_SECTION = re.compile(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十\d]+)")


def structured_rows(norm: str, table: list[list[Cell | None]]) -> list[TableRow]:
    """Rows of a table read from a document (cells with spans; None for an empty cell)."""

    def txt(c: Cell | None) -> str:
        return re.sub(r"\s+", "", norm[c.start : c.end]) if c else ""

    header_idx, roles = None, None
    for i, row in enumerate(table[:5]):
        r = assign_roles([txt(c) for c in row])
        if r and sum(1 for c in row if header_role(txt(c))) >= 3:
            header_idx, roles = i, r
            break
    if header_idx is None or roles is None:
        return []
    header = [txt(c) for c in table[header_idx]]
    content_idx = roles.index("content")
    group_cols = [i for i, r in enumerate(roles) if r == "group"]
    lead_col = "lead" in roles
    out: list[TableRow] = []
    prev: list[Cell | None] = [None] * len(roles)
    section: Cell | None = None  # a row spanning the table ("一、政务服务提质行动") above the task cells
    for row in table[header_idx + 1 :]:
        cells = list(row) + [None] * (len(roles) - len(row))
        texts = [txt(c) for c in cells]
        if texts[: len(header)] == header:
            continue
        filled = [i for i, t in enumerate(texts) if t]
        spanning = len(filled) >= 2 and len({texts[i] for i in filled}) == 1  # merged across (docx, html)
        single = (
            len(filled) == 1
            and len(texts) >= 3
            and (filled[0] not in (content_idx, *group_cols) or bool(_SECTION.match(texts[filled[0]])))
        )  # merged across, read from a PDF: the text in one cell, the others empty
        if len(group_cols) < 2 and (spanning or single):
            # one cell across the row: a section of the table ("一、提升政务服务效能")
            section = cells[filled[0]]
            prev = [None] * len(roles)
            continue
        if (len({t for t in texts if t}) == 1 and len([t for t in texts if t]) >= 2) or (
            not texts[content_idx] and any(texts[g] for g in group_cols)
        ):
            # a full-width group row ("一、助企专项行动") or a row with only group cells
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
        tr = TableRow(groups=groups, content=cells[content_idx], lead_col=lead_col)  # type: ignore[arg-type]
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
        out.append(tr)
        prev = cells
    return out
