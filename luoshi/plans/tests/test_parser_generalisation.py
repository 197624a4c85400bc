"""The parser on plans from other cities and provinces, in other formats, scored with the shared scorer.

The documents in `data/generalisation/docs` (a 区县 .txt with "(责任单位:…;完成时限:…)" and traditional characters,
a LibreOffice .pdf with responsibility lines after each measure, a gb2312 .html page with 行动N/任务N headings and
〔…〕 brackets, a .docx with Word auto-numbering and a merged task table, a web crawl whose line breaks were lost)
were annotated by hand in `data/generalisation/gold` following `data/gold/README.md`. `make_docs.py` rebuilds them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from luoshi.plans.parser import parse_file

HERE = Path(__file__).parent
GEN = HERE / "data" / "generalisation"


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_extraction", HERE / "data" / "score_extraction.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _doc(stem: str) -> Path:
    return next(p for p in (GEN / "docs").iterdir() if p.stem == stem)


def _score(stem: str) -> dict[str, int]:
    sc = _scorer()
    result = parse_file(_doc(stem))
    pred = [m.to_score_dict() for m in result.measures]
    return sc.score_doc(sc.load(GEN / "gold" / f"{stem}.jsonl"), pred)  # type: ignore[no-any-return]


STEMS = sorted(p.stem for p in (GEN / "gold").glob("*.jsonl"))


def test_every_format_is_represented() -> None:
    suffixes = {_doc(s).suffix for s in STEMS}
    assert {".txt", ".pdf", ".html", ".docx"} <= suffixes
    assert len(STEMS) >= 4


def test_other_cities_plans_reach_the_quality_bar() -> None:
    sc = _scorer()
    total: dict[str, int] | None = None
    for stem in STEMS:
        s = _score(stem)
        total = s if total is None else {k: total[k] + s[k] for k in s}
    assert total is not None
    row = sc.line("TOTAL", total)
    assert row["measure_f1"] >= 0.98, row
    assert row["lead_acc"] >= 0.98, row
    assert row["co_acc"] >= 0.98, row
    assert row["deadline_acc"] >= 0.98, row
    assert row["path_acc"] >= 0.95, row
    assert row["target_f1"] >= 0.90, row


@pytest.mark.parametrize("stem", STEMS)
def test_each_document_finds_its_measures(stem: str) -> None:
    sc = _scorer()
    row = sc.line(stem, _score(stem))
    assert row["measure_f1"] >= 0.9, row


def test_responsibility_division_is_reported_not_invented() -> None:
    result = parse_file(_doc("gen05_shushan"))
    units = [d["unit"] for d in result.responsibilities]
    assert units == ["区发展改革委", "区数据资源局", "区市场监管局", "各街道"]
    assert all("区数据资源局" not in m.lead_units for m in result.measures[3:])


def test_pdf_task_table_over_several_pages_is_read_as_one_table() -> None:
    from luoshi.plans.parser.readers import read_document

    doc = read_document(_doc("gen06_nanhai"))
    assert len(doc.tables) == 1  # the parts on each page are one table; the data rows keep their order
    lines = doc.text.splitlines()
    assert "区政务服务数据管理局" in lines  # a unit cell wrapped over three lines is one line again
    assert lines.count("序号") == 1  # the header repeated on each page is dropped
    assert any(
        ln.endswith("实现粤港澳大湾区内高频事项异地可办。") for ln in lines
    )  # a row broken by the page break
