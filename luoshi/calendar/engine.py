"""The working-day calendar (工作日历) of mainland China: a plain library, no Django.

Sources, applied in this order (later wins):

1. Weekends (Saturday, Sunday) are non-working days.
2. Years covered by the `chinese-calendar` package: its holiday and make-up-workday (调休上班) tables.
   Years past the package and not confirmed by a notice file ("provisional years"): the statutory
   holidays of the 全国年节及纪念日放假办法 in force (2025 revision): 元旦 1 day (1-1), 春节 4 days
   (除夕 and lunar 1-1..1-3), 清明 1 day (the 清明 solar term), 劳动节 2 days (5-1, 5-2), 端午 1 day
   (lunar 5-5), 中秋 1 day (lunar 8-15), 国庆 3 days (10-1..10-3). No make-up working days and no
   substitute days off (补休) are guessed for them. Every result that relied on such a year carries
   ``provisional=True``.
3. Corrections, one small file per State Council notice (``data/notices/*.toml``, shipped with luoshi;
   e.g. 2005-12-31, a make-up Saturday the package misses), then the corrections an administrator keeps
   in the database. A notice with ``covers_year`` is the complete schedule for that year: the year is
   no longer provisional (its base is plain weekends plus the notice).
4. Regional extra holidays (地方性假日) for one region and its ancestors: always days off.

Counting convention (工作日计算规则):

- The day of receipt is not counted. ``add_workdays(d, n)`` for ``n >= 1`` is the n-th working day
  strictly after ``d``; so a request received on a non-working day starts counting on the next working
  day, and one received on Friday with a 1-working-day limit is due on the following Monday.
- ``add_workdays(d, 0)`` is ``d`` itself. ``add_workdays(d, -n)`` is the n-th working day strictly
  before ``d`` (for "remind 3 working days before the deadline").
- ``workdays_between(a, b)`` counts working days in ``[a, b)`` (a included, b excluded);
  if ``b < a`` the count is negative (minus the working days in ``[b, a)``).
- A result is provisional when any day from the start to the result (both included; for
  ``workdays_between`` the half-open range) lies in a provisional year.

Range: 2004-01-01 (the first year of the package) to 2099-12-31 (the last year `lunardate` can convert).
Dates outside raise :class:`DateOutOfRange`; nothing is guessed silently.

The vectorised API works on day numbers (day 0 = 2004-01-01) with numpy tables of cumulative working
days: ``add_workdays_many`` and ``workdays_between_many`` compute millions of deadlines in well under a
second (direct indexing, no Python loop).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from luoshi.core.text import decode_chinese

FIRST_DATE = dt.date(2004, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
N_DAYS = (LAST_DATE - FIRST_DATE).days + 1
EPOCH64 = np.datetime64(FIRST_DATE.isoformat(), "D")

NOTICES_DIR = Path(__file__).resolve().parent / "data" / "notices"

PACKAGE_SOURCE = "chinese-calendar 软件包"
STATUTE_SOURCE = "《全国年节及纪念日放假办法》法定假日推算(未含调休,临时)"


class CalendarError(ValueError):
    """Bad input to the calendar (a date out of range, a bad count). The message is Chinese and says
    what is wrong and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DateOutOfRange(CalendarError):
    pass


class CorrectionKind(StrEnum):
    HOLIDAY = "holiday"  # 放假
    WORKDAY = "workday"  # 上班 (调休)


class DayKind(StrEnum):
    WORKDAY = "workday"  # ordinary working day
    WEEKEND = "weekend"  # ordinary Saturday/Sunday
    HOLIDAY = "holiday"  # a day off that is not an ordinary weekend (or a named holiday on a weekend)
    MAKEUP = "makeup"  # a Saturday/Sunday that is worked (调休上班)


@dataclass(frozen=True)
class Correction:
    """One day declared a holiday or a working day, with its name and where it comes from."""

    date: dt.date
    kind: CorrectionKind
    name: str
    source: str = ""


@dataclass(frozen=True)
class Notice:
    """One State Council notice (or any other source) as a list of corrections.

    ``covers_year``: the notice is the complete holiday schedule of that year."""

    title: str
    source: str
    days: tuple[Correction, ...]
    covers_year: int | None = None
    file_name: str = ""


