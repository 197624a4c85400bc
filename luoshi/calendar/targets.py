"""The colour rules for measured values, beside the deadline kernel (pure, no Django).

``deadlines`` colours an item by time (working days left, reports missed); this module colours a *figure* by
its thresholds: an indicator value against its target, warning and advanced values, and a roll-up score
against its bands. Both answer with the one kernel :class:`~luoshi.calendar.deadlines.Colour` and a reason
in Chinese, so a leader reads the same 红灯 / 黄灯 / 绿灯 everywhere and can see why.
"""

from __future__ import annotations

from dataclasses import dataclass

from luoshi.calendar.deadlines import Colour

__all__ = ["ROLLUP_GREEN", "ROLLUP_YELLOW", "Judgement", "TargetThresholds", "attainment", "judge", "score_colour"]


@dataclass(frozen=True)
class TargetThresholds:
    """A figure's thresholds. ``higher_is_better`` False mirrors every comparison (e.g. 办理时长)."""

    higher_is_better: bool
    target: float | None
    warning: float | None = None
    advanced: float | None = None


@dataclass(frozen=True)
class Judgement:
    colour: Colour
    reason: str
    advanced: bool = False


def _fmt(x: float) -> str:
    return f"{x:g}"


def judge(value: float | None, t: TargetThresholds, unit: str = "") -> Judgement:
    """Red / yellow / green of one value.

    Higher is better: ≥ target green (≥ advanced: 先进); worse than warning red; otherwise yellow (without a
    warning value, anything short of target is yellow). No value, or no target: 未评估 (not coloured).

    >>> judge(96, TargetThresholds(True, 90, 70, 95), "%").reason
    '96% 不低于目标值 90%,达到先进值 95%'
    >>> judge(60, TargetThresholds(True, 90, 70)).colour.label
    '红灯'
    """
    if value is None:
        return Judgement(Colour.NONE, "本期尚无数值")
    if t.target is None:
        return Judgement(Colour.NONE, f"数值 {_fmt(value)}{unit},未设目标值")

    def better(a: float, b: float) -> bool:
        return a >= b if t.higher_is_better else a <= b

    word = "不低于" if t.higher_is_better else "不高于"
    if better(value, t.target):
        adv = t.advanced is not None and better(value, t.advanced)
        extra = f",达到先进值 {_fmt(t.advanced)}{unit}" if adv and t.advanced is not None else ""
        return Judgement(Colour.GREEN, f"{_fmt(value)}{unit} {word}目标值 {_fmt(t.target)}{unit}{extra}", adv)
    if t.warning is not None and not better(value, t.warning):
        return Judgement(
            Colour.RED, f"{_fmt(value)}{unit} 未达预警值 {_fmt(t.warning)}{unit}(目标 {_fmt(t.target)}{unit})"
        )
    return Judgement(Colour.YELLOW, f"{_fmt(value)}{unit} 未达目标值 {_fmt(t.target)}{unit}")


def attainment(value: float | None, t: TargetThresholds) -> float | None:
    """Score 0–100 of one value against its target (capped at 100): a roll-up's leaf score."""
    if value is None or t.target is None:
        return None
    if t.higher_is_better:
        if t.target <= 0:
            return 100.0 if value >= t.target else 0.0
        return round(max(0.0, min(100.0, 100.0 * value / t.target)), 1)
    if value <= t.target:
        return 100.0
    return round(max(0.0, min(100.0, 100.0 * t.target / value)) if value > 0 else 100.0, 1)


# Bands of a weighted 0–100 score (an indicator tree's roll-up).
ROLLUP_GREEN = 95.0
ROLLUP_YELLOW = 80.0


def score_colour(score: float | None) -> Colour:
    """绿灯 from 95, 黄灯 from 80, 红灯 below; no score: 未评估."""
    if score is None:
        return Colour.NONE
    if score >= ROLLUP_GREEN:
        return Colour.GREEN
    if score >= ROLLUP_YELLOW:
        return Colour.YELLOW
    return Colour.RED
