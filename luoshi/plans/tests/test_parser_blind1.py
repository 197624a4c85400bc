"""Blind batch 1 (`data/blind1`): twelve real plans from twelve provinces, in five formats each, scored with the
shared scorer. Its first reading, before any fix, is recorded in its README; after the fixes it is a regression
set like the others."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file

HERE = Path(__file__).parent
SET = HERE / "data" / "blind1"
STEMS = sorted(p.stem for p in (SET / "gold").glob("*.jsonl"))
FORMATS = ["txt", "flat.txt", "html", "docx", "pdf"]


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", HERE / "data" / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reaches_the_quality_bar(fmt: str) -> None:
    sc = _scorer()
    total: dict[str, int] | None = None
    for stem in STEMS:
        pred = [m.to_score_dict() for m in parse_file(SET / "docs" / f"{stem}.{fmt}", suggest=False).measures]
        s = sc.score_doc(sc.load(SET / "gold" / f"{stem}.jsonl"), pred)
        total = s if total is None else {k: total[k] + s[k] for k in s}
    row = sc.line("TOTAL", total)
    for key in ("measure_f1", "lead_acc", "co_acc", "deadline_acc", "path_acc"):
        assert row[key] >= 0.98, row
    assert row["target_f1"] >= 0.8, row


def test_the_plan_title_is_the_plans_own_name() -> None:
    titles = {stem: parse_file(SET / "docs" / f"{stem}.txt", suggest=False).title for stem in STEMS}
    assert (
        titles["b303_chongqing"] == "重庆市2023年优化营商环境激发市场活力重点任务清单"
    )  # not 标  题:…的通知
    assert (
        titles["b306_tianjin"] == "天津市持续打造亲商安商优质服务环境若干措施"
    )  # not the notice over two lines
    assert titles["b308_shanxi"] == "山西省贯彻落实《促进中部地区崛起“十三五”规划》工作方案"
    assert titles["b309_xian"] == "西安市强化项目服务保障优化营商环境工作方案"
    assert (
        titles["b311_taizhou"] == "聚焦企业关切进一步优化营商环境行动方案"
    )  # from the notice: no title line