@dataclass(frozen=True)
class Problem:
    row: int | str
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class NoticeError(CalendarError):
    """A notice file was refused; ``problems`` lists every problem found (row, column, message)."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class DayResult:
    value: bool
    provisional: bool


@dataclass(frozen=True)
class DateResult:
    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class CountResult:
    count: int
    provisional: bool


@dataclass(frozen=True)
class DayInfo:
    """Why a day is (not) a working day: for the month view and for explanations."""

    date: dt.date
    is_workday: bool
    kind: DayKind
    name: str
    source: str
    provisional: bool


# --- dates and day numbers -----------------------------------------------------------------------------
def _range_text() -> str:
    return f"{FIRST_DATE.isoformat()} 至 {LAST_DATE.isoformat()}"


def parse_date(text: str, *, what: str = "日期") -> dt.date:
    """Parse YYYY-MM-DD into a date within the supported range, with a Chinese error otherwise."""
    raw = str(text).strip()
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        parts = raw.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            raise CalendarError(
                f"{what}“{raw}”不存在(该月没有这一天或月份无效),请填写真实的日期,格式 YYYY-MM-DD。"
            ) from None
        raise CalendarError(f"{what}“{raw}”格式不对,请使用 YYYY-MM-DD,例如 2026-09-30。") from None
    if len(raw) != 10:
        raise CalendarError(f"{what}“{raw}”格式不对,请使用 YYYY-MM-DD,例如 2026-09-30。")
    check_date(value, what=what)
    return value


def parse_count(text: str | int, *, what: str = "工作日数") -> int:
    if isinstance(text, bool):
        raise CalendarError(f"{what}必须是整数。")
    if isinstance(text, int):
        value = text
    else:
        raw = str(text).strip()
        try:
            value = int(raw)
        except ValueError:
            raise CalendarError(f"{what}“{raw}”不是整数,请填写如 3 或 -2 的整数。") from None
    if abs(value) > N_DAYS:
        raise CalendarError(f"{what} {value} 过大:日历只覆盖 {_range_text()}。")
    return value


def check_date(value: dt.date, *, what: str = "日期") -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise CalendarError(f"{what}必须是日期(YYYY-MM-DD)。")
    if not FIRST_DATE <= value <= LAST_DATE:
        raise DateOutOfRange(
            f"{what} {value.isoformat()} 超出工作日历支持的范围({_range_text()}):"
            f"2004 年以前没有可靠的放假数据,请核对日期。"
        )
    return value


def day_number(value: dt.date) -> int:
    """Day number of a date (2004-01-01 is 0)."""
    return (check_date(value) - FIRST_DATE).days


def date_of(day: int) -> dt.date:
    if not 0 <= day < N_DAYS:
        raise DateOutOfRange(f"日序号 {day} 超出工作日历支持的范围({_range_text()})。")
    return FIRST_DATE + dt.timedelta(days=int(day))


def to_day_numbers(dates: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """datetime64[D] (or anything numpy can turn into it) → day numbers; out of range raises."""
    arr = np.asarray(dates, dtype="datetime64[D]")
    days = (arr - EPOCH64).astype(np.int64)
    _check_days(days, "日期")
    return days


def from_day_numbers(days: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    arr = np.asarray(days, dtype=np.int64)
    _check_days(arr, "日序号")
    return EPOCH64 + arr.astype("timedelta64[D]")


def _check_days(days: npt.NDArray[Any], what: str) -> None:
    if days.size and (int(days.min()) < 0 or int(days.max()) >= N_DAYS):
        bad = int(np.count_nonzero((days < 0) | (days >= N_DAYS)))
        raise DateOutOfRange(f"有 {bad} 个{what}超出工作日历支持的范围({_range_text()})。")


# --- statutory holidays for provisional years ------------------------------------------------------------
def _qingming(year: int) -> dt.date:
    from chinese_calendar import get_solar_terms

    for day, name in get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30)):
        if name == "清明":
            return day  # type: ignore[no-any-return]
    raise CalendarError(f"无法计算 {year} 年的清明节气。")  # pragma: no cover


def statutory_holidays(year: int) -> list[Correction]:
    """The days off of the 全国年节及纪念日放假办法 (2025 revision) for one year, without any 调休."""
    from lunardate import LunarDate

    spring = LunarDate(year, 1, 1).to_solar_date()
    out = [Correction(dt.date(year, 1, 1), CorrectionKind.HOLIDAY, "元旦", STATUTE_SOURCE)]
    out.append(
        Correction(spring - dt.timedelta(days=1), CorrectionKind.HOLIDAY, "春节(除夕)", STATUTE_SOURCE)
    )
    out += [
        Correction(spring + dt.timedelta(days=i), CorrectionKind.HOLIDAY, "春节", STATUTE_SOURCE)
        for i in range(3)
    ]
    out.append(Correction(_qingming(year), CorrectionKind.HOLIDAY, "清明节", STATUTE_SOURCE))
    out += [Correction(dt.date(year, 5, d), CorrectionKind.HOLIDAY, "劳动节", STATUTE_SOURCE) for d in (1, 2)]
    out.append(
        Correction(LunarDate(year, 5, 5).to_solar_date(), CorrectionKind.HOLIDAY, "端午节", STATUTE_SOURCE)
    )
    out.append(
        Correction(LunarDate(year, 8, 15).to_solar_date(), CorrectionKind.HOLIDAY, "中秋节", STATUTE_SOURCE)
    )
    out += [
        Correction(dt.date(year, 10, d), CorrectionKind.HOLIDAY, "国庆节", STATUTE_SOURCE) for d in (1, 2, 3)
    ]
    return out


# --- notice files ------------------------------------------------------------------------------------------
_KIND_WORDS = {
    "holiday": CorrectionKind.HOLIDAY,
    "放假": CorrectionKind.HOLIDAY,
    "休": CorrectionKind.HOLIDAY,
    "workday": CorrectionKind.WORKDAY,
    "上班": CorrectionKind.WORKDAY,
    "班": CorrectionKind.WORKDAY,
}


def parse_notice(content: str | bytes, *, file_name: str = "") -> Notice:
    """Parse one notice file (TOML, or JSON with the same keys). Raises :class:`NoticeError` listing every
    problem with its row (the number of the ``[[days]]`` entry, or the line of a syntax error) and column.

    Format::

        title = "国务院办公厅关于2026年部分节假日安排的通知"
        source = "国办发明电〔2025〕7号"
        covers_year = 2026            # optional: the complete schedule of that year

        [[days]]
        date = "2026-10-01"
        until = "2026-10-07"          # optional: a range, both ends included
        kind = "holiday"              # holiday|workday (放假|上班)
        name = "国庆节、中秋节"
    """
    if isinstance(content, bytes):
        decoded = decode_chinese(content)
        if decoded is None:
            raise NoticeError(
                "通知文件不是 UTF-8 或 GB18030 编码的文本。",
                [Problem(1, "", "无法识别文件编码,请另存为 UTF-8。")],
            )
        text = decoded[0]
    else:
        text = content.lstrip("\ufeff")
    data: Any
    if text.lstrip().startswith("{") or file_name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise NoticeError(
                f"通知文件不是有效的 JSON:第 {exc.lineno} 行第 {exc.colno} 列。",
                [Problem(exc.lineno, str(exc.colno), f"JSON 语法错误:{exc.msg}")],
            ) from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"line (\d+), column (\d+)", str(exc))
            line, col = (int(where.group(1)), int(where.group(2))) if where else (0, 0)
            reason = re.sub(r"\s*\(at .*\)$", "", str(exc))
            raise NoticeError(
                f"通知文件不是有效的 TOML:第 {line} 行第 {col} 列有错(语法错误,或 2026-02-30 这样不存在的日期)。",
                [Problem(line, str(col), f"TOML 语法错误或无效日期:{reason}")],
            ) from None
    if not isinstance(data, Mapping):
        raise NoticeError("通知文件的顶层必须是键值表。", [Problem(1, "", "顶层必须是键值表")])
    return _notice_from_mapping(data, file_name=file_name)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise CalendarError(f"“{value}”带有时间,请只写日期 YYYY-MM-DD。")
    if isinstance(value, dt.date):
        return check_date(value)
    if isinstance(value, str):
        return parse_date(value)
    raise CalendarError(f"“{value}”不是日期,请写成 YYYY-MM-DD。")


def _notice_from_mapping(data: Mapping[str, Any], *, file_name: str) -> Notice:
    problems: list[Problem] = []
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(0, "title", "缺少通知标题 title。"))
        title = ""
    source = data.get("source", "")
    if not isinstance(source, str):
        problems.append(Problem(0, "source", "source 必须是文字。"))
        source = ""
    covers = data.get("covers_year")
    if covers is not None and (
        isinstance(covers, bool)
        or not isinstance(covers, int)
        or not FIRST_DATE.year <= covers <= LAST_DATE.year
    ):
        problems.append(
            Problem(0, "covers_year", f"covers_year 必须是 {FIRST_DATE.year}–{LAST_DATE.year} 之间的年份。")
        )
        covers = None
    rows = data.get("days")
    if not isinstance(rows, list) or not rows:
        problems.append(Problem(0, "days", "缺少日期列表 days(至少一条)。"))
        rows = []
    days: list[Correction] = []
    seen: dict[dt.date, tuple[int, CorrectionKind]] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            problems.append(Problem(number, "", "每一条必须是键值表(date、kind、name)。"))
            continue
        start: dt.date | None = None
        until: dt.date | None = None
        for column in ("date", "until"):
            if column not in row:
                if column == "date":
                    problems.append(Problem(number, "date", "缺少日期 date。"))
                continue
            try:
                value = _as_date(row[column])
            except CalendarError as exc:
                problems.append(Problem(number, column, exc.message))
                continue
            if column == "date":
                start = value
            else:
                until = value
        kind_raw = row.get("kind")
        kind = _KIND_WORDS.get(str(kind_raw).strip().lower()) if kind_raw is not None else None
        if kind is None:
            problems.append(
                Problem(number, "kind", f"kind“{kind_raw}”无效,应为 holiday(放假)或 workday(上班)。")
            )
        name = row.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(number, "name", "缺少名称 name(如“国庆节”)。"))
            name = ""
        if start is None or kind is None:
            continue
        end = until or start
        if end < start:
            problems.append(Problem(number, "until", f"结束日期 {end} 早于开始日期 {start}。"))
            continue
        if (end - start).days > 31:
            problems.append(Problem(number, "until", "一条记录的日期范围不能超过 31 天。"))
            continue
        day = start
        while day <= end:
            previous = seen.get(day)
            if previous is not None and previous[1] != kind:
                problems.append(
                    Problem(number, "date", f"{day} 与第 {previous[0]} 条矛盾(一条为放假,一条为上班)。")
                )
            seen[day] = (number, kind)
            days.append(Correction(day, kind, name.strip(), source.strip() or title.strip()))
            day += dt.timedelta(days=1)
    if problems:
        raise NoticeError(f"通知文件有 {len(problems)} 处错误,未导入任何内容。", problems)
    return Notice(
        title=title.strip(), source=source.strip(), days=tuple(days), covers_year=covers, file_name=file_name
    )


@functools.cache
def shipped_notices() -> tuple[Notice, ...]:
    """The notice files shipped with luoshi (data/notices/*.toml), in file-name order."""
    out = []
    for path in sorted(NOTICES_DIR.glob("*.toml")):
        out.append(parse_notice(path.read_bytes(), file_name=path.name))
    return tuple(out)


# --- the calendar --------------------------------------------------------------------------------------------
_KIND_CODES = list(DayKind)


@dataclass
class _Tables:
    work: npt.NDArray[np.bool_]
    provisional: npt.NDArray[np.bool_]
    names: dict[int, tuple[str, str]] = field(default_factory=dict)  # day -> (name, source)
    explicit: dict[int, CorrectionKind] = field(default_factory=dict)


class WorkdayCalendar:
    """Working days from 2004-01-01 to 2099-12-31. Immutable once built.

    Build with :meth:`shipped` (package + shipped notices) or pass extra notices, corrections (applied after
    the notices) and regional extra holidays (applied last)."""

    def __init__(
        self,
        *,
        notices: Sequence[Notice] = (),
        corrections: Iterable[Correction] = (),
        confirmed_years: Iterable[int] = (),
        extra_holidays: Iterable[Correction] = (),
    ) -> None:
        import chinese_calendar as cc
        from chinese_calendar.constants import Holiday

        confirmed = set(confirmed_years) | {n.covers_year for n in notices if n.covers_year is not None}
        package_years = {d.year for d in cc.holidays} | {d.year for d in cc.workdays}
        self.package_years = frozenset(package_years)
        self.notice_years = frozenset(confirmed - package_years)
        weekday = (np.arange(N_DAYS) + FIRST_DATE.weekday()) % 7
        work = weekday < 5
        years = (EPOCH64 + np.arange(N_DAYS).astype("timedelta64[D]")).astype("datetime64[Y]").astype(
            np.int64
        ) + 1970
        provisional_years = sorted(
            set(range(FIRST_DATE.year, LAST_DATE.year + 1)) - package_years - self.notice_years
        )
        self.provisional_years = tuple(provisional_years)
        provisional = np.isin(years, np.array(provisional_years, dtype=np.int64))
        tables = _Tables(work=work, provisional=provisional)
        chinese = {h.value: h.chinese for h in Holiday}

        def put(day: dt.date, is_work: bool, name: str, source: str, explicit: bool = True) -> None:
            if not FIRST_DATE <= day <= LAST_DATE:
                return
            i = (day - FIRST_DATE).days
            tables.work[i] = is_work
            tables.names[i] = (name, source)
            if explicit:
                tables.explicit[i] = CorrectionKind.WORKDAY if is_work else CorrectionKind.HOLIDAY

        for day, label in cc.holidays.items():
            if day.year not in self.notice_years:
                put(day, False, chinese.get(label, label), PACKAGE_SOURCE)
        for day, label in cc.workdays.items():
            if day.year not in self.notice_years:
                put(day, True, f"{chinese.get(label, label)}调休上班", PACKAGE_SOURCE)
        for year in provisional_years:
            for c in statutory_holidays(year):
                put(c.date, False, c.name, c.source)
        for notice in notices:
            for c in notice.days:
                put(
                    c.date,
                    c.kind == CorrectionKind.WORKDAY,
                    c.name,
                    c.source or notice.source or notice.title,
                )
        for c in corrections:
            check_date(c.date, what="更正日期")
            put(c.date, c.kind == CorrectionKind.WORKDAY, c.name, c.source)
        self._base = tables
        self._finish(tables, list(extra_holidays))

    @classmethod
    def shipped(cls, **kwargs: Any) -> WorkdayCalendar:
        """The package tables plus the notice files shipped with luoshi (plus anything passed)."""
        notices = list(shipped_notices()) + list(kwargs.pop("notices", ()))
        return cls(notices=notices, **kwargs)

    def _finish(self, base: _Tables, extra: list[Correction]) -> None:
        work = base.work.copy()
        names = dict(base.names)
        explicit = dict(base.explicit)
        for c in extra:
            check_date(c.date, what="地方假日日期")
            i = (c.date - FIRST_DATE).days
            work[i] = False
            names[i] = (c.name, c.source or "地方性假日")
            explicit[i] = CorrectionKind.HOLIDAY
        self.extra_holidays = tuple(extra)
        self.work = work
        self.work.setflags(write=False)
        self.provisional = base.provisional
        self.provisional.setflags(write=False)
        self._names = names
        self._explicit = explicit
        # cum[i] = working days in [0, i); prov_cum[i] = provisional days in [0, i)
        self.cum = np.zeros(N_DAYS + 1, dtype=np.int32)
        np.cumsum(work, out=self.cum[1:])
        self.prov_cum = np.zeros(N_DAYS + 1, dtype=np.int32)
        np.cumsum(base.provisional, out=self.prov_cum[1:])
        # workday_days[k] = day number of the (k+1)-th working day
        self.workday_days = np.flatnonzero(work).astype(np.int32)
        # The tables the vectorised kernels gather from, in int64 (numpy's index type: a gathered value is
        # used as an index again without a conversion pass). All fit in the L2 cache (< 300 KB each).
        #   _workday64[r]  = day number of the working day of 0-based rank r
        #   _rank_before[i] = working days in [0, i)            (rank of the first working day >= i)
        #   _rank_after[i]  = working days in [0, i] minus one  (so _rank_after[i] + n is the rank of the
        #                     n-th working day strictly after i)
        #   _next_provisional[i] = the first provisional day >= i (N_DAYS if none): [a, b] touches a
        #                     provisional year iff _next_provisional[a] <= b
        self._workday64 = self.workday_days.astype(np.int64)
        self._rank_before = self.cum[:-1].astype(np.int64)
        self._rank_after = self.cum[1:].astype(np.int64) - 1
        provisional_days = np.flatnonzero(base.provisional)
        self._next_provisional = np.append(provisional_days, N_DAYS).astype(np.int64)[
            np.searchsorted(provisional_days, np.arange(N_DAYS))
        ]
        self._first_provisional = int(self._next_provisional[0])
        for arr in (
            self.cum,
            self.prov_cum,
            self.workday_days,
            self._workday64,
            self._rank_before,
            self._rank_after,
            self._next_provisional,
        ):
            arr.setflags(write=False)

    def with_extra_holidays(self, extra: Iterable[Correction]) -> WorkdayCalendar:
        """A copy with regional extra holidays (days off) added; cheap (no package tables re-read)."""
        new = object.__new__(WorkdayCalendar)
        new.package_years = self.package_years
        new.notice_years = self.notice_years
        new.provisional_years = self.provisional_years
        new._base = self._base
        new._finish(self._base, [*self.extra_holidays, *extra])
        return new

    # --- scalar API --------------------------------------------------------------------------------------
    def is_provisional_year(self, year: int) -> bool:
        return year in self.provisional_years

    def is_workday(self, day: dt.date) -> DayResult:
        i = day_number(day)
        return DayResult(bool(self.work[i]), bool(self.provisional[i]))

    def add_workdays(self, start: dt.date, n: int) -> DateResult:
        """The n-th working day strictly after `start` (n < 0: strictly before; n = 0: `start`)."""
        i = day_number(start)
        n = parse_count(n)
        j = i
        step = 1 if n > 0 else -1
        remaining = abs(n)
        while remaining:
            j += step
            if not 0 <= j < N_DAYS:
                raise DateOutOfRange(
                    f"从 {start.isoformat()} 起算 {n} 个工作日超出工作日历支持的范围({_range_text()})。"
                )
            if self.work[j]:
                remaining -= 1
        lo, hi = min(i, j), max(i, j)
        return DateResult(date_of(j), bool(self.provisional[lo : hi + 1].any()))

    def workdays_between(self, start: dt.date, end: dt.date) -> CountResult:
        """Working days in [start, end); negative when end < start."""
        a, b = day_number(start), day_number(end)
        lo, hi = min(a, b), max(a, b)
        count = int(self.work[lo:hi].sum())
        return CountResult(count if a <= b else -count, bool(self.provisional[lo:hi].any()))

    def explain(self, day: dt.date) -> DayInfo:
        i = day_number(day)
        is_work = bool(self.work[i])
        weekend = day.weekday() >= 5
        name, source = self._names.get(i, ("", ""))
        explicit = self._explicit.get(i)
        if is_work:
            kind = DayKind.MAKEUP if weekend else DayKind.WORKDAY
        elif explicit == CorrectionKind.HOLIDAY:
            kind = DayKind.HOLIDAY
        else:
            kind = DayKind.WEEKEND if weekend else DayKind.HOLIDAY
        if not name:
            name = {DayKind.WORKDAY: "工作日", DayKind.WEEKEND: "周末"}.get(kind, "")
        return DayInfo(day, is_work, kind, name, source, bool(self.provisional[i]))

    def month(self, year: int, month: int) -> list[DayInfo]:
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return [self.explain(first + dt.timedelta(days=k)) for k in range((nxt - first).days)]

    # --- vectorised API ----------------------------------------------------------------------------------
    def is_workday_many(self, days: npt.ArrayLike) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        d = np.asarray(days, dtype=np.int64)
        _check_days(d, "日期")
        return self.work[d], self.provisional[d]

    def add_workdays_many(
        self, start_days: npt.ArrayLike, n: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Vectorised :meth:`add_workdays` on day numbers: returns (result day numbers, provisional mask).

        Exactly the scalar answers. The cost is two gathers from small tables: the rank of the start's
        working day, plus n, then the day of that rank. Only the branch the counts need runs (all
        positive — the usual deadline —, all negative, or the general mixed form); validity and the
        provisional mask come from a few reductions, since the day table is increasing (the largest
        rank gives the latest result) and provisional days are usually all after the inputs."""
        s = np.asarray(start_days)
        k = np.asarray(n)
        if not np.issubdtype(s.dtype, np.integer) or not np.issubdtype(k.dtype, np.integer):
            raise CalendarError("起始日序号和工作日数都必须是整数数组。")
        shape = np.broadcast_shapes(s.shape, k.shape)
        # (broadcast only when needed: np.take copies a read-only index array, and broadcast views are)
        s = s.astype(np.int64, copy=False)
        s = (s if s.shape == shape else np.broadcast_to(s, shape).copy()).reshape(-1)
        k = k.astype(np.int64, copy=False)
        k = (k if k.shape == shape else np.broadcast_to(k, shape)).reshape(-1)
        if not s.size:
            return np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.bool_)
        # one reduction checks both ends: a negative day number is a huge unsigned one
        s_max = int(s.view(np.uint64).max())
        if s_max >= N_DAYS:
            _check_days(s, "起始日期")
        k_min, k_max = int(k.min()), int(k.max())
        if k_min < -N_DAYS or k_max > N_DAYS:  # certainly out of range; keep int64 far from overflow
            k = np.clip(k, -N_DAYS - 1, N_DAYS + 1)
        if k_min >= 1:
            out, provisional = self._add_forward(s, k)
        elif k_max <= -1:
            out, provisional = self._add_backward(s, k, s_max)
        else:
            out, provisional = self._add_mixed(s, k)
        return out.reshape(shape), provisional.reshape(shape)

    def _out_of_range(self, bad: int) -> DateOutOfRange:
        return DateOutOfRange(f"有 {bad} 个结果超出工作日历支持的范围({_range_text()})。")

    def _add_forward(
        self, s: npt.NDArray[np.int64], k: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Every count >= 1: the k-th working day strictly after s."""
        total = self._workday64.size
        rank = np.take(self._rank_after, s)
        rank += k
        top = int(rank.max())
        if top >= total:
            raise self._out_of_range(int(np.count_nonzero(rank >= total)))
        # every rank is valid: gather the days in place (no second 8-byte-per-item array, no bounds check)
        out = np.take(self._workday64, rank, out=rank, mode="clip")
        # [s, out] touches a provisional day only if the latest result reaches the first one
        if int(self._workday64[top]) < self._first_provisional:
            return out, np.zeros(out.shape, dtype=np.bool_)
        return out, self._next_provisional[s] <= out

    def _add_backward(
        self, s: npt.NDArray[np.int64], k: npt.NDArray[np.int64], s_max: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Every count <= -1: the |k|-th working day strictly before s."""
        rank = np.take(self._rank_before, s)
        rank += k
        if int(rank.min()) < 0:
            raise self._out_of_range(int(np.count_nonzero(rank < 0)))
        out = np.take(self._workday64, rank, out=rank, mode="clip")
        if s_max < self._first_provisional:  # [out, s] ends before the first provisional day
            return out, np.zeros(out.shape, dtype=np.bool_)
        return out, self._next_provisional[out] <= s

    def _add_mixed(
        self, s: npt.NDArray[np.int64], k: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Counts of both signs and zeros (0 gives the start itself)."""
        total = self._workday64.size
        rank = np.where(k > 0, self._rank_after[s], self._rank_before[s])
        rank += k
        zero = k == 0
        bad = ((rank < 0) | (rank >= total)) & ~zero
        if bad.any():
            raise self._out_of_range(int(np.count_nonzero(bad)))
        out = np.where(zero, s, self._workday64[np.clip(rank, 0, total - 1)])
        lo = np.minimum(s, out)
        hi = np.maximum(s, out)
        return out, self._next_provisional[lo] <= hi

    def workdays_between_many(
        self, start_days: npt.ArrayLike, end_days: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Vectorised :meth:`workdays_between` on day numbers: (counts in [a, b), provisional mask)."""
        a, b = np.broadcast_arrays(
            np.asarray(start_days, dtype=np.int64), np.asarray(end_days, dtype=np.int64)
        )
        _check_days(a, "开始日期")
        _check_days(b, "结束日期")
        counts = self.cum[b].astype(np.int64) - self.cum[a]
        lo = np.minimum(a, b)
        hi = np.maximum(a, b)
        provisional = self.prov_cum[hi] > self.prov_cum[lo]
        return counts, provisional


@functools.cache
def default_calendar() -> WorkdayCalendar:
    """The calendar from shipped data only (no database): package + shipped notice files."""
    return WorkdayCalendar.shipped()
