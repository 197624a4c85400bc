"""Calendar JSON API, mounted at /api/calendar/. Dates are YYYY-MM-DD; every answer carries `provisional`
(true when it relied on a year without a State Council notice). The calendar is the caller's region's
(regional holidays included) unless `region` (a region code) is given."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest
from ninja import Router, Schema, Status

from luoshi.calendar import engine, selectors, services
from luoshi.calendar.errors import CalendarErrorCode
from luoshi.calendar.models import HolidayCorrection
from luoshi.core.bounds import Id
from luoshi.core.errors import AccessDenied, NotFound, ValidationFailed
from luoshi.orgs.models import Region

if TYPE_CHECKING:
    from luoshi.accounts.models import User


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)


router = Router(tags=["calendar"])


class DateOut(Schema):
    date: dt.date
    provisional: bool


class CountOut(Schema):
    count: int
    provisional: bool


class DayOut(Schema):
    date: dt.date
    workday: bool
    provisional: bool
    kind: str
    name: str
    source: str


class CorrectionIn(Schema):
    date: str
    kind: str
    name: str
    source: str = ""


class CorrectionOut(Schema):
    id: int
    date: dt.date
    kind: str
    name: str
    source: str
    notice_id: int | None = None


def _calendar(request: HttpRequest, region: str | None) -> engine.WorkdayCalendar:
    if region:
        found = Region.objects.filter(code=region).first()
        if found is None:
            raise NotFound(f"区域代码“{region}”不存在。", code=CalendarErrorCode.REGION_NOT_FOUND)
        return services.calendar_for(found)
    return selectors.calendar_for_user(_user(request))


def _calc(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except engine.CalendarError as exc:
        raise ValidationFailed(exc.message, code=CalendarErrorCode.CALCULATION_INVALID) from None


@router.get("/add-workdays", response=DateOut, summary="N 个工作日后的日期(受理当日不计)")
def add_workdays(request: HttpRequest, date: str, n: str, region: str | None = None) -> DateOut:
    start = _calc(engine.parse_date, date)
    count = _calc(engine.parse_count, n)
    result: engine.DateResult = _calc(_calendar(request, region).add_workdays, start, count)
    return DateOut(date=result.date, provisional=result.provisional)


@router.get("/workdays-between", response=CountOut, summary="[start, end) 之间的工作日数")
def workdays_between(request: HttpRequest, start: str, end: str, region: str | None = None) -> CountOut:
    a = _calc(engine.parse_date, start)
    b = _calc(engine.parse_date, end)
    result: engine.CountResult = _calc(_calendar(request, region).workdays_between, a, b)
    return CountOut(count=result.count, provisional=result.provisional)


@router.get("/is-workday", response=DayOut, summary="某日是否为工作日,以及原因")
def is_workday(request: HttpRequest, date: str, region: str | None = None) -> DayOut:
    day = _calc(engine.parse_date, date)
    info: engine.DayInfo = _calc(_calendar(request, region).explain, day)
    return DayOut(
        date=info.date,
        workday=info.is_workday,
        provisional=info.provisional,
        kind=str(info.kind),
        name=info.name,
        source=info.source,
    )


def _correction_out(row: HolidayCorrection) -> CorrectionOut:
    return CorrectionOut(
        id=row.pk, date=row.date, kind=row.kind, name=row.name, source=row.source, notice_id=row.notice_id
    )


@router.get("/corrections", response=list[CorrectionOut], summary="节假日更正列表(管理员)")
def corrections(request: HttpRequest) -> list[CorrectionOut]:
    if not selectors.is_calendar_admin(_user(request)):
        raise AccessDenied(code=CalendarErrorCode.CORRECTIONS_OFFICE_ONLY)
    return [_correction_out(row) for row in selectors.corrections_for(_user(request))]


@router.post("/corrections", response={201: CorrectionOut}, summary="新增节假日更正(管理员)")
def correction_add(request: HttpRequest, payload: CorrectionIn) -> Status[CorrectionOut]:
    row = services.correction_add(
        user=_user(request), date=payload.date, kind=payload.kind, name=payload.name, source=payload.source
    )
    return Status(201, _correction_out(row))


@router.delete("/corrections/{correction_id}", response={204: None}, summary="删除节假日更正(管理员)")
def correction_remove(request: HttpRequest, correction_id: Id) -> Status[None]:
    if not selectors.is_calendar_admin(_user(request)):
        raise AccessDenied(code=CalendarErrorCode.CORRECTION_DELETE_OFFICE_ONLY)
    row = HolidayCorrection.objects.filter(pk=correction_id).first()
    if row is None:
        raise NotFound(code=CalendarErrorCode.CORRECTION_NOT_FOUND)
    services.correction_remove(user=_user(request), correction=row)
    return Status(204, None)
