"""The deadline kernel: one window rule for one item and for arrays (Hypothesis proves they agree), the
colour rules on top, and the clock with pauses (补正) and extensions (延期). Pure: no database."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.calendar import deadlines
from luoshi.calendar.deadlines import Clock, ClockError, Colour
from luoshi.calendar.engine import day_number, default_calendar

D = dt.date
CAL = default_calendar()
dates = st.dates(min_value=D(2005, 1, 1), max_value=D(2099, 12, 30))


def test_one_colour_with_one_set_of_labels() -> None:
    assert [c.label for c in Colour] == ["未评估", "绿灯", "黄灯", "红灯"]
    assert Colour.choices()[1] == ("green", "绿灯")
    assert Colour("red") is Colour.RED and str(Colour.RED) == "red"


@settings(max_examples=300, deadline=None)
@given(today=dates, start=dates, deadline=dates)
def test_scalar_and_array_windows_agree(today: D, start: D, deadline: D) -> None:
    one = deadlines.window(today=today, start=start, deadline=deadline, calendar=CAL)
    many = deadlines.windows(
        today=[day_number(today)], start=[day_number(start)], deadline=[day_number(deadline)], calendar=CAL
    )
    assert (one.remaining, one.elapsed, one.total, one.overdue) == (
        int(many.remaining[0]),
        int(many.elapsed[0]),
        int(many.total[0]),
        int(many.overdue[0]),
    )
    assert one.share == pytest.approx(float(many.share[0]))
    # the one clamping rule
    assert one.remaining >= 0 and one.overdue >= 0 and 0 <= one.elapsed <= one.total
    assert 0.0 <= one.share <= 100.0
    assert (one.overdue > 0) == (today > deadline)
    assert one.remaining == 0 or today < deadline


@settings(max_examples=200, deadline=None)
@given(
    today=dates,
    start=dates,
    deadline=dates,
    percent=st.floats(0, 100),
    missed=st.integers(0, 3),
    returns=st.integers(0, 3),
)
def test_scalar_and_array_colours_agree(
    today: D, start: D, deadline: D, percent: float, missed: int, returns: int
) -> None:
    one = deadlines.assess(
        today=today,
        start=start,
        deadline=deadline,
        percent=percent,
        missed_reports=missed,
        returns=returns,
        calendar=CAL,
    )
    w = deadlines.windows(
        today=day_number(today), start=day_number(start), deadline=day_number(deadline), calendar=CAL
    )
    t = deadlines.DEFAULT_THRESHOLDS
    colour, flags, _ = deadlines.assess_counts(
        has_deadline=np.array([True]),
        remaining=w.remaining,
        overdue=w.overdue,
        share=w.share,
        percent=np.array([percent]),
        missed=np.array([missed]),
        returns=np.array([returns]),
        done=np.array([False]),
        window=np.array([t.yellow_window_workdays]),
        tolerance=np.array([t.lag_tolerance]),
        yellow_missed=np.array([t.yellow_missed_reports]),
        red_missed=np.array([t.red_missed_reports]),
        red_returns=np.array([t.red_returns]),
    )
    assert deadlines.COLOURS[int(colour[0])] == one.colour
    assert int(flags[0]) == int(one.flags)


def test_window_across_national_day() -> None:
    w = deadlines.window(today=D(2026, 9, 30), start=D(2026, 9, 1), deadline=D(2026, 10, 9), calendar=CAL)
    # the holiday eats most of the ten calendar days: two working days are left in (09-30, 10-09]
    assert w.remaining == CAL.workdays_between(D(2026, 10, 1), D(2026, 10, 10)).count == 2
    assert w.overdue == 0
    late = deadlines.window(today=D(2026, 10, 10), start=D(2026, 9, 1), deadline=D(2026, 10, 9), calendar=CAL)
    assert late.overdue == 1 and late.remaining == 0 and late.share == 100.0


def test_add_workdays_skips_holidays() -> None:
    assert deadlines.add_workdays(CAL, D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_clock_pause_resume_extend() -> None:
    clock = Clock(start=D(2026, 3, 2), limit_workdays=5)  # Monday; 5 working days → Monday 03-09
    assert clock.deadline(CAL, D(2026, 3, 2)) == D(2026, 3, 9)
    paused = clock.pause(D(2026, 3, 4), "补正:缺营业执照")
    assert paused.paused
    # while paused the deadline moves on with every working day
    assert paused.deadline(CAL, D(2026, 3, 6)) == D(2026, 3, 11)
    resumed = paused.resume(D(2026, 3, 6))  # paused 03-04, 03-05: two working days
    assert not resumed.paused and resumed.paused_workdays(CAL, D(2026, 4, 1)) == 2
    assert resumed.deadline(CAL, D(2026, 4, 1)) == D(2026, 3, 11)
    extended = resumed.extend(3, "情况复杂,延期", D(2026, 3, 10))
    assert extended.deadline(CAL, D(2026, 4, 1)) == D(2026, 3, 16)
    assert [p.reason for p in extended.pauses] == ["补正:缺营业执照"]  # each pause recorded
    with pytest.raises(ClockError):
        resumed.resume(D(2026, 3, 7))
    with pytest.raises(ClockError):
        paused.pause(D(2026, 3, 5), "again")
    with pytest.raises(ClockError):
        clock.extend(0, "x", D(2026, 3, 3))
    w = extended.window(CAL, D(2026, 3, 17))
    assert w.overdue == 1


def test_clock_rebuilt_from_stored_rows_matches_the_operations() -> None:
    """Requests keep pauses and the approved extension days as rows and rebuild the clock from them."""
    start = dt.date(2026, 9, 1)
    built = Clock(start=start, limit_workdays=15).pause(dt.date(2026, 9, 3), "补正").resume(dt.date(2026, 9, 10))
    built = built.extend(5, "延期", on=dt.date(2026, 9, 11))
    rows = Clock.from_rows(
        start=start, limit_workdays=15, pauses=[(dt.date(2026, 9, 3), dt.date(2026, 9, 10))], extension_workdays=5
    )
    today = dt.date(2026, 9, 20)
    assert rows.deadline(CAL, today) == built.deadline(CAL, today)
    still_paused = Clock.from_rows(start=start, limit_workdays=15, pauses=[(dt.date(2026, 9, 3), None)])
    assert still_paused.paused
    assert still_paused.deadline(CAL, dt.date(2026, 9, 10)) > Clock(start=start, limit_workdays=15).deadline(
        CAL, dt.date(2026, 9, 10)
    )


def test_add_working_hours_counts_office_hours_on_working_days_only() -> None:
    import zoneinfo

    sh = zoneinfo.ZoneInfo("Asia/Shanghai")
    friday_afternoon = dt.datetime(2026, 6, 5, 15, 0, tzinfo=sh)  # 2026-06-06/07 weekend
    assert deadlines.add_working_hours(CAL, friday_afternoon, 4) == dt.datetime(2026, 6, 8, 11, 0, tzinfo=sh)
    festival = dt.datetime(2026, 9, 25, 10, 0, tzinfo=sh)  # 中秋节 2026-09-25, then the weekend
    assert deadlines.add_working_hours(CAL, festival, 3) == dt.datetime(2026, 9, 28, 12, 0, tzinfo=sh)
    evening = dt.datetime(2026, 9, 28, 20, 0, tzinfo=sh)
    assert deadlines.add_working_hours(CAL, evening, 8) == dt.datetime(2026, 9, 29, 17, 0, tzinfo=sh)
    with pytest.raises(ValueError):
        deadlines.add_working_hours(CAL, dt.datetime(2026, 9, 28, 9, 0), 1)


def test_add_months_clamps_to_the_month_end() -> None:
    assert deadlines.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert deadlines.add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
