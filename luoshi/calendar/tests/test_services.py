"""Corrections, notices and regional holidays through the service layer: grants, refusals, audit, cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.audit.selectors import events_for
from luoshi.calendar import engine, services
from luoshi.calendar.models import CalendarNotice, CalendarVersion, HolidayCorrection, RegionalHoliday
from luoshi.calendar.tests.conftest import NOTICE_2027
from luoshi.core.errors import AccessDenied, Conflict, ImportFailed, ValidationFailed

D = dt.date
pytestmark = pytest.mark.django_db


def test_admin_adds_a_correction_audited_and_effective(users: dict[str, Any], national_admin: Any) -> None:
    assert services.calendar_for().is_workday(D(2026, 10, 12)).value is True
    row = services.correction_add(
        user=national_admin, date="2026-10-12", kind="holiday", name="测试放假", source="测试通知"
    )
    events = list(events_for(row))
    assert [e.action for e in events] == ["calendar.correction_added"]
    assert events[0].actor == national_admin and (events[0].after or {})["date"] == "2026-10-12"
    assert services.calendar_for().is_workday(D(2026, 10, 12)).value is False
    assert services.calendar_for().add_workdays(D(2026, 9, 30), 4).date == D(2026, 10, 13)

    services.correction_remove(user=national_admin, correction=row)
    assert not HolidayCorrection.objects.exists()
    assert AuditEvent.objects.filter(action="calendar.correction_removed").count() == 1
    assert services.calendar_for().is_workday(D(2026, 10, 12)).value is True
    services.correction_remove(user=national_admin, correction=row)  # twice: one effect
    assert AuditEvent.objects.filter(action="calendar.correction_removed").count() == 1


@pytest.mark.parametrize("who", ["staff", "leader", "enterprise", "observer"])
def test_non_admins_cannot_change_corrections(users: dict[str, Any], who: str, national_admin: Any) -> None:
    with pytest.raises(AccessDenied):
        services.correction_add(user=users[who], date="2026-10-12", kind="holiday", name="x")
    row = services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    with pytest.raises(AccessDenied):
        services.correction_remove(user=users[who], correction=row)
    with pytest.raises(AccessDenied):
        services.correction_update(user=users[who], correction=row, kind="workday", name="y")
    with pytest.raises(AccessDenied):
        services.notice_load(user=users[who], content=NOTICE_2027)
    assert HolidayCorrection.objects.count() == 1
    assert not AuditEvent.objects.filter(actor=users[who]).exists()


@pytest.mark.parametrize(
    ("date", "kind", "name", "fragment"),
    [
        ("2026-02-30", "holiday", "x", "不存在"),
        ("2003-05-01", "holiday", "x", "超出"),
        ("2026-10-12", "rest", "x", "类型"),
        ("2026-10-12", "holiday", " ", "名称"),
    ],
)
def test_bad_correction_input(
    users: dict[str, Any], date: str, kind: str, name: str, fragment: str, national_admin: Any
) -> None:
    with pytest.raises(ValidationFailed) as err:
        services.correction_add(user=national_admin, date=date, kind=kind, name=name)
    assert fragment in err.value.message
    assert not HolidayCorrection.objects.exists()


def test_duplicate_correction_is_a_conflict(users: dict[str, Any], national_admin: Any) -> None:
    services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    with pytest.raises(Conflict):
        services.correction_add(user=national_admin, date="2026-10-12", kind="workday", name="y")


def test_correction_update_is_audited(users: dict[str, Any], national_admin: Any) -> None:
    row = services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    services.correction_update(user=national_admin, correction=row, kind="workday", name="y")
    changed = AuditEvent.objects.get(action="calendar.correction_changed")
    assert (changed.before or {})["kind"] == "holiday" and (changed.after or {})["kind"] == "workday"
    assert services.calendar_for().is_workday(D(2026, 10, 12)).value is True


def test_load_notice_makes_the_year_final(users: dict[str, Any], national_admin: Any) -> None:
    assert services.calendar_for().add_workdays(D(2026, 12, 30), 5).provisional is True
    notice = services.notice_load(user=national_admin, content=NOTICE_2027, file_name="2027.toml")
    assert notice.covers_year == 2027 and notice.corrections.count() == 11
    cal = services.calendar_for()
    assert cal.add_workdays(D(2026, 12, 30), 5).provisional is False
    assert cal.add_workdays(D(2026, 12, 30), 5).date == D(2027, 1, 7)
    assert cal.is_workday(D(2027, 2, 9)) == engine.DayResult(False, False)  # per the notice, not the statute
    assert cal.is_workday(D(2027, 2, 13)).value is True
    assert AuditEvent.objects.filter(action="calendar.notice_loaded").count() == 1
    assert AuditEvent.objects.filter(action="calendar.correction_added").count() == 11

    services.notice_remove(user=national_admin, notice=notice)
    assert not HolidayCorrection.objects.exists() and not CalendarNotice.objects.exists()
    assert services.calendar_for().add_workdays(D(2026, 12, 30), 5).provisional is True


def test_load_notice_replaces_an_existing_correction(users: dict[str, Any], national_admin: Any) -> None:
    services.correction_add(user=national_admin, date="2027-02-13", kind="holiday", name="旧")
    services.notice_load(user=national_admin, content=NOTICE_2027)
    row = HolidayCorrection.objects.get(date=D(2027, 2, 13))
    assert row.kind == "workday" and row.notice is not None
    assert AuditEvent.objects.filter(action="calendar.correction_changed", subject_id=str(row.pk)).exists()


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (NOTICE_2027 + '\n[[days]]\ndate = "2026-02-30"\nkind = "holiday"\nname = "坏"\n', (4, "date")),
        (NOTICE_2027 + '\n[[days]]\ndate = "2003-05-01"\nkind = "holiday"\nname = "坏"\n', (4, "date")),
        (NOTICE_2027 + '\n[[days]]\ndate = 2026-02-30\nkind = "holiday"\nname = "坏"\n', (24, "8")),
        (NOTICE_2027 + '\n[[days]]\ndate = "2027-03-01"\nkind = "休假"\nname = "坏"\n', (4, "kind")),
        ('title = "空"\n', (0, "days")),
    ],
)
def test_bad_notice_writes_nothing(
    users: dict[str, Any], content: str, where: tuple[int, str], national_admin: Any
) -> None:
    token = services.current_token()
    with pytest.raises(ImportFailed) as err:
        services.notice_load(user=national_admin, content=content, file_name="bad.toml")
    assert where in {(d["row"], d["column"]) for d in err.value.details}
    assert not HolidayCorrection.objects.exists()
    assert not CalendarNotice.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calendar.").exists()
    assert services.current_token() == token


def test_notice_in_gb18030_is_read(users: dict[str, Any], national_admin: Any) -> None:
    notice = services.notice_load(user=national_admin, content=NOTICE_2027.encode("gb18030"))
    assert notice.title.startswith("国务院办公厅")


# --- regional holidays ---------------------------------------------------------------------------------------------
def test_regional_holidays_apply_to_the_region_and_below(
    users: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.directory.services import region_create
    from luoshi.orgs.models import RegionLevel

    district = region_create(
        code="t420802", name="东宝区", level=RegionLevel.COUNTY, parent=regions["jingmen"]
    )
    services.regional_holiday_add(
        user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="荆门地方节日"
    )
    assert services.calendar_for(regions["jingmen"]).add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 12)
    assert services.calendar_for(district).add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 12)
    assert services.calendar_for(regions["jingzhou"]).add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 10)
    assert services.calendar_for().add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 10)
    assert services.calendar_for(district).explain(D(2026, 10, 9)).name == "荆门地方节日"
    # a holiday of the province applies to every city below it
    hubei_admin = users["admin"]
    hubei_admin.is_superuser = True
    services.regional_holiday_add(
        user=hubei_admin, region=regions["hubei"], date="2026-10-12", name="全省节日"
    )
    assert services.calendar_for(regions["jingzhou"]).add_workdays(D(2026, 9, 30), 3).date == D(2026, 10, 10)
    assert services.calendar_for(regions["jingzhou"]).add_workdays(D(2026, 9, 30), 4).date == D(2026, 10, 13)


def test_regional_holiday_refusals(users: dict[str, Any], regions: dict[str, Any]) -> None:
    with pytest.raises(AccessDenied):  # 荆州's admin may not set 荆门's holidays
        services.regional_holiday_add(
            user=users["admin_jz"], region=regions["jingmen"], date="2026-10-09", name="x"
        )
    with pytest.raises(AccessDenied):
        services.regional_holiday_add(
            user=users["staff"], region=regions["jingmen"], date="2026-10-09", name="x"
        )
    with pytest.raises(AccessDenied):  # a city admin may not set the province's
        services.regional_holiday_add(
            user=users["admin"], region=regions["hubei"], date="2026-10-09", name="x"
        )
    row = services.regional_holiday_add(
        user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="x"
    )
    with pytest.raises(AccessDenied):
        services.regional_holiday_remove(user=users["admin_jz"], holiday=row)
    with pytest.raises(AccessDenied):
        services.regional_holiday_remove(user=users["leader"], holiday=row)
    with pytest.raises(Conflict):
        services.regional_holiday_add(
            user=users["admin"], region=regions["jingmen"], date="2026-10-09", name="y"
        )
    services.regional_holiday_remove(user=users["admin"], holiday=row)
    assert not RegionalHoliday.objects.exists()
    assert [e.action for e in events_for(row)] == [
        "calendar.regional_holiday_removed",
        "calendar.regional_holiday_added",
    ]


# --- cache and version token ------------------------------------------------------------------------------------------
def test_calendar_is_cached_until_the_token_changes(
    users: dict[str, Any], django_assert_num_queries: Any, national_admin: Any
) -> None:
    first = services.calendar_for()
    with django_assert_num_queries(1):  # only the token
        assert services.calendar_for() is first
    services.correction_add(user=national_admin, date="2026-10-12", kind="holiday", name="x")
    assert services.calendar_for() is not first


def test_another_process_changing_the_data_is_seen(users: dict[str, Any]) -> None:
    """Simulate another process: the row is written and the token replaced without touching our memory."""
    first = services.calendar_for()
    HolidayCorrection.objects.create(date=D(2026, 10, 12), kind="holiday", name="别的进程")
    assert services.calendar_for() is first  # nothing told us yet
    CalendarVersion.objects.update_or_create(pk=1, defaults={"token": "other-process"})
    assert services.calendar_for().is_workday(D(2026, 10, 12)).value is False
