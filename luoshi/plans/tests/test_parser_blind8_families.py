"""Blind batch 8 (`data/blind8`): what its fixes do, pinned.

The batch's first reading (README) showed these families, each fixed in general:
- a person's label before the unit label ("(责任秘书长:李振峰,责任单位:市政府办公室)") made the parenthetical no
  responsibility phrase: 责任秘书长 / 牵头秘书长 / 分管秘书长 / 联系秘书长 are person labels like 牵头领导
  (`vocabulary.PERSON_LABELS`), and a unit's sub-office in ASCII angle brackets ("市政府办公室<研究室>") is part of
  its name like a bracketed alias (`units.strip_parens`);
- a shared-suffix place list: "相关市、县政府" is one party like "各市、县(区)人民政府" (`units._BARE_PLACES`), and
  bare place names before a named government share it: "哈尔滨、黑河、绥芬河市政府" (`units._shared_suffix_end`);
- an unnumbered group heading where the items' numbering restarts at 1 ("沿海开发十大重点争取推进事项" between
  "6.…" and "1.…") heads the items after it (`structure.BARE_GROUP_RULE`);
- a "一、" followed by another numeral and 级/类/档/批/线/产/星 ("二、三级子公司", a PDF line broken inside a
  sentence) is a series of ordinals, no heading (`structure` rule "heading:cn");
- targets (not in the bar): a capacity written into the name of what is built ("建设1000万吨炼油配套100万吨乙烯石油
  炼化一体化项目") is no target (`targets.FIGURE_VETOES`, `_names_project`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file, parse_text
from luoshi.plans.parser.normalize import normalize
from luoshi.plans.parser.structure import match_marker
from luoshi.plans.parser.targets import extract_targets
from luoshi.plans.parser.units import is_unit_list, parse_responsibility

DATA = Path(__file__).parent / "data"
BATCH = DATA / "blind8"
FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", DATA / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(stem: str, fmt: str) -> list[dict[str, Any]]:
    return [m.to_score_dict() for m in parse_file(BATCH / "docs" / f"{stem}.{fmt}", suggest=False).measures]


def _units(s: str) -> tuple[list[str], list[str]] | None:
    norm = normalize(s)
    r = parse_responsibility(s, norm, 0, len(norm))
    return None if r is None else (r.lead, r.co)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_batch_reads_as_after_its_fixes_in_every_format(fmt: str) -> None:
    sc = _scorer()
    total: dict[str, int] | None = None
    for gold in sorted((BATCH / "gold").glob("*.jsonl")):
        s = sc.score_doc(sc.load(gold), _rows(gold.stem, fmt))
        total = s if total is None else {k: total[k] + s[k] for k in s}
    row = sc.line("TOTAL", total)
    assert row["gold"] == 24
    for key in ("measure_f1", "lead_acc", "co_acc", "deadline_acc", "path_acc"):
        assert row[key] == 1.0, row
    assert row["target_f1"] >= 0.8, row


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("责任秘书长:李振峰,责任单位:市政府办公室", (["市政府办公室"], [])),
        ("责任秘书长:李振峰、陈中,责任单位:市政府办公室<研究室>", (["市政府办公室<研究室>"], [])),
        ("牵头领导:张同生,责任秘书长:石海波,责任单位:徐圩新区管委会、市发改委", (["徐圩新区管委会", "市发改委"], [])),
        ("牵头秘书长:王某,牵头单位:市财政局;配合单位:市税务局", (["市财政局"], ["市税务局"])),
    ],
)
def test_a_persons_label_before_the_units_is_read_as_nothing(text: str, expect: tuple[list[str], list[str]]) -> None:
    assert _units(text) == expect


def test_the_persons_label_keeps_a_protection_measure_tied_to_units() -> None:
    r = parse_text(
        "三、保障措施\n1.建立强有力的推进工作体系。\n(责任秘书长:李振峰,责任单位:市政府办公室)\n"
        "2.推进区划调整。\n(责任秘书长:丁锐,责任单位:市民政局)\n"
    )
    assert [(m.text, m.lead_units) for m in r.measures] == [
        ("建立强有力的推进工作体系。", ["市政府办公室"]),
        ("推进区划调整。", ["市民政局"]),
    ]


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("省發改委、鐵路辦、哈爾濱鐵路局、相關市、縣政府負責", ["省發改委", "鐵路辦", "哈爾濱鐵路局", "相關市、縣政府"]),
        (
            "哈爾濱機場擴建指揮部、哈爾濱、黑河、綏芬河市政府、省農墾總局負責",
            ["哈爾濱機場擴建指揮部", "哈爾濱、黑河、綏芬河市政府", "省農墾總局"],
        ),
        ("市发改委、各市、县(区)人民政府负责", ["市发改委", "各市、县(区)人民政府"]),
    ],
)
def test_a_shared_suffix_place_list_is_one_party(text: str, expect: list[str]) -> None:
    assert _units(text) == (expect, [])


def test_bare_place_names_need_the_government_that_closes_them() -> None:
    assert is_unit_list("哈尔滨、黑河、绥芬河市政府")
    assert not is_unit_list("哈尔滨、黑河")  # no government after them: places, not units
    assert not is_unit_list("推进、落实市政府")  # a verb is no place name
    assert _units("哈尔滨、黑河等地") is None


def test_an_unnumbered_heading_where_the_numbering_restarts_heads_the_items_after_it() -> None:
    r = parse_text(
        "三、六项保障措施\n1.建立推进工作体系。\n(责任单位:市政府办公室)\n2.推进区划调整。\n(责任单位:市民政局)\n"
        "沿海开发十大重点争取推进事项\n(2010年2月,成立专门工作班子)\n"
        "1.建设区域性金融中心。\n(责任单位:市政府金融办)\n2.争取设立保税港区。\n(责任单位:市商务局)\n"
    )
    assert [(m.path[-1], m.text) for m in r.measures] == [
        ("三、六项保障措施", "建立推进工作体系。"),
        ("三、六项保障措施", "推进区划调整。"),
        ("沿海开发十大重点争取推进事项", "建设区域性金融中心。"),
        ("沿海开发十大重点争取推进事项", "争取设立保税港区。"),
    ]
    assert "沿海开发" not in r.measures[1].text


def test_a_short_line_with_no_restart_after_it_stays_text() -> None:
    r = parse_text(
        "一、重点任务\n1.建立推进工作体系。\n(责任单位:市政府办公室)\n2.推进区划调整。\n(责任单位:市民政局)\n"
        "加强统筹协调\n3.建设区域性金融中心。\n(责任单位:市政府金融办)\n"
    )
    assert {m.path[-1] for m in r.measures} == {"一、重点任务"}
    assert len(r.measures) == 3


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("二、三级子公司或创新版块等重点疏解项目", None),
        ("一、二类地区执行", None),
        ("三、重点任务", ("cn", 3)),
        ("二、三大攻坚行动", ("cn", 2)),
    ],
)
def test_a_series_of_ordinals_is_no_heading(text: str, expect: tuple[str, int] | None) -> None:
    got = match_marker(normalize(text), 0, len(text))
    assert (got[:2] if got else None) == expect


def test_a_pdf_line_starting_with_a_series_of_ordinals_continues_its_item() -> None:
    rows = _rows("h02_hebei", "pdf")
    assert len(rows) == 3
    assert all(r["path"] == ["二、主要任务"] for r in rows)
    assert "二、三级子公司" in rows[0]["text"]


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("建设1000万吨炼油配套100万吨乙烯石油炼化一体化项目。", []),  # the capacities name the project
        ("新改扩建国省干道5478公里。", [(5478.0, "公里")]),
        ("力争新增装机容量100万千瓦以上。", [(1000000.0, "千瓦")]),
        ("建设一批项目,新增产能200万吨。", [(2000000.0, "吨")]),
    ],
)
def test_a_capacity_that_names_a_project_is_no_target(text: str, expect: list[tuple[float, str]]) -> None:
    assert [(t.value, t.unit) for t in extract_targets(normalize(text))] == expect
