"""The engine alone (no database): holidays, make-up days, the counting convention, provisional years."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np
import pytest

from luoshi.calendar import engine
from luoshi.calendar.engine import (
    CalendarError,
    Correction,
    CorrectionKind,
    DateOutOfRange,
    DayKind,
    WorkdayCalendar,
    default_calendar,
)

D = dt.date


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    return default_calendar()


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# --- 2026 National Day (with 中秋 on 9-25..9-27) ---------------------------------------------------------
def test_national_day_2026_days_off_and_make_up_days(cal: WorkdayCalendar) -> None:
    for day in days(D(2026, 10, 1), D(2026, 10, 7)):
        assert cal.is_workday(day).value is False, day
    # make-up working days: Sunday 2026-09-20 and Saturday 2026-10-10
    assert D(2026, 9, 20).weekday() == 6 and cal.is_workday(D(2026, 9, 20)).value is True
    assert D(2026, 10, 10).weekday() == 5 and cal.is_workday(D(2026, 10, 10)).value is True
    assert cal.explain(D(2026, 10, 10)).kind == DayKind.MAKEUP
    assert cal.explain(D(2026, 10, 3)).kind == DayKind.HOLIDAY
    assert cal.is_workday(D(2026, 10, 11)).value is False  # an ordinary Sunday
    assert not cal.is_workday(D(2026, 10, 1)).provisional


def test_national_day_2026_matches_the_package(cal: WorkdayCalendar) -> None:
    for day in days(D(2026, 9, 15), D(2026, 10, 20)):
        assert cal.is_workday(day).value == chinese_calendar.is_workday(day), day


def test_deadline_across_national_day(cal: WorkdayCalendar) -> None:
    # Oct 8 (1), Oct 9 (2), Oct 10 make-up Saturday (3)
    assert cal.add_workdays(D(2026, 9, 30), 3) == engine.DateResult(D(2026, 10, 10), False)
    # [9-28, 10-12): 9-28, 9-29, 9-30, 10-8, 10-9, 10-10
    assert cal.workdays_between(D(2026, 9, 28), D(2026, 10, 12)) == engine.CountResult(6, False)


def test_received_on_a_holiday_starts_counting_on_the_next_working_day(cal: WorkdayCalendar) -> None:
    assert cal.add_workdays(D(2026, 10, 3), 1).date == D(2026, 10, 8)
    assert cal.add_workdays(D(2026, 10, 7), 1).date == D(2026, 10, 8)
    # the day of receipt is not counted even when it is a working day
    assert cal.add_workdays(D(2026, 10, 8), 1).date == D(2026, 10, 9)


# --- Spring Festival 2026: 2-15..2-23 off, Saturday 2-14 and Saturday 2-28 worked -------------------------------
def test_spring_festival_2026(cal: WorkdayCalendar) -> None:
    for day in days(D(2026, 2, 15), D(2026, 2, 23)):
        assert not cal.is_workday(day).value, day
    assert cal.is_workday(D(2026, 2, 14)).value and cal.is_workday(D(2026, 2, 28)).value
    assert cal.add_workdays(D(2026, 2, 13), 1).date == D(2026, 2, 14)
    assert cal.add_workdays(D(2026, 2, 14), 1).date == D(2026, 2, 24)
    assert cal.workdays_between(D(2026, 2, 14), D(2026, 2, 25)).count == 2
    assert cal.explain(D(2026, 2, 17)).name == "春节"


def test_shipped_2026_notice_agrees_with_the_package_every_day() -> None:
    notice = next(n for n in engine.shipped_notices() if n.covers_year == 2026)
    plain = WorkdayCalendar()  # package only, no shipped notices
    with_notice = WorkdayCalendar(notices=[notice])
    for day in days(D(2026, 1, 1), D(2026, 12, 31)):
        assert plain.is_workday(day) == with_notice.is_workday(day), day


# --- 2005-12-31: a make-up Saturday the package misses ----------------------------------------------------------
def test_2005_12_31_is_a_make_up_working_saturday(cal: WorkdayCalendar) -> None:
    assert chinese_calendar.is_workday(D(2005, 12, 31)) is False  # the package's gap
    result = cal.is_workday(D(2005, 12, 31))
    assert result == engine.DayResult(True, False)
    info = cal.explain(D(2005, 12, 31))
    assert info.kind == DayKind.MAKEUP and "2006" in info.source
    assert cal.add_workdays(D(2005, 12, 30), 1).date == D(2005, 12, 31)


def test_matches_the_package_everywhere_except_the_shipped_fix(cal: WorkdayCalendar) -> None:
    diffs = [
        d
        for d in days(D(2004, 1, 1), D(2026, 12, 31))
        if cal.is_workday(d).value != chinese_calendar.is_workday(d)
    ]
    assert diffs == [D(2005, 12, 31)]


# --- the 2027 boundary and provisional years ----------------------------------------------------------------------
def test_2027_boundary_is_provisional(cal: WorkdayCalendar) -> None:
    assert cal.add_workdays(D(2026, 12, 30), 5) == engine.DateResult(D(2027, 1, 7), True)
    assert cal.add_workdays(D(2026, 12, 30), 1) == engine.DateResult(D(2026, 12, 31), False)
    assert cal.is_workday(D(2027, 1, 1)) == engine.DayResult(False, True)
    assert cal.is_workday(D(2026, 12, 31)) == engine.DayResult(True, False)
    assert cal.workdays_between(D(2026, 12, 1), D(2027, 1, 1)).provisional is False
    assert cal.workdays_between(D(2026, 12, 1), D(2027, 1, 2)).provisional is True
    assert 2026 not in cal.provisional_years and 2027 in cal.provisional_years


def test_statutory_holidays_of_a_provisional_year(cal: WorkdayCalendar) -> None:
    off = {c.date: c.name for c in engine.statutory_holidays(2027)}
    assert len(off) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3
    # 春节 2027: 除夕 2-5, 初一 2-6 .. 初三 2-8 (lunardate)
    assert [d for d, n in off.items() if n.startswith("春节")] == [D(2027, 2, d) for d in (5, 6, 7, 8)]
    assert off[D(2027, 4, 5)] == "清明节"
    assert off[D(2027, 6, 9)] == "端午节"
    assert off[D(2027, 9, 15)] == "中秋节"
    assert {D(2027, 5, 1), D(2027, 5, 2), D(2027, 10, 1), D(2027, 10, 3)} <= set(off)
    assert cal.is_workday(D(2027, 2, 8)) == engine.DayResult(False, True)  # Monday, 初三
    assert cal.is_workday(D(2027, 10, 4)).value is True  # no guessed 国庆 make-up/extension
    assert cal.explain(D(2027, 9, 15)).provisional


def test_a_notice_covering_a_year_makes_it_final() -> None:
    notice = engine.parse_notice(
        'title = "2027 通知"\ncovers_year = 2027\n[[days]]\ndate = "2027-01-01"\nkind = "holiday"\nname = "元旦"\n'
    )
    cal = WorkdayCalendar.shipped(notices=[notice])
    assert cal.add_workdays(D(2026, 12, 30), 5) == engine.DateResult(D(2027, 1, 7), False)
    assert cal.is_workday(D(2027, 2, 8)) == engine.DayResult(True, False)  # only what the notice says
    assert 2028 in cal.provisional_years


# --- counting convention edges -----------------------------------------------------------------------------------------
def test_zero_and_negative_counts(cal: WorkdayCalendar) -> None:
    assert cal.add_workdays(D(2026, 10, 3), 0).date == D(2026, 10, 3)
    assert cal.add_workdays(D(2026, 10, 8), -1).date == D(2026, 9, 30)
    assert cal.add_workdays(D(2026, 10, 12), -3).date == D(2026, 10, 8)
    assert cal.workdays_between(D(2026, 10, 12), D(2026, 9, 28)).count == -6
    assert cal.workdays_between(D(2026, 10, 1), D(2026, 10, 1)).count == 0


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda c: c.is_workday(D(2003, 5, 1)), "2004-01-01"),
        (lambda c: c.add_workdays(D(2099, 12, 30), 5), "超出"),
        (lambda c: c.add_workdays(D(2004, 1, 5), -10), "超出"),
        (lambda c: c.add_workdays(D(2026, 1, 1), 10**9), "过大"),
        (lambda c: c.workdays_between(D(2026, 1, 1), D(2100, 1, 1)), "超出"),
    ],
)
def test_out_of_range_is_a_clear_error(cal: WorkdayCalendar, call: object, fragment: str) -> None:
    with pytest.raises(CalendarError) as err:
        call(cal)  # type: ignore[operator]
    assert fragment in err.value.message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("2026-02-30", "不存在"), ("2003-05-01", "超出"), ("abc", "格式"), ("2026-2-3", "格式"), ("", "格式")],
)
def test_parse_date_messages(text: str, fragment: str) -> None:
    with pytest.raises(CalendarError) as err:
        engine.parse_date(text)
    assert fragment in err.value.message


def test_parse_count() -> None:
    assert engine.parse_count("3") == 3 and engine.parse_count(" -2 ") == -2
    with pytest.raises(CalendarError, match="不是整数"):
        engine.parse_count("abc")
    with pytest.raises(CalendarError):
        engine.parse_count(True)


# --- corrections and regional holidays ----------------------------------------------------------------------------------
def test_corrections_override_and_regional_holidays_add_days_off(cal: WorkdayCalendar) -> None:
    fixed = WorkdayCalendar.shipped(
        corrections=[Correction(D(2026, 10, 10), CorrectionKind.HOLIDAY, "测试", "x")]
    )
    assert fixed.add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 12)
    local = cal.with_extra_holidays(
        [Correction(D(2026, 10, 9), CorrectionKind.HOLIDAY, "地方节日", "市政府")]
    )
    assert local.add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 12)
    assert local.explain(D(2026, 10, 9)).name == "地方节日"
    assert cal.add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 10)  # the original is untouched
    stacked = local.with_extra_holidays([Correction(D(2026, 10, 12), CorrectionKind.HOLIDAY, "又一个", "")])
    assert stacked.add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 13)


def test_month_view_data(cal: WorkdayCalendar) -> None:
    month = cal.month(2026, 10)
    assert len(month) == 31
    kinds = {info.date.day: info.kind for info in month}
    assert kinds[1] == DayKind.HOLIDAY and kinds[10] == DayKind.MAKEUP and kinds[11] == DayKind.WEEKEND
    assert kinds[12] == DayKind.WORKDAY


# --- notice files ---------------------------------------------------------------------------------------------------------
def test_notice_file_problems_name_row_and_column() -> None:
    text = (
        'title = "x"\n'
        '[[days]]\ndate = "2026-02-30"\nkind = "holiday"\nname = "a"\n'
        '[[days]]\ndate = "2003-01-01"\nkind = "放假"\nname = "b"\n'
        '[[days]]\ndate = "2026-03-02"\nkind = "rest"\nname = ""\n'
        '[[days]]\ndate = "2026-03-05"\nuntil = "2026-03-01"\nkind = "holiday"\nname = "c"\n'
    )
    with pytest.raises(engine.NoticeError) as err:
        engine.parse_notice(text)
    got = {(p.row, p.column) for p in err.value.problems}
    assert got == {(1, "date"), (2, "date"), (3, "kind"), (3, "name"), (4, "until")}


def test_notice_file_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(engine.NoticeError) as err:
        engine.parse_notice('title = "x"\n[[days]]\ndate = 2026-02-30\nkind = "holiday"\nname = "a"\n')
    assert err.value.problems[0].row == 3


def test_notice_file_json_and_ranges() -> None:
    notice = engine.parse_notice(
        b'{"title": "t", "source": "s", "days": [{"date": "2030-10-01", "until": "2030-10-07", '
        b'"kind": "holiday", "name": "\xe5\x9b\xbd\xe5\xba\x86"}]}',
        file_name="n.json",
    )
    assert len(notice.days) == 7 and notice.days[0].name == "国庆"


def test_notice_conflicting_rows_are_refused() -> None:
    text = (
        'title = "x"\n[[days]]\ndate = "2030-01-01"\nkind = "holiday"\nname = "a"\n'
        '[[days]]\ndate = "2030-01-01"\nkind = "workday"\nname = "b"\n'
    )
    with pytest.raises(engine.NoticeError) as err:
        engine.parse_notice(text)
    assert err.value.problems[0].row == 2


# --- day numbers -------------------------------------------------------------------------------------------------------------
def test_day_number_conversions() -> None:
    dates = np.array(["2004-01-01", "2026-10-10", "2099-12-31"], dtype="datetime64[D]")
    nums = engine.to_day_numbers(dates)
    assert nums.tolist() == [0, engine.day_number(D(2026, 10, 10)), engine.N_DAYS - 1]
    assert (engine.from_day_numbers(nums) == dates).all()
    with pytest.raises(DateOutOfRange):
        engine.to_day_numbers(np.array(["2003-12-31"], dtype="datetime64[D]"))
    with pytest.raises(DateOutOfRange):
        engine.from_day_numbers([engine.N_DAYS])


def test_engine_has_no_django_import() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(engine))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any("django" in (m or "") for m in modules | names)
