"""Blind batch 3 (`data/blind3`): eight real plans (河南, 浙江, 青海, 广东, 湖北, 江西 — new to the sets), in five formats each, scored with the
shared scorer. Its first reading, before any fix, is recorded in its README; after the fixes it is a regression
set like the others."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file

HERE = Path(__file__).parent
SET = HERE / "data" / "blind3"
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
    for key in ("measure_f1", "lead_acc", "co_acc", "deadline_acc"):
        assert row[key] >= 0.98, row
    assert row["path_acc"] >= 0.98, row
    assert row["target_f1"] >= 0.8, row
