"""The parser on the seed plans, scored against the hand-checked gold with the shared scorer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from luoshi.plans.parser import parse_text

HERE = Path(__file__).parent
SEEDS = HERE.parent / "demo_data"
GOLD = HERE / "data" / "gold"


def _scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score_extraction", HERE / "data" / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seed_plans_reach_the_quality_bar() -> None:
    sc = _scorer()
    total = None
    for gold_file in sorted(GOLD.glob("*.jsonl")):
        result = parse_text((SEEDS / f"{gold_file.stem}.txt").read_text(encoding="utf-8"), suggest=False)
        pred = [m.to_score_dict() for m in result.measures]
        s = sc.score_doc(sc.load(gold_file), pred)
        total = s if total is None else {k: total[k] + s[k] for k in s}
    assert total is not None
    row = sc.line("TOTAL", total)
    assert row["measure_f1"] >= 0.98, row
    assert row["lead_acc"] >= 0.98, row
    assert row["co_acc"] >= 0.98, row
    assert row["deadline_acc"] >= 0.98, row
    assert row["path_acc"] >= 0.95, row
    assert row["target_f1"] >= 0.90, row


@pytest.mark.parametrize(
    ("seed", "kind"), [("003_bddd357ada73045f", "news"), ("004_551b2062c8ee8ce0", "interpretation")]
)
def test_interpretations_and_news_give_facts_not_measures(seed: str, kind: str) -> None:
    result = parse_text((SEEDS / f"{seed}.txt").read_text(encoding="utf-8"))
    assert result.kind == kind
    assert result.measures == []
    assert result.facts


def test_interpretation_facts_are_the_stated_counts() -> None:
    result = parse_text((SEEDS / "004_551b2062c8ee8ce0.txt").read_text(encoding="utf-8"))
    phrases = {c["phrase"] for c in result.facts["counts"]}
    assert {"20条重点任务", "85条细化措施"} <= phrases
    assert result.facts["areas"] == ["市场", "法治", "开放", "政务", "产业", "科创"]


def test_news_facts_keep_the_time_limits() -> None:
    result = parse_text((SEEDS / "003_bddd357ada73045f.txt").read_text(encoding="utf-8"))
    limits = {t["phrase"] for t in result.facts["time_limits"]}
    assert {"紧急诉求3日办", "平急诉求5日办", "疑难诉求15日办", "项目签约6个月内开工"} <= limits


def test_plan_year_and_issue_date_come_from_the_document() -> None:
    result = parse_text((SEEDS / "000_1b4671120436f1db.txt").read_text(encoding="utf-8"), suggest=False)
    assert result.year == 2025
    assert result.issued_on is not None and result.issued_on.isoformat() == "2025-04-09"
    assert result.issuer == "荆门市人民政府办公室"
    assert result.title == "聚焦产业转型升级示范区建设持续改进提升营商环境行动方案"


def test_spans_point_into_the_original_text() -> None:
    text = (SEEDS / "001_88b739cb7ba7b078.txt").read_text(encoding="utf-8")
    result = parse_text(text, suggest=False)
    for m in result.measures:
        a, b = m.span
        assert result.text[a:b].strip() == m.text
