"""Blind batch 5 (`data/blind5`): what its fixes do, pinned.

The batch's first reading (README) showed three families, each fixed in general:
- a task table that reaches the parser as text with its cell borders: every cell on its own line, a line of "|"
  closing it, "||||" closing empty cells, cells merged from the row above left out (`tables.find_pipe_tables`);
- a sign before a unit name ("★区发改委、统计局", `vocabulary.UNIT_DECORATION`);
- a place collective followed by a collective that stands on its own ("各街道、区直各部门", "各街道,各相关单位"
  are two parties; "各镇区、园区各相关单位" stays one).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file, parse_text
from luoshi.plans.parser.units import is_unit_list, unit_spans

DATA = Path(__file__).parent / "data"
BATCH = DATA / "blind5"
FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", DATA / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _score(stem: str, fmt: str) -> dict[str, Any]:
    sc = _scorer()
    pred = [m.to_score_dict() for m in parse_file(BATCH / "docs" / f"{stem}.{fmt}", suggest=False).measures]
    return dict(sc.line(stem, sc.score_doc(sc.load(BATCH / "gold" / f"{stem}.jsonl"), pred)))


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_batch_reads_as_after_its_fixes_in_every_format(fmt: str) -> None:
    sc = _scorer()
    total: dict[str, int] | None = None
    for gold in sorted((BATCH / "gold").glob("*.jsonl")):
        doc = BATCH / "docs" / f"{gold.stem}.{fmt}"
        pred = [m.to_score_dict() for m in parse_file(doc, suggest=False).measures]
        s = sc.score_doc(sc.load(gold), pred)
        total = s if total is None else {k: total[k] + s[k] for k in s}
    row = sc.line("TOTAL", total)
    assert row["gold"] == 29
    for key in ("measure_f1", "lead_acc", "co_acc", "deadline_acc", "path_acc", "target_f1"):
        assert row[key] == 1.0, row


@pytest.mark.parametrize("fmt", ["txt", "flat.txt"])
def test_a_table_crawled_with_its_cell_borders_is_read_as_a_table(fmt: str) -> None:
    """e03 as crawled: first reading F1 0.09 (each task cell read as a numbered item, its units lost)."""
    result = parse_file(BATCH / "docs" / f"e03_wujiang.{fmt}", suggest=False)
    rows = [m.to_score_dict() for m in result.measures]
    assert len(rows) == 11
    assert all(r["path"] == ["一、2024年全区经济社会发展主要预期目标", "主要预期目标"] for r in rows)
    assert rows[1]["lead_units"] == ["区财政局", "税务局"]  # 序号, 项目 and 牵头领导 merged from row 1
    assert rows[7]["text"].startswith("8.居民人均可支配收入")  # "…保持同步。" is the task, not a time cell
    assert rows[9]["lead_units"] == ["生态环境局"]  # a leader cell over two lines ("王 嵘 / 方 勇") is no unit
    assert all("★" not in u for r in rows for u in r["lead_units"])
    # a table recovered from flattened cells is flagged for review
    for m in result.measures:
        text = next(r for r in m.reasons if r.field == "text")
        assert text.rule.startswith("table:row (flattened") and text.check


PIPE_TABLE = """关于印发重点任务分工的通知
序号
|
重点任务
|
牵头单位
|
配合单位
|
完成时限
|
一、提升政务服务
|
||||
1
|
推行企业开办一日办结,全面推广电子营业执照。
|
区市场监管局
|
区数据局
|
2025年6月底前
|
2
|
推进工程建设项目审批提速。
|
区住建局
|
|
2025年底前
|
"""


def test_a_bordered_table_with_an_empty_cell_keeps_its_columns() -> None:
    rows = [m.to_score_dict() for m in parse_text(PIPE_TABLE, suggest=False).measures]
    assert [r["text"] for r in rows] == ["推行企业开办一日办结,全面推广电子营业执照。", "推进工程建设项目审批提速。"]
    assert rows[0]["lead_units"] == ["区市场监管局"] and rows[0]["co_units"] == ["区数据局"]
    assert rows[0]["deadline"] == "2025-06-30"
    assert rows[1]["lead_units"] == ["区住建局"] and rows[1]["co_units"] == []  # the empty 配合单位 cell
    assert rows[1]["deadline"] == "2025-12-31"
    assert all(r["path"] == ["一、提升政务服务"] for r in rows)


def test_a_sign_before_a_unit_is_decoration() -> None:
    s = "★区发改委、人社局、农业农村局、统计局"
    assert is_unit_list(s)
    assert [s[a:b] for a, b in unit_spans(s)] == ["区发改委", "人社局", "农业农村局", "统计局"]
    s = "※市数据局,▲市市场监管局"
    assert [s[a:b] for a, b in unit_spans(s)] == ["市数据局", "市市场监管局"]


@pytest.mark.parametrize(
    ("units", "want"),
    [
        ("立山经济开发区,各街道、区直各部门", ["立山经济开发区", "各街道", "区直各部门"]),
        ("各街道,各相关单位", ["各街道", "各相关单位"]),
        ("各镇区、园区各相关单位", ["各镇区、园区各相关单位"]),  # the units of each place: one party
    ],
)
def test_a_collective_that_stands_on_its_own_is_not_swallowed(units: str, want: list[str]) -> None:
    assert [units[a:b] for a, b in unit_spans(units)] == want


def test_label_lines_after_a_target_item_keep_both_co_collectives() -> None:
    """e02: 牵头单位:/责任单位: lines after each item; first reading lost "各街道,各相关单位" entirely."""
    rows = [m.to_score_dict() for m in parse_file(BATCH / "docs" / "e02_lishan.txt", suggest=False).measures]
    assert rows[2]["co_units"] == ["立山经济开发区", "各街道", "区直各部门"]
    assert rows[5]["lead_units"] == ["区发改局"] and rows[5]["co_units"] == ["各街道", "各相关单位"]


def test_the_first_reading_failures_are_gone_plan_by_plan() -> None:
    for stem in ("e02_lishan", "e03_wujiang"):
        for fmt in FORMATS:
            row = _score(stem, fmt)
            assert (row["measure_f1"], row["lead_acc"], row["co_acc"]) == (1.0, 1.0, 1.0), (fmt, row)


MARKDOWN_TABLE = """关于印发重点任务分工的通知
| 序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限 |
|---|---|---|---|---|
| 一、提升政务服务 | | | | |
| 1 | 推行企业开办一日办结,全面推广电子营业执照。 | ★区市场监管局 | 区数据局 | 2025年6月底前 |
| 2 | 推进工程建设项目审批提速。 | 区住建局 | | 2025年底前 |
"""


def test_a_table_crawled_one_row_per_line_is_read_as_a_table() -> None:
    """The same family crawled Markdown style: "| a | b |" per row, "|---|" border lines, empty cells in place."""
    rows = [m.to_score_dict() for m in parse_text(MARKDOWN_TABLE, suggest=False).measures]
    assert [r["text"] for r in rows] == ["推行企业开办一日办结,全面推广电子营业执照。", "推进工程建设项目审批提速。"]
    assert rows[0]["lead_units"] == ["区市场监管局"] and rows[0]["co_units"] == ["区数据局"]
    assert rows[1]["co_units"] == [] and rows[1]["deadline"] == "2025-12-31"
    assert all(r["path"] == ["一、提升政务服务"] for r in rows)
