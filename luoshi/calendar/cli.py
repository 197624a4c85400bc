"""`luoshi calendar ...`: working-day arithmetic from the command line.

`add-workdays`, `workdays-between` and `is-workday` work without a database (shipped data only) and stay
fast: they do not start Django on the embedded SQLite default, they read the corrections straight from the
SQLite file when it exists and is migrated. With DATABASE_URL (PostgreSQL) they go through Django.
`load-notice` needs the database.

Output is exact and machine-friendly: a date, a number, or yes/no, followed by " provisional" when the
result relied on a year without a State Council notice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from luoshi.orgs.paths import ids_of_path

if TYPE_CHECKING:
    from luoshi.calendar.engine import WorkdayCalendar


def register(sub: Any) -> None:
    p = sub.add_parser(
        "calendar",
        help="working days (工作日): deadlines, counts, holidays",
        description="Working-day arithmetic for mainland China (holidays, 调休 make-up days, regional "
        "holidays). The day of receipt is not counted. Results that rely on a year without a State "
        "Council notice are marked 'provisional'.",
    )
    group = p.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--region", metavar="CODE", help="include the regional holidays of this region (code)")
        q.add_argument("--no-db", action="store_true", help="use the shipped data only, ignore the database")

    q = group.add_parser(
        "add-workdays",
        help="the N-th working day after DATE (DATE itself not counted)",
        description="Print the N-th working day strictly after DATE (N may be 0 or negative: "
        "before DATE). Example: luoshi calendar add-workdays 2026-09-30 3 → 2026-10-10",
    )
    q.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
    q.add_argument("n", metavar="N", help="number of working days (integer)")
    common(q)
    q.set_defaults(func=add_workdays)

    q = group.add_parser(
        "workdays-between",
        help="working days in [START, END)",
        description="Print the number of working days from START (included) to END (excluded).",
    )
    q.add_argument("start", metavar="START", help="YYYY-MM-DD")
    q.add_argument("end", metavar="END", help="YYYY-MM-DD")
    common(q)
    q.set_defaults(func=workdays_between)

    q = group.add_parser(
        "is-workday", help="print yes or no", description="Print yes if DATE is a working day, no otherwise."
    )
    q.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
    q.add_argument("--why", action="store_true", help="also print the reason (holiday name and source)")
    common(q)
    q.set_defaults(func=is_workday)

    q = group.add_parser(
        "load-notice",
        help="load a State Council notice file (TOML/JSON) into the database",
        description="Load one notice file as holiday corrections. All or nothing: a bad row "
        "refuses the whole file, naming the row and column. See luoshi/calendar/README.md.",
    )
    q.add_argument("file", metavar="FILE")
    q.add_argument(
        "--user", metavar="USERNAME", help="record the load as this administrator (default: system)"
    )
    q.set_defaults(func=load_notice)


def _fail(message: str) -> int:
    print(f"错误: {message}", file=sys.stderr)
    return 2


def _suffix(provisional: bool) -> str:
    return " provisional" if provisional else ""


# --- which calendar ---------------------------------------------------------------------------------------------
def _sqlite_path() -> Path:
    """Same rule as luoshi.settings (DATA_DIR/luoshi.sqlite3), without importing Django."""
    return Path(os.environ.get("LUOSHI_DATA_DIR", "var")).resolve() / "luoshi.sqlite3"


def _django_ready() -> bool:
    if "django.conf" not in sys.modules:
        return False
    from django.apps import apps

    return apps.ready


def read_sqlite(path: Path, region_code: str | None) -> WorkdayCalendar:
    """The calendar from a migrated SQLite database, read directly (fast; no Django). A missing table means
    not migrated yet: shipped data only."""
    from luoshi.calendar import engine

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        rows = conn.execute(
            "SELECT date, kind, name, source FROM calendar_holidaycorrection ORDER BY date"
        ).fetchall()
        years = [
            y
            for (y,) in conn.execute(
                "SELECT covers_year FROM calendar_calendarnotice WHERE covers_year IS NOT NULL"
            ).fetchall()
        ]
        extra: list[engine.Correction] = []
        if region_code:
            found = conn.execute("SELECT id, path FROM orgs_region WHERE code = ?", (region_code,)).fetchone()
            if found is None:
                raise engine.CalendarError(f"区域代码“{region_code}”不存在。")
            ids = ids_of_path(str(found[1])) or [int(found[0])]
            marks = ",".join("?" for _ in ids)
            for day, name, source in conn.execute(
                f"SELECT date, name, source FROM calendar_regionalholiday WHERE region_id IN ({marks})", ids
            ).fetchall():
                d = dt.date.fromisoformat(str(day))
                if engine.FIRST_DATE <= d <= engine.LAST_DATE:
                    extra.append(
                        engine.Correction(d, engine.CorrectionKind.HOLIDAY, name, source or "地方性假日")
                    )
    finally:
        conn.close()
    corrections = [
        engine.Correction(dt.date.fromisoformat(str(d)), engine.CorrectionKind(k), n, s or "管理员更正")
        for d, k, n, s in rows
    ]
    cal = engine.WorkdayCalendar.shipped(corrections=corrections, confirmed_years=[int(y) for y in years])
    return cal.with_extra_holidays(extra) if extra else cal


def _via_django(region_code: str | None) -> WorkdayCalendar:
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.calendar.engine import CalendarError
    from luoshi.calendar.services import calendar_for
    from luoshi.orgs.models import Region

    region = None
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise CalendarError(f"区域代码“{region_code}”不存在。")
    return calendar_for(region)


def calendar_from_args(args: argparse.Namespace) -> WorkdayCalendar:
    """The calendar to use: the database's (corrections, regional holidays) when there is one, migrated;
    otherwise the shipped data. A missing table is never an error."""
    from luoshi.calendar.engine import CalendarError, default_calendar

    region_code = getattr(args, "region", None)
    if getattr(args, "no_db", False):
        if region_code:
            raise CalendarError("--region 需要数据库(地方性假日存放在数据库中),不能与 --no-db 同时使用。")
        return default_calendar()
    if _django_ready() or os.environ.get("DATABASE_URL"):
        from django.db import Error as DatabaseError

        try:
            return _via_django(region_code)
        except DatabaseError:
            pass
    else:
        path = _sqlite_path()
        if not path.exists():
            if region_code:
                raise CalendarError("数据库尚未建立,无法读取地方性假日;请先运行 luoshi migrate。")
            return default_calendar()
        try:
            return read_sqlite(path, region_code)
        except sqlite3.Error:
            pass
    if region_code:
        raise CalendarError("数据库不可用或尚未迁移,无法读取地方性假日;请先运行 luoshi migrate。")
    print("提示: 数据库不可用或尚未迁移,仅使用内置节假日数据。", file=sys.stderr)
    return default_calendar()


# --- handlers -----------------------------------------------------------------------------------------------
def add_workdays(args: argparse.Namespace) -> int:
    from luoshi.calendar.engine import CalendarError, parse_count, parse_date

    try:
        start = parse_date(args.date)
        n = parse_count(args.n)
        result = calendar_from_args(args).add_workdays(start, n)
    except CalendarError as exc:
        return _fail(exc.message)
    print(f"{result.date.isoformat()}{_suffix(result.provisional)}")
    return 0


def workdays_between(args: argparse.Namespace) -> int:
    from luoshi.calendar.engine import CalendarError, parse_date

    try:
        start = parse_date(args.start, what="开始日期")
        end = parse_date(args.end, what="结束日期")
        result = calendar_from_args(args).workdays_between(start, end)
    except CalendarError as exc:
        return _fail(exc.message)
    print(f"{result.count}{_suffix(result.provisional)}")
    return 0


def is_workday(args: argparse.Namespace) -> int:
    from luoshi.calendar.engine import CalendarError, parse_date

    try:
        day = parse_date(args.date)
        cal = calendar_from_args(args)
        result = cal.is_workday(day)
    except CalendarError as exc:
        return _fail(exc.message)
    print(f"{'yes' if result.value else 'no'}{_suffix(result.provisional)}")
    if args.why:
        info = cal.explain(day)
        print(f"{info.name}" + (f"({info.source})" if info.source else ""))
    return 0


def load_notice(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        return _fail(f"无法读取文件 {path}:{exc.strerror}")
    from luoshi.core.bootstrap import setup_django

    setup_django()
    from luoshi.accounts.models import User
    from luoshi.calendar.services import notice_load

    user = None
    if args.user:
        user = User.objects.filter(username=args.user, is_active=True).first()
        if user is None:
            return _fail(f"用户“{args.user}”不存在或已停用。")
    notice = notice_load(user=user, content=content, file_name=path.name)
    print(f"已导入:{notice.title}({notice.corrections.count()} 天)")
    return 0
