"""The colour rules at their boundaries, on working days, across the 2026 National Day (pure, no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from luoshi.calendar import deadlines
from luoshi.calendar.deadlines import Colour, Thresholds
from luoshi.calendar.engine import default_calendar

CAL = default_calendar()
D = dt.date


def colour(**kw: object) -> deadlines.Assessment:
    base: dict[str, object] = {"start": D(2026, 1, 5), "calendar": CAL}
    base.update(kw)
    return deadlines.assess(**base)  # type: ignore[arg-type]


def test_on_track_is_green() -> None:
    a = colour(today=D(2026, 6, 1), deadline=D(2026, 12, 31), percent=60)
    assert a.colour == Colour.GREEN
    assert "按序时推进" in a.reason


def test_yellow_window_is_fifteen_working_days_inclusive() -> None:
    # Given a deadline of Friday 2026-07-31: working days in (today, deadline]
    deadline = D(2026, 7, 31)
    fifteen = D(2026, 7, 10)  # Fri: 13..17, 20..24, 27..31 = 15 working days left
    sixteen = D(2026, 7, 9)
    assert CAL.workdays_between(fifteen + dt.timedelta(1), deadline + dt.timedelta(1)).count == 15
    assert colour(today=fifteen, deadline=deadline, percent=10).colour == Colour.YELLOW
    assert colour(today=sixteen, deadline=deadline, percent=10).colour == Colour.GREEN
    # inside the window but not lagging 序时进度: green
    assert colour(today=fifteen, deadline=deadline, percent=99).colour == Colour.GREEN


def test_national_day_2026_does_not_eat_into_the_window() -> None:
    # 2026-09-25 (中秋) and 10-01..07 (国庆) are holidays; 10-10 (Sat) is a make-up working day.
    deadline = D(2026, 10, 20)
    today = D(2026, 9, 22)  # 28 calendar days before, but only 15 working days
    left = CAL.workdays_between(today + dt.timedelta(1), deadline + dt.timedelta(1)).count
    assert left == 15
    a = colour(today=today, deadline=deadline, percent=10)
    assert a.colour == Colour.YELLOW
    assert a.remaining_workdays == 15
    assert "仅剩15个工作日" in a.reason
    # one calendar day earlier there are 16 working days left: green
    assert colour(today=D(2026, 9, 21), deadline=deadline, percent=10).colour == Colour.GREEN
    # across the holiday the count stands still: 09-30 and 10-07 leave the same number of working days
    left_930 = colour(today=D(2026, 9, 30), deadline=deadline, percent=10).remaining_workdays
    left_1007 = colour(today=D(2026, 10, 7), deadline=deadline, percent=10).remaining_workdays
    assert left_930 == left_1007 == 10


def test_overdue_the_day_after_the_deadline_not_on_it() -> None:
    deadline = D(2026, 9, 30)
    assert colour(today=deadline, deadline=deadline, percent=100).colour == Colour.GREEN
    on_holiday = colour(today=D(2026, 10, 1), deadline=deadline, percent=100)
    assert on_holiday.colour == Colour.RED  # past the deadline, even on a holiday
    assert "已超过完成时限" in on_holiday.reason
    after = colour(today=D(2026, 10, 9), deadline=deadline, percent=100)
    assert after.overdue_workdays == 2  # 10-08 and 10-09 are the first working days after the holiday


def test_schedule_progress_counts_working_days() -> None:
    # start Mon 2026-09-28, deadline Fri 2026-10-16: 3 + 3 (10-08..10) + 5 = 11 working days
    pct = deadlines.schedule_percent(
        today=D(2026, 10, 7), start=D(2026, 9, 28), deadline=D(2026, 10, 16), calendar=CAL
    )
    assert pct == pytest.approx(100 * 3 / 11)


@pytest.mark.parametrize(("missed", "expected"), [(0, Colour.GREEN), (1, Colour.YELLOW), (2, Colour.RED)])
def test_missed_reports(missed: int, expected: Colour) -> None:
    a = colour(today=D(2026, 6, 1), deadline=D(2026, 12, 31), percent=80, missed_reports=missed)
    assert a.colour == expected
    if missed:
        assert f"{missed}次未按期报送" in a.reason


@pytest.mark.parametrize(("returns", "expected"), [(1, Colour.GREEN), (2, Colour.RED)])
def test_returned_twice_is_red(returns: int, expected: Colour) -> None:
    assert (
        colour(today=D(2026, 6, 1), deadline=D(2026, 12, 31), percent=80, returns=returns).colour == expected
    )


def test_ongoing_tasks_have_no_deadline_rules() -> None:
    a = colour(today=D(2030, 1, 1), deadline=None, ongoing=True, percent=0)
    assert a.colour == Colour.GREEN
    assert a.reason.startswith("长期坚持")
    assert colour(today=D(2026, 6, 1), deadline=None, ongoing=True, missed_reports=1).colour == Colour.YELLOW


def test_done_is_green_even_past_the_deadline() -> None:
    assert (
        colour(today=D(2027, 1, 5), deadline=D(2026, 12, 31), percent=100, done=True).colour == Colour.GREEN
    )


def test_thresholds_are_configurable() -> None:
    t = Thresholds(
        yellow_window_workdays=5,
        lag_tolerance=10,
        yellow_missed_reports=2,
        red_missed_reports=3,
        red_returns=3,
    )
    deadline = D(2026, 7, 31)
    assert colour(today=D(2026, 7, 10), deadline=deadline, percent=10, thresholds=t).colour == Colour.GREEN
    near = D(2026, 7, 24)  # 5 working days left, 序时进度 ~97%
    assert (
        colour(today=near, deadline=deadline, percent=90, thresholds=t).colour == Colour.GREEN
    )  # within tolerance
    assert colour(today=near, deadline=deadline, percent=50, thresholds=t).colour == Colour.YELLOW
    assert (
        colour(today=near, deadline=deadline, percent=99, missed_reports=2, thresholds=t).colour
        == Colour.YELLOW
    )
    assert colour(today=near, deadline=deadline, percent=99, returns=2, thresholds=t).colour == Colour.GREEN


def test_red_reasons_are_all_listed() -> None:
    a = colour(today=D(2027, 1, 5), deadline=D(2026, 12, 31), percent=10, missed_reports=2, returns=2)
    assert a.colour == Colour.RED
    assert "已超过完成时限" in a.reason and "2次未按期报送" in a.reason and "退回2次" in a.reason


def test_provisional_years_are_flagged() -> None:
    a = colour(today=D(2027, 3, 1), deadline=D(2027, 12, 31), percent=50)
    assert a.provisional
    assert "预估" in a.reason
