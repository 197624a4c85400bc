"""Blind batch 9 (`data/blind9`): what its fixes do, pinned.

The batch's first reading (README) showed these families; six are fixed in general:
- organs named by tier ("市级行政执法机关", "县直行政执法机关") are units like "各行政执法机关" (`units.UNIT_SUFFIX`
  ends in 机关);
- a table's numbered task group ("1 | 大力提振消费。 | ||": a short task cell, no unit or date cell, over rows with
  units) is no measure: it heads the rows below it (`tables.SUBGROUP_ROW_RULE`);
- two same-tier department names run together in a PDF table cell ("市人力资源社会保障局市农业农村局") are two units
  (`units.GLUED_NAMES_RULE`); an area followed by a department ("市高新区市场监管局") stays one;
- an item that opens with its date ("1. 2025年3月10日前,印發…") is an item (rule "heading:num"); "1. 5倍" is a figure;
- an unmarked short line between a heading and its first item "1." (i06's mis-decoded "(一)…") heads those items
  (`structure.GROUP_UNDER_HEADING_RULE`); a bracketed note under an unnumbered group (h07) is no group.
- a label written as a sentence of its own ("…激发活力。责任主体。市工商质监局。执行对象。…") is a label
  (`units.LABEL_ANY`, `extract._INLINE_LABEL` accept "。" after the label word).
The two left at batch 9's hard stop are fixed since (ADR 0140):
- a document-sharing site's page numbers ("1、" right after the site's sign, "2、" where a page begins inside an
  item) are no items (`structure.PAGE_MARKER_RULE`), so i02 reads as its gold in every format;
- items under no heading take the title line above them as path (`structure.TITLE_LINE_RULE`, i04); a covering
  sentence that only quotes the plan's name (blind2's b407) is no title line, so b407 keeps its empty path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file
from luoshi.plans.parser.normalize import normalize
from luoshi.plans.parser.units import is_unit_name, parse_responsibility, unit_spans

BATCH = Path(__file__).parent / "data" / "blind9"
FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]


def _rows(stem: str, fmt: str) -> list[dict[str, Any]]:
    return [m.to_score_dict() for m in parse_file(BATCH / "docs" / f"{stem}.{fmt}", suggest=False).measures]


def _units(s: str) -> tuple[list[str], list[str]] | None:
    norm = normalize(s)
    r = parse_responsibility(s, norm, 0, len(norm))
    return None if r is None else (r.lead, r.co)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("市级行政执法机关", True),
        ("县直行政执法机关", True),
        ("区直机关", True),
        ("各行政执法机关", True),
        ("执法检查", False),
    ],
)
def test_an_organ_named_by_tier_is_a_unit(name: str, unit: bool) -> None:
    assert is_unit_name(name) is unit


def test_the_tier_organ_is_read_from_the_labels() -> None:
    assert _units("牵头单位:市司法局;责任单位:市级行政执法机关;完成时间:2025年6月") == (
        ["市司法局"],
        ["市级行政执法机关"],
    )
    assert _units("牵头单位:县司法局,责任单位:开发区管委会,各镇政府、街道办事处,县直行政执法机关,完成时间:2025年5月") == (
        ["县司法局"],
        ["开发区管委会", "各镇政府", "街道办事处", "县直行政执法机关"],
    )


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("市人力资源社会保障局市农业农村局", ["市人力资源社会保障局", "市农业农村局"]),
        ("县发改局县财政局", ["县发改局", "县财政局"]),
        ("市发展改革委市商务局市财政局", ["市发展改革委", "市商务局", "市财政局"]),
        ("市高新区市场监管局", ["市高新区市场监管局"]),  # an area, then its department: one unit
        ("市公安局交警支队", ["市公安局交警支队"]),
        ("市场监督管理局", ["市场监督管理局"]),
    ],
)
def test_department_names_run_together_in_a_cell_are_split(cell: str, names: list[str]) -> None:
    assert [cell[a:b] for a, b in unit_spans(cell)] == names


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_numbered_task_group_row_heads_the_rows_below_it(fmt: str) -> None:
    rows = _rows("i03_wuhu", fmt)
    assert [r["text"] for r in rows if r["text"].startswith("大力提振消费")] == []  # the group row is no measure
    below = [r for r in rows if r["text"].startswith(("统筹衔接消费券", "把促消费和惠民生"))]
    assert len(below) == 2
    assert all(r["path"][-1] == "大力提振消费。" for r in below)
    assert below[0]["lead_units"] == ["市商务局"]
    assert below[0]["co_units"] == ["市财政局", "市工业和信息化局", "各县市区政府", "开发区管委会"]
    six = next(r for r in rows if r["text"].startswith("居民人均可支配收入"))
    assert six["lead_units"] == ["市人力资源社会保障局", "市农业农村局"]  # two lines of one cell, in a PDF too
    assert six["path"][-1] == "一、主要预期目标"  # the rows above the group keep their section


def test_the_new_rules_examples() -> None:
    from luoshi.plans.parser.tables import SUBGROUP_ROW_RULE
    from luoshi.plans.parser.units import GLUED_NAMES_RULE

    for e in GLUED_NAMES_RULE.examples:
        assert (len(unit_spans(e.text)) > 1) is e.expect, e.text
    for e in SUBGROUP_ROW_RULE.examples:
        assert (SUBGROUP_ROW_RULE.pattern.fullmatch(e.text) is not None) is e.expect, e.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_item_that_opens_with_its_date_is_an_item(fmt: str) -> None:
    rows = _rows("i06_zhenjiang", fmt)  # "1. 2025年3月10日前,印發…" / "2. 縣級以上…": two items, not one run of text
    assert len(rows) == 2
    assert rows[0]["deadline"] == "2025-03-10"
    assert rows[1]["text"].startswith("縣級")


def test_a_figure_after_the_marker_is_still_no_item() -> None:
    from luoshi.plans.parser.structure import match_marker

    for text, want in (("1. 2025年3月10日前,印发《通知》", ("num", 1)), ("1. 5倍以上", None), ("1.2025年", None)):
        norm = normalize(text)
        got = match_marker(norm, 0, len(norm))
        assert (got[:2] if got else None) == want, text


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unmarked_line_between_a_heading_and_its_first_item_heads_the_items(fmt: str) -> None:
    rows = _rows("i06_zhenjiang", fmt)  # "一、建立健全制度" / "?。ㄒ唬┙…公告制度" (a mis-decoded "(一)…") / "1. …"
    assert all(r["path"][-1].endswith("公告制度") for r in rows), [r["path"] for r in rows]
    assert all(r["path"][0].endswith("建立健全制度") for r in rows)


def test_the_group_rule_declines_a_note_and_a_lead_in() -> None:
    from luoshi.plans.parser.structure import GROUP_UNDER_HEADING_RULE

    for e in GROUP_UNDER_HEADING_RULE.examples:
        assert (GROUP_UNDER_HEADING_RULE.pattern.fullmatch(e.text) is not None) is e.expect, e.text
    # h07 (blind8): "沿海开发十大重点争取推进事项" / "(2010年2月,成立专门工作班子)" / "1.…" keeps its one group
    rows = [
        m.to_score_dict()
        for m in parse_file(BATCH.parent / "blind8" / "docs" / "h07_lianyungang.txt", suggest=False).measures
    ]
    group = [r for r in rows if r["text"].startswith(("建设1000万吨", "建设千万吨级"))]
    assert len(group) == 2
    assert all(r["path"][-1] == "沿海开发十大重点争取推进事项" for r in group)


def test_a_label_written_as_a_sentence_of_its_own_is_a_label() -> None:
    assert _units("责任主体。市工商质监局。执行对象。除个体工商户外其他工商登记市场主体。") == (["市工商质监局"], [])
    assert _units("责任主体。市编办、市法制办。执行对象。市各相关部门。") == (["市编办", "市法制办"], [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_fields_after_an_items_sentence_end_its_text(fmt: str) -> None:
    rows = _rows("i02_jiangben", fmt)
    first = next(r for r in rows if r["text"].startswith("全面推进"))
    assert first["text"].endswith("激发活力。")  # "责任主体。市工商质监局。执行对象。…" are its fields, not its text
    assert first["lead_units"] == ["市工商质监局"]


def test_the_page_marker_rules_examples() -> None:
    from luoshi.plans.parser.structure import PAGE_MARKER_RULE, TITLE_LINE_RULE, page_markers

    for e in PAGE_MARKER_RULE.examples:
        assert len(page_markers(normalize(e.text))) == e.expect, e.text
    for e in TITLE_LINE_RULE.examples:
        assert bool(TITLE_LINE_RULE.pattern.fullmatch(e.text)) is e.expect, e.text


def test_page_markers_blank_to_the_same_length() -> None:
    from luoshi.plans.parser.structure import blank_page_markers

    text = normalize("《方案.doc》由会员分享,可在线阅读。\n1、某方案。一、降低成本\n1.推进改革。责任主体。市局。\n2、工作流程。受理。")
    out = blank_page_markers(text)
    assert len(out) == len(text)
    assert "1、" not in out and "2、" not in out and "1.推进" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_sharing_sites_page_numbers_are_no_items(fmt: str) -> None:
    rows = _rows("i02_jiangben", fmt)
    assert [r["path"] for r in rows] == [["一、降低制度性交易成本"]] * 2
    assert [r["lead_units"] for r in rows] == [["市工商质监局"], ["市编办", "市法制办"]]
    assert rows[0]["text"].endswith("激发活力。")


@pytest.mark.parametrize("fmt", FORMATS)
def test_items_under_no_heading_take_the_title_line_above_them(fmt: str) -> None:
    rows = _rows("i04_liaocheng", fmt)
    assert [r["path"] for r in rows] == [["关于印发聊城市严格规范涉企行政检查工作实施方案的通知"]] * 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_covering_sentence_quoting_the_title_is_no_path(fmt: str) -> None:
    rows = [
        m.to_score_dict()
        for m in parse_file(BATCH.parent / "blind2" / "docs" / f"b407_guizhou.{fmt}", suggest=False).measures
    ]
    assert len(rows) == 2 and all(r["path"] == [] for r in rows)


def test_a_title_line_heads_items_under_no_heading_in_any_plan() -> None:
    from luoshi.plans.parser import parse_text

    plan = (
        "某县人民政府办公室\n关于印发某县优化营商环境实施方案的通知\n为优化营商环境,制定本方案。\n"
        "(一)压缩办理时限。推行容缺受理。(牵头单位:县政务服务中心;完成时间:2025年5月)\n"
        "(二)规范涉企检查。实行清单管理。(牵头单位:县司法局;完成时间:2025年6月)\n"
    )
    got = [m.path for m in parse_text(plan).measures]
    assert got == [["关于印发某县优化营商环境实施方案的通知"]] * 2
    quoted = "《某县优化营商环境实施方案》已经县政府同意,现印发给你们,请认真贯彻落实。\n" + plan.split("\n", 2)[2]
    assert [m.path for m in parse_text(quoted).measures] == [[], []]
