"""The kernel's colour rules for measured values: one Colour, one set of labels, a reason with the figures."""

from __future__ import annotations

import doctest

from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from luoshi.calendar import targets
from luoshi.calendar.deadlines import Colour
from luoshi.calendar.targets import TargetThresholds, attainment, judge, score_colour


def test_higher_is_better_colours_and_reasons() -> None:
    t = TargetThresholds(higher_is_better=True, target=90, warning=70, advanced=98)
    assert judge(99, t, "%").colour is Colour.GREEN and judge(99, t).advanced
    assert judge(90, t).colour is Colour.GREEN and not judge(90, t).advanced
    assert judge(80, t).colour is Colour.YELLOW
    red = judge(60, t, "%")
    assert red.colour is Colour.RED and "预警值 70%" in red.reason
    assert judge(None, t).colour is Colour.NONE and judge(None, t).colour.label == "未评估"


def test_lower_is_better_mirrors() -> None:
    t = TargetThresholds(higher_is_better=False, target=1, warning=3, advanced=0.5)
    assert judge(0.4, t).advanced
    assert judge(2, t).colour is Colour.YELLOW
    assert judge(3.5, t).colour is Colour.RED
    assert attainment(2, t) == 50.0
    assert attainment(0.8, t) == 100.0


def test_no_target_is_not_coloured() -> None:
    j = judge(5, TargetThresholds(True, None))
    assert j.colour is Colour.NONE and "未设目标值" in j.reason


def test_score_bands() -> None:
    assert [score_colour(s) for s in (None, 100, 95, 94.9, 80, 79.9)] == [
        Colour.NONE, Colour.GREEN, Colour.GREEN, Colour.YELLOW, Colour.YELLOW, Colour.RED,
    ]


@given(
    value=st.floats(-1e6, 1e6, allow_nan=False),
    target=st.floats(-1e6, 1e6, allow_nan=False),
    gap=st.floats(0, 1e6, allow_nan=False),
    higher=st.booleans(),
)
def test_mirror_and_monotone(value: float, target: float, gap: float, higher: bool) -> None:
    """Lower-is-better is higher-is-better on negated figures; a better value never gets a worse colour."""
    warning = target - gap if higher else target + gap
    t = TargetThresholds(higher, target, warning)
    mirrored = TargetThresholds(not higher, -target, -warning)
    assert judge(value, t).colour is judge(-value, mirrored).colour
    rank = {Colour.RED: 0, Colour.YELLOW: 1, Colour.GREEN: 2}
    better = value + 1 if higher else value - 1
    assert rank[judge(better, t).colour] >= rank[judge(value, t).colour]


def test_doctests() -> None:
    assert doctest.testmod(targets).failed == 0


def test_badge_tag_shows_the_kernel_label() -> None:
    html = Template("{% load luoshi_colour %}{% colour_badge c %}|{% colour_badge d %}|{% colour_badge e %}").render(
        Context({"c": "red", "d": "", "e": "bogus"})
    )
    assert html == '<span class="badge red">红灯</span>|<span class="badge">未评估</span>|<span class="badge">未评估</span>'
