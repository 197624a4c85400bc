"""Enterprise size (工信部联企业〔2011〕300号): every boundary of every industry group, written out again here from the
text of the standard (an independent transcription, not read from the engine's table)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from luoshi.policies.engine.size import STANDARD_2011, classify, classify_many, group_for

# group, a code in it, (employees 大/中/小), (revenue 大/中/小), (assets 大/中/小); None = not an indicator
GOLDEN = [
    ("农、林、牧、渔业", "A0111", None, (20000, 500, 50), None),
    ("工业", "B0610", (1000, 300, 20), (40000, 2000, 300), None),
    ("工业", "C3911", (1000, 300, 20), (40000, 2000, 300), None),
    ("工业", "D4411", (1000, 300, 20), (40000, 2000, 300), None),
    ("建筑业", "E4710", None, (80000, 6000, 300), (80000, 5000, 300)),
    ("批发业", "F5111", (200, 20, 5), (40000, 5000, 1000), None),
    ("零售业", "F5211", (300, 50, 10), (20000, 500, 100), None),
    ("交通运输业", "G5411", (1000, 300, 20), (30000, 3000, 200), None),
    ("仓储业", "G5910", (200, 100, 20), (30000, 1000, 100), None),
    ("邮政业", "G6010", (1000, 300, 20), (30000, 2000, 100), None),
    ("住宿业", "H6110", (300, 100, 10), (10000, 2000, 100), None),
    ("餐饮业", "H6210", (300, 100, 10), (10000, 2000, 100), None),
    ("信息传输业", "I6311", (2000, 100, 10), (100000, 1000, 100), None),
    ("信息传输业", "I6410", (2000, 100, 10), (100000, 1000, 100), None),
    ("软件和信息技术服务业", "I6510", (300, 100, 10), (10000, 1000, 50), None),
    ("房地产开发经营", "K7010", None, (200000, 1000, 100), (10000, 5000, 2000)),
    ("物业管理", "K7020", (1000, 300, 100), (5000, 1000, 500), None),
    ("租赁和商务服务业", "L7111", (300, 100, 10), None, (120000, 8000, 100)),
    ("其他未列明行业", "M7320", (300, 100, 10), None, None),
    ("其他未列明行业", "K7030", (300, 100, 10), None, None),
]
TIERS = ("大型", "中型", "小型", "微型")


def _probe(emp, rev, ast, tier: int, drop: str | None) -> tuple[float | None, float | None, float | None]:
    """Values exactly at the lower bounds of `tier`; with `drop`, that one indicator one unit below."""
    def at(bounds, name):
        if bounds is None:
            return 1.0  # not an indicator of this group: any value
        v = float(bounds[tier])
        return v - 1 if drop == name else v
    return at(emp, "emp"), at(rev, "rev"), at(ast, "ast")


def _cases():
    for name, code, emp, rev, ast in GOLDEN:
        indicators = [k for k, b in (("emp", emp), ("rev", rev), ("ast", ast)) if b is not None]
        for tier in range(3):
            yield pytest.param(name, code, _probe(emp, rev, ast, tier, None), TIERS[tier],
                               id=f"{code}-{TIERS[tier]}-at-bound")
            for k in indicators:
                yield pytest.param(name, code, _probe(emp, rev, ast, tier, k), TIERS[tier + 1],
                                   id=f"{code}-{TIERS[tier]}-{k}-below")


@pytest.mark.parametrize(("group", "code", "values", "expected"), list(_cases()))
def test_every_boundary_of_every_group(group, code, values, expected) -> None:
    result = classify(code, *values, on=dt.date(2026, 1, 1))
    assert (result.group, result.label) == (group, expected), result.reason


def test_the_golden_table_covers_every_group_of_the_standard() -> None:
    names = {g.name for g in STANDARD_2011.groups} | {STANDARD_2011.other.name}
    assert names == {row[0] for row in GOLDEN}


def test_missing_indicator_is_named() -> None:
    r = classify("C3911", 50, None)
    assert r.label == "待核实" and r.missing == ("revenue",) and "营业收入" in r.reason
    r = classify("E4710", None, 500, None)
    assert r.missing == ("assets",) and "资产总额" in r.reason
    assert classify(None, 5, 5).missing == ("industry",)


def test_codes_too_coarse_for_a_group_ask_for_a_finer_code() -> None:
    for code in ("F", "G", "I", "K", "K70"):
        r = classify(code, 10, 100, 100)
        assert r.label == "待核实" and r.missing == ("industry",), code
    assert classify("C", 20, 300).label == "小型"  # the whole section is 工业


def test_code_forms_and_not_applicable_sections() -> None:
    assert group_for("3911") == group_for("c 3911") == group_for("C3911")
    assert classify("J6610", 10, 10).label == "不适用"
    assert "309号" in classify("J66", 10, 10).reason


def test_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(5)
    cats = [row[1] for row in GOLDEN] + ["F", "J6610"]
    ids = rng.integers(-1, len(cats), 4000).astype(np.int32)
    emp = np.floor(rng.lognormal(3, 2, 4000))
    rev = np.round(rng.lognormal(6, 3, 4000))
    ast = np.round(rng.lognormal(6, 3, 4000))
    emp[rng.random(4000) < 0.05] = np.nan
    got = classify_many(cats, ids, emp, rev, ast, dt.date(2026, 1, 1))
    for i in range(4000):
        code = None if ids[i] < 0 else cats[ids[i]]
        vals = [None if np.isnan(v) else float(v) for v in (emp[i], rev[i], ast[i])]
        r = classify(code, *vals, on=dt.date(2026, 1, 1))
        assert got[i] == (TIERS.index(r.size) if r.size else -1)
