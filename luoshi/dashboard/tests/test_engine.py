"""The pure engine: roll-ups, composite score, ranks (indicator colours: calendar/tests/test_targets.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from luoshi.dashboard import engine
from luoshi.dashboard.engine import Component, Node, Tally


def test_weighted_roll_up_skips_missing_children() -> None:
    nodes = engine.weighted_roll_up(
        [Node(1, None, 1), Node(2, 1, 50, 100.0), Node(3, 1, 30, 50.0), Node(4, 1, 20, None)]
    )
    assert nodes[1].score == pytest.approx((50 * 100 + 30 * 50) / 80, abs=0.1)
    assert nodes[1].missing == 1


def test_region_roll_up_adds_each_region_to_its_ancestors() -> None:
    paths = {1: "/1/", 2: "/1/2/", 3: "/1/2/3/", 4: "/1/4/"}
    out = engine.roll_up({2: Tally(1, 2), 3: Tally(1, 1), 4: Tally(0, 1)}, paths)
    assert out[1] == Tally(2, 4) and out[2] == Tally(2, 3) and out[3] == Tally(1, 1) and out[4] == Tally(0, 1)


def test_composite_leaves_out_what_is_not_due_and_nothing_due_is_not_ranked() -> None:
    w = {"a": 40, "b": 30, "c": 30}
    s = engine.composite(
        [Component("a", 50), Component("b", None), Component("c", 20, higher_is_better=False)], w
    )
    assert s.score == pytest.approx((40 * 50 + 30 * 80) / 70, abs=0.1)
    nothing = engine.composite([Component("a", None), Component("b", None)], w)
    assert nothing.score is None and "不参与排名" in nothing.explain({})
    assert engine.rank({1: 90, 2: 80, 3: 90, 4: None}) == {1: 1, 3: 1, 2: 3}


def test_top_bottom_never_lists_a_unit_twice() -> None:
    top, bottom = engine.top_bottom([1, 2, 3, 4, 5])
    assert top == [1, 2] and bottom == [5, 4]
    top, bottom = engine.top_bottom(list(range(30)))
    assert len(top) == 10 and bottom[0] == 29


def test_periods_parse_and_label() -> None:
    q = engine.parse_period("quarter", "2026-Q2")
    assert (q.start, q.end, q.label()) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30), "2026年第2季度")
    assert engine.parse_period("month", "2026-05").key == "2026-05"
    assert engine.parse_period("week", "2026-W19").start == dt.date(2026, 5, 4)
    assert engine.previous_period(q).key == "2026-Q1"
    with pytest.raises(ValueError, match="格式不对"):
        engine.parse_period("month", "五月")
