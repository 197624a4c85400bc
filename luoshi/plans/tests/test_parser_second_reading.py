"""The second reading of an overlong item (`structure.SECOND_READING_RULE`, ADR 0140): where the first reading left
one item holding far more text than any item should (or one item for a whole document) while its body lines are
numbered 1, 2, … in a style the marker table refused, those lines are items. A document read right is read as
before: the rule only looks at lines the first reading left unmarked, and never fires on the seeds or blind
batches 1–9 (compared measure by measure when it was added)."""

from __future__ import annotations

import pytest

from luoshi.plans.parser import parse_text
from luoshi.plans.parser.normalize import normalize
from luoshi.plans.parser.structure import OVERLONG_ITEM, SECOND_READING_RULE

ITEMS = [
    ("压缩办理时限", "全面推行容缺受理和告知承诺制,企业开办时间压缩至1个工作日以内,实现全程网办。"),
    ("规范涉企检查", "实行检查事项清单管理,清单之外无检查,推行“综合查一次”,减少对企业正常经营的干扰。"),
    ("优化水电气报装", "推行水电气网联合报装,压缩报装时限至5个工作日,小微企业低压接入实现零投资。"),
]


def _plan(marker: str, pad: int = 0) -> str:
    body = "".join(f"{marker.format(n=i + 1)}{t}。{x}{'持续推进。' * pad}\n" for i, (t, x) in enumerate(ITEMS))
    return (
        "某县优化营商环境实施方案\n一、总体要求\n坚持问题导向。\n二、重点任务\n"
        "(一)提升政务服务效能。\n" + body + "(二)强化要素保障。完善用地保障机制。(牵头单位:县自然资源局)\n"
    )


@pytest.mark.parametrize(("text", "n"), [(e.text, e.expect) for e in SECOND_READING_RULE.examples])
def test_the_rules_examples(text: str, n: int) -> None:
    m = SECOND_READING_RULE.pattern.match(normalize(text))
    assert m is not None and int(m.group(1)) == n


@pytest.mark.parametrize("marker", ["{n})", "{n}）"])
def test_items_numbered_in_a_refused_style_inside_an_overlong_item_are_items(marker: str) -> None:
    plan = _plan(marker, pad=30)
    assert len(plan) > OVERLONG_ITEM
    ms = parse_text(plan).measures
    assert [m.title for m in ms] == [*(t for t, _ in ITEMS), "强化要素保障"]
    assert all(m.path[-1] == "(一)提升政务服务效能。" for m in ms[:3])
    assert ms[3].lead_units == ["县自然资源局"]


def test_an_item_of_ordinary_length_is_left_as_the_first_reading_has_it() -> None:
    ms = parse_text(_plan("{n})")).measures
    assert len(ms) == 2  # (一) and its short body, as before the rule; (二)
    assert ms[0].text.count(")") >= 2


def test_the_one_item_of_a_document_is_read_again() -> None:
    plan = "某县优化营商环境实施方案\n一、重点任务\n" + "".join(
        f"{i + 1}){t}。{x}\n责任单位:县政务服务中心\n" for i, (t, x) in enumerate(ITEMS)
    )
    ms = parse_text(plan).measures
    assert [m.title for m in ms] == [t for t, _ in ITEMS]
    assert all(m.lead_units == ["县政务服务中心"] for m in ms)


def test_numbers_out_of_order_are_no_items() -> None:
    plan = "某县优化营商环境实施方案\n一、重点任务\n" + "".join(
        f"{n}){t}。{x}\n" for n, (t, x) in zip((2, 5, 3), ITEMS, strict=True)
    )
    assert len(parse_text(plan).measures) == 1


def test_a_real_plan_numbered_in_a_refused_style_reads_its_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blind batch 9's i06 with its items numbered "1)" "2)" (no style of the marker table): the first reading
    leaves one measure over both items (its only leaf), the second reads the two."""
    import re
    from pathlib import Path

    from luoshi.plans.parser import structure

    doc = Path(__file__).parent / "data" / "blind9" / "docs" / "i06_zhenjiang.txt"
    text = re.sub(r"(?m)^(\s*)(\d)\. ", r"\1\2)", doc.read_text(encoding="utf-8"))
    ms = parse_text(text).measures
    assert len(ms) == 2
    assert str(ms[0].deadline) == "2025-03-10" and ms[0].text.startswith("2025年3月10日前")
    monkeypatch.setattr(structure, "_split_renumbered", lambda norm, nd: None)
    assert len(parse_text(text).measures) == 1


def test_items_numbered_in_a_refused_style_inside_one_line_are_items() -> None:
    """The same with its line breaks lost: "…。2)…" inside one line is cut where the numbering goes on."""
    import re
    from pathlib import Path

    doc = Path(__file__).parent / "data" / "blind9" / "docs" / "i06_zhenjiang.txt"
    text = re.sub(r"(?m)^(\s*)(\d)\. ", r"\1\2)", doc.read_text(encoding="utf-8")).replace("\n", "")
    ms = parse_text(text).measures
    assert len(ms) == 2 and ms[1].text.startswith("縣級")


def test_a_bracketed_number_out_of_sequence_inside_a_line_is_no_item() -> None:
    plan = "某县优化营商环境实施方案\n一、重点任务\n" + "".join(f"{t}。{x}" for t, x in ITEMS) * 4 + "见附表2)。"
    plan += "1)" + ITEMS[0][0] + "。" + ITEMS[0][1] + "3)" + ITEMS[1][0] + "。\n"
    ms = parse_text(plan).measures
    assert len(ms) == 1
