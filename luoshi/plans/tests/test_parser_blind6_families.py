"""Blind batch 6 (`data/blind6`): what its fixes do, pinned.

The batch's first reading (README) showed these families, each fixed in general:
- "X、Y分别牵头" makes every unit of the list lead (`vocabulary.LEAD_VERBS`), also under a position legend
  ("列第一位为牵头单位,下同");
- table cells crawled one per line, each closed by " |" on its own line (`tables._trim_cell_pipes`), and a
  numbered table flattened one cell per line with a single row (`tables.find_flat_tables`);
- a table with no group rows takes its title line as its path (`extract._table_caption`);
- a first sentence that lists things ("…省、市政府取消、下放…的事项。") is no title;
- 总则 is no task section; "2019年实现…" is that year's deadline;
- a fund's size ("设立2.43亿元…专项引导资金") is no target;
- PDF lines: a heading written with a Kangxi radical ("⼀、") starts a line, a closing quote at the right margin
  does not end the paragraph, and a page of a few lines takes its widest line as the right margin.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file, parse_text
from luoshi.plans.parser.deadlines import parse_deadline
from luoshi.plans.parser.readers import join_pdf_lines
from luoshi.plans.parser.targets import extract_targets

DATA = Path(__file__).parent / "data"
BATCH = DATA / "blind6"
FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", DATA / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(stem: str, fmt: str) -> list[dict[str, Any]]:
    return [m.to_score_dict() for m in parse_file(BATCH / "docs" / f"{stem}.{fmt}", suggest=False).measures]


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_batch_reads_as_after_its_fixes_in_every_format(fmt: str) -> None:
    sc = _scorer()
    total: dict[str, int] | None = None
    for gold in sorted((BATCH / "gold").glob("*.jsonl")):
        s = sc.score_doc(sc.load(gold), _rows(gold.stem, fmt))
        total = s if total is None else {k: total[k] + s[k] for k in s}
    row = sc.line("TOTAL", total)
    assert row["gold"] == 24
    for key in ("measure_f1", "lead_acc", "co_acc", "deadline_acc", "path_acc", "target_f1"):
        assert row[key] == 1.0, row


@pytest.mark.parametrize("fmt", FORMATS)
def test_units_that_each_lead_are_all_lead(fmt: str) -> None:
    """f01: "市人力社保局、市农业农村局分别牵头" under a 责任单位 label, in a plan whose legend makes the first unit
    of a list lead; first reading: only the first unit was read (lead 0.80)."""
    rows = _rows("f01_lishui", fmt)
    assert rows[5]["lead_units"] == ["市人力社保局", "市农业农村局"] and rows[5]["co_units"] == []
    assert rows[8]["lead_units"] == ["市人力社保局", "市发改委"]
    assert rows[3]["lead_units"] == ["市发改委"] and rows[3]["co_units"][0] == "市经信局"  # the legend still holds


def test_units_that_each_lead_in_a_parenthetical() -> None:
    rows = [
        m.to_score_dict()
        for m in parse_text("一、主要任务\n1.做好某事。(市商务局、市财政局分别牵头,各县区配合)\n", suggest=False).measures
    ]
    assert rows[0]["lead_units"] == ["市商务局", "市财政局"] and rows[0]["co_units"] == ["各县区"]


CELL_PIPE_TABLE = """2025年开发区重点工作及责任清单
序号 |
重点工作 |
责任领导 |
责任单位 |
完成时限 |
1 |
坚持服务跟着项目走,全力服务重大项目落地见效。 |
叶林 |
招商工作部、安商工作部 |
2025年6月底前 |
2 |
全力推进开发区“空间再造”,力争全年盘活僵尸企业10家。 |
马振明 |
改革办 |
全年 |
"""


def test_cells_closed_by_a_pipe_on_their_own_line_are_a_table() -> None:
    """f03 as crawled: first reading lost every unit (the leader and unit cells ran into the task)."""
    rows = [m.to_score_dict() for m in parse_text(CELL_PIPE_TABLE, suggest=False).measures]
    assert [r["text"] for r in rows] == [
        "坚持服务跟着项目走,全力服务重大项目落地见效。",
        "全力推进开发区“空间再造”,力争全年盘活僵尸企业10家。",
    ]
    assert rows[0]["lead_units"] == ["招商工作部", "安商工作部"] and rows[1]["lead_units"] == ["改革办"]
    assert rows[0]["deadline"] == "2025-06-30" and rows[1]["deadline"] is None  # 全年: whole-year work
    assert all(r["path"] == ["2025年开发区重点工作及责任清单"] for r in rows)  # the table's title


@pytest.mark.parametrize("fmt", ["txt", "flat.txt"])
def test_a_numbered_table_of_one_row_flattened_without_borders(fmt: str) -> None:
    """f04 as crawled: 序号 / 主 要 工 作 任 务 / 责任单位, then "1", the task and its unit, one per line; first
    reading: no measure."""
    rows = _rows("f04_jiaxing", fmt)
    assert [(r["text"], r["lead_units"], r["path"]) for r in rows] == [
        ("地区生产总值增长6%左右。", ["市发展改革委"], ["2023年政府工作报告重点工作责任分解"])
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_first_sentence_that_lists_things_is_no_title(fmt: str) -> None:
    rows = _rows("f02_gangcheng", fmt)
    assert rows[0]["title"] is None
    assert rows[0]["text"].startswith("及时承接落实国务院和省、市政府取消、下放和改变管理方式的行政权力事项。对省")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_general_provisions_chapter_holds_no_measure(fmt: str) -> None:
    rows = _rows("f07_xiangyin", fmt)
    assert len(rows) == 2 and not any("总" in r["path"][0] for r in rows)
    assert rows[1]["deadline"] == "2019-12-31"  # "2019年实现90%事项网上办"


def test_a_year_before_a_commitment_is_its_deadline() -> None:
    assert str(parse_deadline(None, "2019年实现90%事项网上办", 2019).date) == "2019-12-31"
    assert str(parse_deadline(None, "到2019年基本实现全覆盖", 2019).date) == "2019-12-31"


def test_a_funds_size_is_no_target() -> None:
    assert extract_targets("整合涉企资金,设立2.43亿元推动工业强市发展专项引导资金,出台管理办法") == []
    assert extract_targets("设立100亿元产业基金") == []
    assert [(t.value, t.unit) for t in extract_targets("带动制造业投资1000亿元以上")] == [(100000000000.0, "元")]


def test_pdf_lines_with_radicals_and_quotes_at_the_margin() -> None:
    # a heading written with a Kangxi radical starts its own line even after a full line
    out = join_pdf_lines([["时间:2023-07-11 浏览次数: 信息来源: 丽水市政府", "⼀、全市经济社会发展主要预期目标"]], [[True, False]])
    assert out.splitlines() == ["时间:2023-07-11 浏览次数: 信息来源: 丽水市政府", "⼀、全市经济社会发展主要预期目标"]
    # a closing quote at the right margin closes a phrase; after 。 it closes the paragraph
    out = join_pdf_lines([["(1)扶持个体私营经济发展。建立个体工商户“名特优新”", "分类标准,开展申报认定。"]], [[True, False]])
    assert out.splitlines() == ["(1)扶持个体私营经济发展。建立个体工商户“名特优新”分类标准,开展申报认定。"]
    out = join_pdf_lines([["推动实现“一网通办。”", "分类标准,开展申报认定。"]], [[True, False]])
    assert len(out.splitlines()) == 2


def test_a_one_page_pdf_keeps_its_running_header_off_the_table_title() -> None:
    rows = _rows("f03_huoshan", "pdf")
    assert all(r["path"] == ["2025年开发区重点工作及责任清单"] for r in rows)


SIGN_LEGEND_PLAN = """区政府2024年重点工作目标任务分解落实方案
(标★的为牵头单位)
一、主要任务
1.地区生产总值增长5%以上。(★区发改委、统计局)
2.推进工程建设项目审批提速。(区住建局、★区数据局)
3.做好某事。(区商务局、区财政局)
"""


def test_a_legend_makes_the_marked_unit_lead() -> None:
    """"标★的为牵头单位" (as "列第一位的为牵头单位" does by position): the starred unit leads, the others of its
    list co-operate; a list with no star keeps its reading. Without a legend ★ stays decoration (blind5 e03)."""
    rows = [m.to_score_dict() for m in parse_text(SIGN_LEGEND_PLAN, suggest=False).measures]
    assert [(r["lead_units"], r["co_units"]) for r in rows] == [
        (["区发改委"], ["统计局"]),
        (["区数据局"], ["区住建局"]),
        (["区商务局", "区财政局"], []),
    ]
    plain = parse_text(SIGN_LEGEND_PLAN.replace("(标★的为牵头单位)\n", ""), suggest=False).measures
    assert plain[0].lead_units == ["区发改委", "统计局"]


@pytest.mark.parametrize("legend", ["★为牵头单位", "带“★”号的为牵头单位", "标注★的单位为牵头单位"])
def test_sign_legends(legend: str) -> None:
    from luoshi.plans.parser.vocabulary import SIGN_LEGEND

    m = SIGN_LEGEND.search(legend)
    assert m is not None and m.group(1) == "★"
