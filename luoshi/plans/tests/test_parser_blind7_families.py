"""Blind batch 7 (`data/blind7`): what its fixes do, pinned.

The batch's first reading (README) showed these families, each fixed in general:
- responsibility labels in ASCII square brackets ("[牵头单位:X;责任单位:Y]", "[责任单位:…,排在首位为牵头单位,下同]")
  were no parenthetical: "[" and "]" fold to "(" and ")" in the normalised copy (`normalize._LOOKALIKE`), so a
  unit's own alias inside them ("县发改局(粮食局)") stays one unit;
- a numeral and "、" inside a quotation ("“多证合一、一照一码”") split the line as a heading "一、"
  (`structure._in_open_quote`), and a title's "、" inside a quotation no longer makes it a list
  (`extract._TITLE_SENTENCE`);
- deadlines: a year opening a sentence before a figure or a commitment ("2023年,计划推进…", "2023年政府专项债储备额度
  45亿元以上") is that year's end (`deadlines` rule "date:YYYY年, (sentence start)"); "不高于2017年" compares, it
  dates nothing; a plan with no date of its own takes the latest year of the documents it cites
  (`document.detect_dates`: "根据《…》(昆政发〔2016〕13号)" → 2016, so "5月底前" → 2016-05-31);
- PDF lines: every bracket style counts as open, a ")" closing an inner bracket does not end the paragraph while an
  outer one stays open, a "》" at the right margin continues like a closing quote (`readers.join_pdf_lines`);
- targets: a budget allocated (安排N元 and the parts of its 其中 breakdown), a price per unit (5元/平方米), a bound's
  own note (6亩以下(不含6亩)), "N人(含)以下的" scope and a ranking that picks who a policy reaches (前10位的项目)
  are no targets (`targets.FIGURE_VETOES`, `_read_rank`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file, parse_text
from luoshi.plans.parser.deadlines import parse_deadline
from luoshi.plans.parser.normalize import normalize
from luoshi.plans.parser.readers import join_pdf_lines, unwrap_fixed_width
from luoshi.plans.parser.targets import extract_targets

DATA = Path(__file__).parent / "data"
BATCH = DATA / "blind7"
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
    assert row["gold"] == 22
    for key in ("measure_f1", "lead_acc", "co_acc", "deadline_acc", "path_acc", "target_f1"):
        assert row[key] == 1.0, row


@pytest.mark.parametrize("fmt", FORMATS)
def test_labels_in_square_brackets_are_read_with_their_legend_and_aliases(fmt: str) -> None:
    (m,) = _rows("g02_jiangmen", fmt)
    assert (m["lead_units"], m["co_units"]) == (["市财政局"], ["市税务局", "各市(区)政府"])
    first = _rows("g03_jiayu", fmt)[0]
    assert (first["lead_units"], first["co_units"]) == (["县发改局(粮食局)"], ["各镇人民政府", "嘉鱼经济开发区"])
    assert first["text"] == "地区生产总值增长11%。"


def test_square_brackets_fold_like_the_other_brackets() -> None:
    assert normalize("[责任单位:市财政局]") == "(责任单位:市财政局)"
    r = parse_text("一、重点任务\n(一)地区生产总值增长7%。[牵头单位:县发改局;责任单位:各镇人民政府]\n")
    (m,) = r.measures
    assert (m.lead_units, m.co_units) == (["县发改局"], ["各镇人民政府"])


def test_a_numeral_inside_a_quotation_starts_no_heading_and_keeps_the_title() -> None:
    r = parse_text(
        "一、持续减少审批事项\n"
        "1.深化商事制度改革。(1)全面落实“多证合一、一照一码”改革。按照能整合的尽量整合的原则,全面实行“多证合一、"
        "一照一码”。(市工商质监局牵头负责)(2)完善企业登记全程电子化。推行全程电子化登记。(市工商质监局牵头负责)\n"
    )
    assert [m.title for m in r.measures] == ["全面落实“多证合一、一照一码”改革", "完善企业登记全程电子化"]
    assert {tuple(m.path) for m in r.measures} == {("一、持续减少审批事项", "1.深化商事制度改革。")}
    assert all(m.lead_units == ["市工商质监局"] for m in r.measures)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("强化保障。2023年,计划推进全区183个新建、续建项目。", "2023-12-31"),
        ("做大基金规模。2023年政府专项债储备额度45亿元以上。", "2023-12-31"),
        ("2023年,争取上级专项资金增长10%以上。", "2023-12-31"),
        ("继续按不高于2017年征收标准征收残疾人就业保障金。", None),  # a comparison, not a date
        ("2021年5月1日起按照省级统筹标准执行。", None),  # a start
        ("2020年以来,全市完成改造100个。", None),
        ("2024年度考核结果优秀。", None),
    ],
)
def test_a_year_opening_a_sentence_dates_its_commitment(text: str, expect: str | None) -> None:
    d = parse_deadline(None, normalize(text), 2023).date
    assert (d.isoformat() if d else None) == expect


def test_a_plan_with_no_date_takes_the_year_of_the_documents_it_cites() -> None:
    (first, *_) = _rows("g07_guandu", "txt")
    assert first["deadline"] == "2016-05-31"  # "5月底前" in a plan citing 昆政发〔2016〕13号
    r = parse_text("根据《某市若干措施》(某政发〔2019〕3号),制定如下措施。\n一、重点任务\n1.建设平台。6月底前上线运行。\n")
    assert r.year == 2019
    assert r.measures[0].deadline == parse_deadline(None, "6月底前上线运行。", 2019).date


def test_pdf_lines_inside_an_open_bracket_or_after_a_title_mark_at_the_margin_join() -> None:
    width = "一" * 30
    text = join_pdf_lines([[width + "[责任单位:市财政局,各市(区)", "政府,排在首位为牵头单位,下同]"]])
    assert text == width + "[责任单位:市财政局,各市(区)政府,排在首位为牵头单位,下同]\n"
    text = join_pdf_lines([[width + "严格执行《调整方案的通知》", "(江府函〔2017〕200号)规定的税额标准。"]])
    assert text == width + "严格执行《调整方案的通知》(江府函〔2017〕200号)规定的税额标准。\n"


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("市财政安排预算资金8500万元。", []),  # a budget
        ("安排58亿元财政资金,其中,道路基础设施建设10亿元,环境整治6亿元。", []),  # and its parts
        ("安排专项资金,确保完成投资100亿元。", [(10000000000.0, "元")]),  # a commitment after 安排 stays
        ("2023年政府专项债储备额度45亿元以上。", [(4500000000.0, "元")]),
        ("工业用地:一级5元/平方米、二级4元/平方米。", []),  # a price per unit
        ("辖区范围内6亩以下(不含6亩)的土地使用转让手续。", []),  # a bound and its note
        ("在职职工总数30人(含)以下的企业暂免征收。", []),  # scope
        ("对绩效评价结果前10位的项目,给予一次性奖补。", []),  # who a policy reaches
        ("营商环境评价进入全省前10位。", [(10.0, "名")]),  # a ranking to reach
    ],
)
def test_budgets_prices_bounds_and_picked_rankings_are_no_targets(text: str, expect: list[tuple[float, str]]) -> None:
    assert [(t.value, t.unit) for t in extract_targets(normalize(text))] == expect


def test_a_text_copied_out_of_a_pdf_is_joined_at_its_width() -> None:
    titles = [m["title"] for m in _rows("g08_zhengwu", "txt")]
    assert titles == ["全面落实优化营商环境政务服务领域提升措施", None, "加快推进政务服务平台升级", "健全政务服务体系能力建设"]
    wrapped = "\n".join(
        [
            "(一)全面落实政务服务提升措施。按照市政府主要领导",
            "的批示和要求,认真借鉴先进城市在优化营商环境工作中",
            "的亮点和先进经验,持续优化我市营商环境,全面构建线上",
            "线下深度融合、方便快捷、公平普惠、优质高效的政务服",
            "务体系。",
            "(二)加快推进政务服务平台升级。根据急用先行的原则升",
            "级改造政务服务管理系统、核验助手、水电气并联审批等功",
            "能模块,夯实政务服务平台建设基础,提升服务能力水平。",
        ]
    )
    assert unwrap_fixed_width(wrapped).split("\n")[:2] == [
        "(一)全面落实政务服务提升措施。按照市政府主要领导的批示和要求,认真借鉴先进城市在优化营商环境工作中的亮点和"
        "先进经验,持续优化我市营商环境,全面构建线上线下深度融合、方便快捷、公平普惠、优质高效的政务服务体系。",
        "(二)加快推进政务服务平台升级。根据急用先行的原则升级改造政务服务管理系统、核验助手、水电气并联审批等功能模块,"
        "夯实政务服务平台建设基础,提升服务能力水平。",
    ]
    plain = "一、重点任务\n(一)建设平台。完成系统上线运行。\n(二)优化服务。推行帮办代办。\n"
    assert unwrap_fixed_width(plain) == plain  # ordinary lines are left alone
