"""Calendar pages: a month/year view, a deadline calculator, and (administrators) corrections, notice upload
and regional holidays. Thin: they parse input, call selectors/services, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from luoshi.accounts.access import region_subtree
from luoshi.calendar import engine, selectors, services
from luoshi.calendar.errors import CalendarErrorCode
from luoshi.calendar.models import CorrectionKind, HolidayCorrection, RegionalHoliday
from luoshi.core.errors import AccessDenied, Conflict, ImportFailed, NotFound, ValidationFailed
from luoshi.orgs.models import Region

if TYPE_CHECKING:
    from luoshi.accounts.models import User


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)


WEEKDAYS = ["一", "二", "三", "四", "五", "六", "日"]
MAX_NOTICE_BYTES = 256 * 1024


def _int(value: str | None, default: int, lo: int, hi: int) -> int:
    try:
        number = int(value) if value not in (None, "") else default
    except ValueError:
        return default
    return min(max(number, lo), hi)


def _month_weeks(cal: engine.WorkdayCalendar, year: int, month: int) -> list[list[engine.DayInfo | None]]:
    days = cal.month(year, month)
    weeks: list[list[engine.DayInfo | None]] = []
    week: list[engine.DayInfo | None] = [None] * days[0].date.weekday()
    for info in days:
        week.append(info)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks


def _calculator(cal: engine.WorkdayCalendar, params: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "start": params.get("start", ""),
        "n": params.get("n", ""),
        "a": params.get("a", ""),
        "b": params.get("b", ""),
    }
    if out["start"] or out["n"]:
        try:
            result = cal.add_workdays(
                engine.parse_date(out["start"], what="受理日期"), engine.parse_count(out["n"])
            )
            out["deadline"] = result
            out["deadline_weekday"] = WEEKDAYS[result.date.weekday()]
        except engine.CalendarError as exc:
            out["deadline_error"] = exc.message
    if out["a"] or out["b"]:
        try:
            count = cal.workdays_between(
                engine.parse_date(out["a"], what="开始日期"), engine.parse_date(out["b"], what="结束日期")
            )
            out["between"] = count
        except engine.CalendarError as exc:
            out["between_error"] = exc.message
    return out


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year, engine.FIRST_DATE.year, engine.LAST_DATE.year)
    month = _int(request.GET.get("month"), today.month, 1, 12)
    view = "year" if request.GET.get("view") == "year" else "month"
    cal = selectors.calendar_for_user(user)
    months = [(m, _month_weeks(cal, year, m)) for m in (range(1, 13) if view == "year" else [month])]
    prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
    next_month = (year, month + 1) if month < 12 else (year + 1, 1)
    is_admin = selectors.is_calendar_admin(user)
    context: dict[str, Any] = {
        "title": "工作日历",
        "year": year,
        "month": month,
        "view": view,
        "months": months,
        "weekdays": WEEKDAYS,
        "provisional": cal.is_provisional_year(year),
        "region": selectors.region_of(user),
        "prev_month": prev_month if prev_month[0] >= engine.FIRST_DATE.year else None,
        "next_month": next_month if next_month[0] <= engine.LAST_DATE.year else None,
        "prev_year": year - 1 if year > engine.FIRST_DATE.year else None,
        "next_year": year + 1 if year < engine.LAST_DATE.year else None,
        "calc": _calculator(cal, request.GET),
        "today": today,
        "is_admin": is_admin,
        "can_change_national": selectors.owns_national_data(user),
        "last_notice_year": max(
            set(range(engine.FIRST_DATE.year, engine.LAST_DATE.year + 1)) - set(cal.provisional_years)
        ),
    }
    if is_admin:
        context.update(
            corrections=selectors.corrections_for(user)[:200],
            notices=selectors.notices_for(user)[:50],
            regional=selectors.regional_holidays_for(user)[:200],
            kinds=CorrectionKind.choices,
            admin_regions=_admin_regions(user),
        )
    return render(request, "calendar/index.html", context)


def _admin_regions(user: Any) -> list[Region]:
    if user.is_superuser:
        return list(Region.objects.order_by("path"))
    if user.region is None:
        return []
    return list(region_subtree(user.region).order_by("path"))


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("calendar:index") + "#admin")


def _require_admin_page(request: HttpRequest) -> None:
    if not selectors.is_calendar_admin(_user(request)):
        raise AccessDenied(code=CalendarErrorCode.OFFICE_ONLY)


@login_required
@require_POST
def correction_add(request: HttpRequest) -> HttpResponse:
    _require_admin_page(request)
    try:
        row = services.correction_add(
            user=_user(request),
            date=request.POST.get("date", ""),
            kind=request.POST.get("kind", ""),
            name=request.POST.get("name", ""),
            source=request.POST.get("source", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已添加更正:{row}")
    return _back(request)


@login_required
@require_POST
def correction_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin_page(request)
    row = get_object_or_404(HolidayCorrection, pk=pk)
    services.correction_remove(user=_user(request), correction=row)
    messages.success(request, f"已删除更正:{row.date:%Y-%m-%d} {row.name}")
    return _back(request)


@login_required
@require_POST
def notice_upload(request: HttpRequest) -> HttpResponse:
    _require_admin_page(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要导入的通知文件(.toml 或 .json)。")
        return _back(request)
    if upload.size is not None and upload.size > MAX_NOTICE_BYTES:
        messages.error(request, "通知文件过大(上限 256 KB),请检查是否选错了文件。")
        return _back(request)
    try:
        notice = services.notice_load(user=_user(request), content=upload.read(), file_name=upload.name or "")
    except ImportFailed as exc:
        lines = [exc.message] + [
            f"第 {d['row']} 条/行,{d['column'] or '—'}:{d['message']}" for d in (exc.details or [])
        ]
        for line in lines:
            messages.error(request, line)
    else:
        messages.success(request, f"已导入通知:{notice.title}")
    return _back(request)


@login_required
@require_POST
def regional_add(request: HttpRequest) -> HttpResponse:
    _require_admin_page(request)
    region = Region.objects.filter(pk=_int(request.POST.get("region"), 0, 0, 2**31 - 1)).first()
    if region is None:
        raise NotFound(code=CalendarErrorCode.REGION_MISSING)
    try:
        row = services.regional_holiday_add(
            user=_user(request),
            region=region,
            date=request.POST.get("date", ""),
            name=request.POST.get("name", ""),
            source=request.POST.get("source", ""),
        )
    except (ValidationFailed, Conflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已添加地方性假日:{row.region} {row}")
    return _back(request)


@login_required
@require_POST
def regional_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin_page(request)
    row = get_object_or_404(RegionalHoliday.objects.select_related("region"), pk=pk)
    services.regional_holiday_remove(user=_user(request), holiday=row)
    messages.success(request, f"已删除地方性假日:{row.region} {row}")
    return _back(request)
