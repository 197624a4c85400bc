"""Writes to the calendar data (corrections, notices, regional holidays) and `calendar_for`, the one way
every other domain gets a `WorkdayCalendar`.

Every write: checks that the user is an administrator (营商办管理员; jobs and commands run as the system,
user None), validates, saves, records an audit event and replaces the `CalendarVersion` token, all in one
transaction. `calendar_for` rebuilds its in-memory calendars when the token changes, so several web and
worker processes agree.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from luoshi.accounts.access import region_ancestor_ids
from luoshi.audit.services import record, snapshot
from luoshi.calendar import access, engine
from luoshi.calendar.events import CalendarEvent
from luoshi.calendar.models import (
    CalendarNotice,
    CalendarVersion,
    CorrectionKind,
    HolidayCorrection,
    RegionalHoliday,
)
from luoshi.core.errors import Conflict, ImportFailed, ValidationFailed

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region

CORRECTION_FIELDS = ["date", "kind", "name", "source", "notice"]
REGIONAL_FIELDS = ["region", "date", "name", "source"]


# --- validation ---------------------------------------------------------------------------------------------
def _date(value: dt.date | str, what: str = "日期") -> dt.date:
    try:
        if isinstance(value, str):
            return engine.parse_date(value, what=what)
        return engine.check_date(value, what=what)
    except engine.CalendarError as exc:
        raise ValidationFailed(exc.message) from None


def _kind(value: str) -> CorrectionKind:
    try:
        return CorrectionKind(value)
    except ValueError:
        raise ValidationFailed(f"类型“{value}”无效,应为 holiday(放假)或 workday(上班)。") from None


def _name(value: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationFailed("请填写名称(如“国庆节”或“国庆节调休上班”)。")
    if len(name) > 100:
        raise ValidationFailed("名称不能超过 100 个字。")
    return name


def _bump() -> None:
    """Replace the version token (inside the caller's transaction)."""
    token = uuid.uuid4().hex
    updated = CalendarVersion.objects.filter(pk=1).update(token=token, changed_at=timezone.now())
    if not updated:
        try:
            with transaction.atomic():
                CalendarVersion.objects.create(pk=1, token=token)
        except IntegrityError:
            CalendarVersion.objects.filter(pk=1).update(token=token, changed_at=timezone.now())


# --- corrections ----------------------------------------------------------------------------------------------
def correction_add(
    *, user: User | None, date: dt.date | str, kind: str, name: str, source: str = "", reason: str = ""
) -> HolidayCorrection:
    """Declare one date a day off or a working day (overrides the package and the shipped notices)."""
    access.require_national(user, "修改节假日更正")
    day = _date(date)
    kind = _kind(kind)
    name = _name(name)
    try:
        with transaction.atomic():
            row = HolidayCorrection.objects.create(
                date=day, kind=kind, name=name, source=source.strip()[:300], created_by=user
            )
            record(
                actor=user,
                action=CalendarEvent.CORRECTION_ADDED,
                subject=row,
                after=snapshot(row, CORRECTION_FIELDS),
                reason=reason,
            )
            _bump()
    except IntegrityError:
        raise Conflict(f"{day.isoformat()} 已有一条更正;如需修改,请先删除原更正或直接编辑它。") from None
    return row


def correction_update(
    *,
    user: User | None,
    correction: HolidayCorrection,
    kind: str,
    name: str,
    source: str = "",
    reason: str = "",
) -> HolidayCorrection:
    access.require_national(user, "修改节假日更正")
    kind = _kind(kind)
    name = _name(name)
    with transaction.atomic():
        row = HolidayCorrection.objects.select_for_update().get(pk=correction.pk)
        before = snapshot(row, CORRECTION_FIELDS)
        row.kind, row.name, row.source = kind, name, source.strip()[:300]
        row.save(update_fields=["kind", "name", "source"])
        record(
            actor=user,
            action=CalendarEvent.CORRECTION_CHANGED,
            subject=row,
            before=before,
            after=snapshot(row, CORRECTION_FIELDS),
            reason=reason,
        )
        _bump()
    return row


def correction_remove(*, user: User | None, correction: HolidayCorrection, reason: str = "") -> None:
    access.require_national(user, "删除节假日更正")
    with transaction.atomic():
        row = HolidayCorrection.objects.select_for_update().filter(pk=correction.pk).first()
        if row is None:
            return  # already removed: removing twice has one effect
        record(
            actor=user,
            action=CalendarEvent.CORRECTION_REMOVED,
            subject=row,
            before=snapshot(row, CORRECTION_FIELDS),
            reason=reason,
        )
        row.delete()
        _bump()


# --- notices ---------------------------------------------------------------------------------------------------
def notice_load(*, user: User | None, content: bytes | str, file_name: str = "") -> CalendarNotice:
    """Load one notice file (TOML/JSON, see engine.parse_notice). All or nothing: any bad row refuses the
    whole file with ImportFailed listing every problem (row = entry number or line, column = field)."""
    access.require_national(user, "导入放假通知")
    try:
        parsed = engine.parse_notice(content, file_name=file_name)
    except engine.NoticeError as exc:
        raise ImportFailed(
            exc.message + "请修改文件后重新导入。", details=[p.as_dict() for p in exc.problems]
        ) from None
    with transaction.atomic():
        notice = CalendarNotice.objects.create(
            title=parsed.title[:200],
            source=parsed.source[:300],
            covers_year=parsed.covers_year,
            file_name=file_name[:200],
            loaded_by=user,
        )
        record(
            actor=user,
            action=CalendarEvent.NOTICE_LOADED,
            subject=notice,
            after={
                "title": notice.title,
                "source": notice.source,
                "covers_year": notice.covers_year,
                "file_name": notice.file_name,
                "days": len(parsed.days),
            },
        )
        existing = {
            row.date: row
            for row in HolidayCorrection.objects.select_for_update().filter(
                date__in=[c.date for c in parsed.days]
            )
        }
        for c in parsed.days:
            row = existing.get(c.date)
            if row is None:
                row = HolidayCorrection.objects.create(
                    date=c.date,
                    kind=str(c.kind),
                    name=c.name[:100],
                    source=c.source[:300],
                    notice=notice,
                    created_by=user,
                )
                record(
                    actor=user,
                    action=CalendarEvent.CORRECTION_ADDED,
                    subject=row,
                    after=snapshot(row, CORRECTION_FIELDS),
                    reason=f"导入通知:{notice.title}",
                )
            else:
                before = snapshot(row, CORRECTION_FIELDS)
                row.kind, row.name, row.source, row.notice = str(c.kind), c.name[:100], c.source[:300], notice
                row.save(update_fields=["kind", "name", "source", "notice"])
                record(
                    actor=user,
                    action=CalendarEvent.CORRECTION_CHANGED,
                    subject=row,
                    before=before,
                    after=snapshot(row, CORRECTION_FIELDS),
                    reason=f"导入通知:{notice.title}",
                )
        _bump()
    return notice


def notice_remove(*, user: User | None, notice: CalendarNotice, reason: str = "") -> None:
    """Remove a loaded notice and the corrections that came from it."""
    access.require_national(user, "删除放假通知")
    with transaction.atomic():
        row = CalendarNotice.objects.select_for_update().filter(pk=notice.pk).first()
        if row is None:
            return
        for correction in HolidayCorrection.objects.select_for_update().filter(notice=row):
            record(
                actor=user,
                action=CalendarEvent.CORRECTION_REMOVED,
                subject=correction,
                before=snapshot(correction, CORRECTION_FIELDS),
                reason=f"删除通知:{row.title}",
            )
            correction.delete()
        record(
            actor=user,
            action=CalendarEvent.NOTICE_REMOVED,
            subject=row,
            before={"title": row.title, "source": row.source, "covers_year": row.covers_year},
            reason=reason,
        )
        row.delete()
        _bump()


# --- regional holidays -------------------------------------------------------------------------------------------
def regional_holiday_add(
    *, user: User | None, region: Region, date: dt.date | str, name: str, source: str = "", reason: str = ""
) -> RegionalHoliday:
    """An extra day off in `region` and every region below it."""
    access.require_regional(user, region, "为该区域设置地方性假日")
    day = _date(date)
    name = _name(name)
    try:
        with transaction.atomic():
            row = RegionalHoliday.objects.create(
                region=region, date=day, name=name, source=source.strip()[:300], created_by=user
            )
            record(
                actor=user,
                action=CalendarEvent.REGIONAL_HOLIDAY_ADDED,
                subject=row,
                after=snapshot(row, REGIONAL_FIELDS),
                reason=reason,
            )
            _bump()
    except IntegrityError:
        raise Conflict(f"{region.name} 在 {day.isoformat()} 已有地方性假日。") from None
    return row


def regional_holiday_remove(*, user: User | None, holiday: RegionalHoliday, reason: str = "") -> None:
    access.require_regional(user, holiday.region, "删除该区域的地方性假日")
    with transaction.atomic():
        row = RegionalHoliday.objects.select_for_update().filter(pk=holiday.pk).first()
        if row is None:
            return
        record(
            actor=user,
            action=CalendarEvent.REGIONAL_HOLIDAY_REMOVED,
            subject=row,
            before=snapshot(row, REGIONAL_FIELDS),
            reason=reason,
        )
        row.delete()
        _bump()


# --- the calendar other domains use --------------------------------------------------------------------------------
_lock = threading.Lock()
_national: tuple[str, engine.WorkdayCalendar] | None = None
_regional: dict[int, tuple[str, engine.WorkdayCalendar]] = {}


def current_token() -> str:
    """The calendar data version every process compares against (one indexed query)."""
    return CalendarVersion.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _build_national() -> engine.WorkdayCalendar:
    corrections = [
        engine.Correction(row.date, engine.CorrectionKind(row.kind), row.name, row.source or "管理员更正")
        for row in HolidayCorrection.objects.order_by("date")
    ]
    years = CalendarNotice.objects.exclude(covers_year=None).values_list("covers_year", flat=True)
    return engine.WorkdayCalendar.shipped(
        corrections=corrections, confirmed_years=[int(y) for y in years if y is not None]
    )


def _ancestor_ids(region: Region) -> list[int]:
    return region_ancestor_ids(region)


def calendar_for(region: Region | None = None, *, token: str | None = None) -> engine.WorkdayCalendar:
    """The working-day calendar for `region` (None: national): shipped data + DB corrections + the regional
    holidays of the region and its ancestors. Cached per process; rebuilt when the version token changes.

    `token`: the version token when the caller has just read it (e.g. as a subquery of its own statement),
    which saves the one query this otherwise costs."""
    global _national
    if token is None:
        token = current_token()
    with _lock:
        national = _national
        if national is None or national[0] != token:
            national = (token, _build_national())
            _national = national
            _regional.clear()
        if region is None:
            return national[1]
        hit = _regional.get(region.pk)
        if hit is not None and hit[0] == token:
            return hit[1]
        extra = [
            engine.Correction(
                row.date,
                engine.CorrectionKind.HOLIDAY,
                row.name,
                row.source or f"{row.region.name}地方性假日",
            )
            for row in RegionalHoliday.objects.filter(region_id__in=_ancestor_ids(region)).select_related(
                "region"
            )
            if engine.FIRST_DATE <= row.date <= engine.LAST_DATE
        ]
        cal = national[1].with_extra_holidays(extra) if extra else national[1]
        _regional[region.pk] = (token, cal)
        return cal


def clear_cache() -> None:
    """Forget the in-memory calendars of this process (tests; the token makes this unnecessary otherwise)."""
    global _national
    with _lock:
        _national = None
        _regional.clear()
