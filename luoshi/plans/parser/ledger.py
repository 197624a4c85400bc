"""The ledger (任务清单) as an .xlsx: one measure per row. Written by export, read back by import.

Columns: 序号 / 所属章节 / 举措名称 / 举措内容 / 牵头单位 / 责任单位 / 完成时限 / 时限原文 / 量化目标.
Paths are joined with " > ", unit lists with "、", targets written as "指标 ≥ 值单位" separated by ";".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from .errors import ParseError
from .result import ExtractedMeasure, ParseResult, Target

COLUMNS = [
    "序号",
    "所属章节",
    "举措名称",
    "举措内容",
    "牵头单位",
    "责任单位",
    "完成时限",
    "时限原文",
    "量化目标",
]
WIDTHS = [6, 36, 24, 80, 24, 30, 12, 16, 36]
PATH_SEP = " > "
_OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_OPS_BACK = {v: k for k, v in _OPS.items()}


def format_targets(targets: list[Target]) -> str:
    parts = []
    for t in targets:
        v = int(t.value) if float(t.value).is_integer() else t.value
        parts.append(f"{t.metric} {_OPS.get(t.op, t.op)} {v}{t.unit}" + ("(隐含)" if t.implicit else ""))
    return ";".join(parts)


def parse_targets(s: str) -> list[Target]:
    out = []
    for part in re.split(r"[;;\n]", s or ""):
        m = re.match(r"^\s*(.*?)\s*(≥|>|≤|<|=)\s*(-?\d+(?:\.\d+)?)\s*(.*?)\s*(\(隐含\))?\s*$", part)
        if m:
            out.append(
                Target(
                    metric=m.group(1),
                    value=float(m.group(3)),
                    unit=m.group(4),
                    op=_OPS_BACK[m.group(2)],
                    implicit=bool(m.group(5)),
                )
            )
    return out


def write_ledger_xlsx(
    measures: list[ExtractedMeasure], out: str | Path | IO[bytes], *, title: str = ""
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "任务清单"
    ws.append(COLUMNS)
    for c in ws[1]:
        c.font = Font(bold=True)
    from luoshi.core.sanitize import xlsx_row

    for m in measures:
        ws.append(
            xlsx_row(
                ws,
                [
                    m.seq,
                    PATH_SEP.join(m.path),
                    m.title or "",
                    m.text,
                    "、".join(m.lead_units),
                    "、".join(m.co_units),
                    m.deadline.isoformat() if m.deadline else ("持续推进" if m.ongoing else ""),
                    m.deadline_phrase or "",
                    format_targets(m.targets),
                ],
            )
        )
    for i, w in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if title:
        wb.properties.title = title
    wb.save(out)  # type: ignore[arg-type]


def _str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_ledger_xlsx(src: str | Path | IO[bytes], *, source_name: str = "") -> ParseResult:
    """Read a ledger written by `write_ledger_xlsx` (or typed by hand in the same columns)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(src, read_only=True, data_only=True)
    except Exception as exc:
        raise ParseError(
            "Excel 文件已损坏或不是 .xlsx 格式,无法读取。请重新导出后再上传。", code="corrupt"
        ) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = None
    for row in rows:
        cells = [_str(v) for v in row]
        if "举措内容" in cells:
            header = cells
            break
    if header is None:
        raise ParseError(
            "Excel 中没有找到任务清单的表头(需要“举措内容”列)。请使用平台导出的任务清单模板。",
            code="bad_ledger",
        )
    idx = {name: header.index(name) for name in COLUMNS if name in header}
    measures: list[ExtractedMeasure] = []
    text_parts: list[str] = []
    pos = 0
    for row in rows:
        cells = [_str(v) for v in row]

        def get(name: str, cells: list[str] = cells) -> str:
            i = idx.get(name)
            return cells[i] if i is not None and i < len(cells) else ""

        body = get("举措内容")
        if not body:
            continue
        deadline = None
        dl = get("完成时限")
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", dl)
        if m:
            deadline = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        measures.append(
            ExtractedMeasure(
                seq=len(measures) + 1,
                path=[p for p in get("所属章节").split(PATH_SEP) if p],
                title=get("举措名称") or None,
                text=body,
                lead_units=[u for u in re.split(r"[、,,;;\n]", get("牵头单位")) if u.strip()],
                co_units=[u for u in re.split(r"[、,,;;\n]", get("责任单位")) if u.strip()],
                deadline=deadline,
                deadline_phrase=get("时限原文") or None,
                ongoing=dl == "持续推进",
                targets=parse_targets(get("量化目标")),
                span=(pos, pos + len(body)),
                source="ledger",
            )
        )
        text_parts.append(body)
        pos += len(body) + 1
    if not measures:
        raise ParseError("任务清单中没有任何举措(“举措内容”列为空)。", code="no_measures")
    res = ParseResult(
        text="\n".join(text_parts),
        kind="plan",
        title=wb.properties.title or "",
        measures=measures,
        source_name=source_name,
        source_format="xlsx",
    )
    years = [m.deadline.year for m in measures if m.deadline]
    res.year = max(set(years), key=years.count) if years else None
    return res
