"""The vectorised API gives exactly the scalar answers (hypothesis, random dates 2004–2030 and 2004–2099),
on each of its branches (all counts positive, all negative, mixed), and exactly numpy's `busday_offset` in the
7-day form with every non-working day listed (an independent implementation) for every start day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.calendar import engine
from luoshi.calendar.engine import DateOutOfRange, WorkdayCalendar, default_calendar

CAL = default_calendar()
REGIONAL = CAL.with_extra_holidays(
    [engine.Correction(dt.date(2026, 10, 9), engine.CorrectionKind.HOLIDAY, "地方节日", "")]
)
# 2028 confirmed by a notice, 2027 and 2029+ still provisional: provisional days are not one suffix
GAP = WorkdayCalendar.shipped(
    notices=[
        engine.parse_notice(
            'title = "2028 通知"\ncovers_year = 2028\n'
            '[[days]]\ndate = "2028-01-01"\nkind = "holiday"\nname = "元旦"\n'
            '[[days]]\ndate = "2028-01-08"\nkind = "workday"\nname = "调休上班"\n'
        )
    ]
)
CALENDARS = [CAL, REGIONAL, GAP]
dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 12, 31))
all_dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2099, 12, 31))
counts = st.integers(min_value=-400, max_value=400)


def _scalar_or_refusal(
    cal: WorkdayCalendar, pairs: list[tuple[dt.date, int]]
) -> list[tuple[dt.date, bool]] | None:
    try:
        return [(r.date, r.provisional) for r in (cal.add_workdays(d, n) for d, n in pairs)]
    except DateOutOfRange:
        return None


def _check_branch(cal: WorkdayCalendar, pairs: list[tuple[dt.date, int]]) -> None:
    starts = np.array([engine.day_number(d) for d, _ in pairs])
    ns = np.array([n for _, n in pairs])
    expected = _scalar_or_refusal(cal, pairs)
    if expected is None:
        with pytest.raises(DateOutOfRange, match="超出"):
            cal.add_workdays_many(starts, ns)
        return
    out, provisional = cal.add_workdays_many(starts, ns)
    assert out.dtype == np.int64 and provisional.dtype == np.bool_
    got = [(engine.date_of(int(day)), bool(prov)) for day, prov in zip(out, provisional, strict=True)]
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(all_dates, st.integers(min_value=1, max_value=3000)), min_size=1, max_size=30),
    st.sampled_from(CALENDARS),
)
def test_forward_branch_equals_scalar(pairs: list[tuple[dt.date, int]], cal: WorkdayCalendar) -> None:
    _check_branch(cal, pairs)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(all_dates, st.integers(min_value=-3000, max_value=-1)), min_size=1, max_size=30),
    st.sampled_from(CALENDARS),
)
def test_backward_branch_equals_scalar(pairs: list[tuple[dt.date, int]], cal: WorkdayCalendar) -> None:
    _check_branch(cal, pairs)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(all_dates, st.integers(min_value=-3000, max_value=3000)), min_size=1, max_size=30),
    st.sampled_from(CALENDARS),
)
def test_mixed_branch_equals_scalar(pairs: list[tuple[dt.date, int]], cal: WorkdayCalendar) -> None:
    _check_branch(cal, pairs)


@pytest.mark.parametrize("cal", CALENDARS, ids=["shipped", "regional", "gap"])
def test_every_start_day_equals_numpy_busday_offset_exact_form(cal: WorkdayCalendar) -> None:
    """Every start day 2004-01-01..2098-12-31 with counts ±1..±250: the same days as numpy's busday_offset
    in the 7-day form with every non-working day a holiday, and the provisional mask of the cumulative
    count (the former formula)."""
    every = np.arange(engine.day_number(dt.date(2098, 12, 31)))
    calendar = np.busdaycalendar(
        weekmask="1111111", holidays=engine.from_day_numbers(np.flatnonzero(~cal.work))
    )
    for n in (1, 2, 3, 5, 15, 60, 250, -1, -3, -15, -250):
        starts = every[every >= 400] if n < 0 else every
        out, provisional = cal.add_workdays_many(starts, n)
        # the day of receipt is not counted: roll back (forward for negative counts) before counting
        dates_ = engine.from_day_numbers(starts)
        if n > 0:
            expected = np.busday_offset(dates_, n, roll="backward", busdaycal=calendar)
        else:
            expected = np.busday_offset(dates_, n, roll="forward", busdaycal=calendar)
        np.testing.assert_array_equal(engine.from_day_numbers(out), expected)
        lo, hi = np.minimum(starts, out), np.maximum(starts, out)
        np.testing.assert_array_equal(provisional, cal.prov_cum[hi + 1] > cal.prov_cum[lo])


def test_shapes_and_dtypes_are_kept() -> None:
    out, provisional = CAL.add_workdays_many(np.int32(100), np.int16(3))
    assert out.shape == () and provisional.shape == ()
    assert int(out) == CAL.add_workdays_many(np.array([100]), np.array([3]))[0][0]
    grid, prov = CAL.add_workdays_many(np.arange(100, 112).reshape(3, 4), np.array([1, -1, 0, 5]))
    assert grid.shape == (3, 4) and prov.shape == (3, 4) and grid.dtype == np.int64
    assert grid[0, 2] == 102  # 0 working days: the start itself
    empty, prov_empty = CAL.add_workdays_many(np.array([], dtype=np.int64), 3)
    assert empty.shape == (0,) and prov_empty.shape == (0,)


def test_huge_counts_are_out_of_range_not_overflow() -> None:
    for n in (2**62, -(2**62), engine.N_DAYS + 1):
        with pytest.raises(DateOutOfRange, match="超出"):
            CAL.add_workdays_many(np.array([5000, 6000]), np.array([n, n]))
    with pytest.raises(DateOutOfRange, match="超出"):
        CAL.add_workdays_many(np.array([5000, 6000]), np.array([1, 2**62]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(dates, counts), min_size=1, max_size=40), st.sampled_from([CAL, REGIONAL]))
def test_add_workdays_many_equals_scalar(pairs: list[tuple[dt.date, int]], cal: WorkdayCalendar) -> None:
    starts = np.array([engine.day_number(d) for d, _ in pairs])
    ns = np.array([n for _, n in pairs])
    try:
        expected = [cal.add_workdays(d, n) for d, n in pairs]
    except DateOutOfRange:  # e.g. 400 working days before 2004-03-01: the vectorised API refuses too
        with pytest.raises(DateOutOfRange):
            cal.add_workdays_many(starts, ns)
        return
    out, provisional = cal.add_workdays_many(starts, ns)
    got = [(engine.date_of(int(day)), bool(prov)) for day, prov in zip(out, provisional, strict=True)]
    assert got == [(e.date, e.provisional) for e in expected]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(dates, dates), min_size=1, max_size=40))
def test_workdays_between_many_equals_scalar(pairs: list[tuple[dt.date, dt.date]]) -> None:
    a = np.array([engine.day_number(x) for x, _ in pairs])
    b = np.array([engine.day_number(y) for _, y in pairs])
    counts_, provisional = CAL.workdays_between_many(a, b)
    for (x, y), got, prov in zip(pairs, counts_, provisional, strict=True):
        expected = CAL.workdays_between(x, y)
        assert (int(got), bool(prov)) == (expected.count, expected.provisional), (x, y)


@settings(max_examples=100, deadline=None)
@given(st.lists(dates, min_size=1, max_size=40))
def test_is_workday_many_equals_scalar(ds: list[dt.date]) -> None:
    nums = engine.to_day_numbers(np.array(ds, dtype="datetime64[D]"))
    work, provisional = CAL.is_workday_many(nums)
    for d, w, p in zip(ds, work, provisional, strict=True):
        assert CAL.is_workday(d) == engine.DayResult(bool(w), bool(p))


def test_known_values_vectorised() -> None:
    starts = engine.to_day_numbers(
        np.array(["2026-09-30", "2026-12-30", "2005-12-30"], dtype="datetime64[D]")
    )
    out, provisional = CAL.add_workdays_many(starts, np.array([3, 5, 1]))
    assert engine.from_day_numbers(out).astype(str).tolist() == ["2026-10-10", "2027-01-07", "2005-12-31"]
    assert provisional.tolist() == [False, True, False]


def test_broadcasting_a_single_count() -> None:
    starts = np.arange(100, 200)
    out, _ = CAL.add_workdays_many(starts, 5)
    assert out.shape == starts.shape


def test_vectorised_out_of_range_is_a_clear_error() -> None:
    with pytest.raises(DateOutOfRange, match="超出"):
        CAL.add_workdays_many(np.array([engine.N_DAYS - 2]), np.array([10]))
    with pytest.raises(DateOutOfRange, match="超出"):
        CAL.add_workdays_many(np.array([-1]), np.array([1]))
    with pytest.raises(engine.CalendarError):
        CAL.add_workdays_many(np.array([1.5]), np.array([1]))
