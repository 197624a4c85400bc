"""The vectorised API gives exactly the scalar answers (hypothesis, random dates 2004–2030)."""

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
dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 12, 31))
counts = st.integers(min_value=-400, max_value=400)


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
