"""`luoshi calendar ...`: exact outputs, bad input, with and without a database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from luoshi.calendar import cli as calendar_cli
from luoshi.calendar.tests.conftest import NOTICE_2027
from luoshi.cli import main

LUOSHI = Path(sys.executable).parent / "luoshi"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real console script with an empty data directory: no database at all."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["LUOSHI_DATA_DIR"] = str(tmp_path / "var")
    return subprocess.run(
        [str(LUOSHI), "calendar", *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("add-workdays", "2026-09-30", "3"), "2026-10-10\n"),
        (("workdays-between", "2026-09-28", "2026-10-12"), "6\n"),
        (("is-workday", "2005-12-31"), "yes\n"),
        (("is-workday", "2026-10-01"), "no\n"),
        (("add-workdays", "2026-12-30", "5"), "2027-01-07 provisional\n"),
    ],
)
def test_exact_outputs_without_a_database(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    done = run(tmp_path, *args)
    assert (done.returncode, done.stdout) == (0, expected), done.stderr
    assert not (tmp_path / "var" / "luoshi.sqlite3").exists()  # nothing created


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("add-workdays", "2026-02-30", "3"), "2026-02-30"),
        (("add-workdays", "2003-05-01", "3"), "2003-05-01"),
        (("add-workdays", "2026-09-30", "abc"), "abc"),
        (("workdays-between", "2026-09-28", "tomorrow"), "tomorrow"),
        (("is-workday", "2100-01-01"), "2100-01-01"),
    ],
)
def test_bad_input_is_a_clear_message(tmp_path: Path, args: tuple[str, ...], fragment: str) -> None:
    done = run(tmp_path, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert fragment in done.stderr and "错误" in done.stderr
    assert "Traceback" not in done.stderr


def test_in_process_with_capsys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "add-workdays", "2026-09-30", "3", "--no-db"]) == 0
    assert capsys.readouterr().out == "2026-10-10\n"
    assert main(["calendar", "is-workday", "2026-10-10", "--no-db", "--why"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("yes\n") and "调休上班" in out


@pytest.mark.django_db
def test_database_corrections_are_included(
    users: dict[str, Any], capsys: pytest.CaptureFixture[str], national_admin: Any
) -> None:
    from luoshi.calendar import services

    services.correction_add(user=national_admin, date="2026-10-10", kind="holiday", name="测试")
    assert main(["calendar", "add-workdays", "2026-09-30", "3"]) == 0
    assert capsys.readouterr().out == "2026-10-12\n"
    assert main(["calendar", "add-workdays", "2026-09-30", "3", "--no-db"]) == 0
    assert capsys.readouterr().out == "2026-10-10\n"


@pytest.mark.django_db
def test_regional_option(
    users: dict[str, Any], regions: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from luoshi.calendar import services

    services.regional_holiday_add(user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="x")
    assert main(["calendar", "add-workdays", "2026-09-30", "3", "--region", "t420800"]) == 0
    assert capsys.readouterr().out == "2026-10-12\n"
    assert main(["calendar", "add-workdays", "2026-09-30", "3", "--region", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


@pytest.mark.django_db
def test_load_notice_command(
    tmp_path: Path, users: dict[str, Any], capsys: pytest.CaptureFixture[str], national_admin: Any
) -> None:
    from luoshi.audit.models import AuditEvent
    from luoshi.calendar.models import HolidayCorrection

    good = tmp_path / "2027.toml"
    good.write_text(NOTICE_2027, encoding="utf-8")
    assert main(["calendar", "load-notice", str(good), "--user", "admin_hubei"]) == 0
    assert "已导入" in capsys.readouterr().out
    assert HolidayCorrection.objects.count() == 11
    assert AuditEvent.objects.filter(action="calendar.notice_loaded", interface="command").exists()
    assert main(["calendar", "add-workdays", "2026-12-30", "5"]) == 0
    assert capsys.readouterr().out == "2027-01-07\n"  # no longer provisional

    bad = tmp_path / "bad.toml"
    bad.write_text(NOTICE_2027.replace("2027-02-13", "2027-02-30"), encoding="utf-8")
    assert main(["calendar", "load-notice", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "2027-02-30" in err and "第 3 行" in err
    assert HolidayCorrection.objects.count() == 11
    assert main(["calendar", "load-notice", str(tmp_path / "missing.toml")]) == 2


def test_reads_a_migrated_sqlite_file_directly(tmp_path: Path) -> None:
    """The fast path on the embedded default: corrections read with sqlite3, no Django."""
    path = tmp_path / "luoshi.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE calendar_holidaycorrection (id INTEGER PRIMARY KEY, date TEXT, kind TEXT, name TEXT, source TEXT);
        CREATE TABLE calendar_calendarnotice (id INTEGER PRIMARY KEY, covers_year INTEGER);
        CREATE TABLE orgs_region (id INTEGER PRIMARY KEY, code TEXT, path TEXT);
        CREATE TABLE calendar_regionalholiday (id INTEGER PRIMARY KEY, region_id INTEGER, date TEXT, name TEXT,
                                               source TEXT);
        INSERT INTO calendar_holidaycorrection VALUES (1, '2026-10-10', 'holiday', '测试', '');
        INSERT INTO calendar_calendarnotice VALUES (1, 2027);
        INSERT INTO orgs_region VALUES (1, 'p', '/1/'), (2, 'c', '/1/2/');
        INSERT INTO calendar_regionalholiday VALUES (1, 1, '2026-10-12', '省节日', '');
        """
    )
    conn.close()
    cal = calendar_cli.read_sqlite(path, None)
    import datetime as dt

    assert cal.add_workdays(dt.date(2026, 9, 30), 3).date == dt.date(2026, 10, 12)
    assert not cal.is_workday(dt.date(2027, 1, 4)).provisional
    regional = calendar_cli.read_sqlite(path, "c")
    assert regional.add_workdays(dt.date(2026, 9, 30), 3).date == dt.date(2026, 10, 13)


def test_an_unmigrated_sqlite_file_falls_back_to_shipped_data(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    sqlite3.connect(var / "luoshi.sqlite3").close()  # exists, no tables
    done = run(tmp_path, "add-workdays", "2026-09-30", "3")
    assert (done.returncode, done.stdout) == (0, "2026-10-10\n")
    assert "Traceback" not in done.stderr
