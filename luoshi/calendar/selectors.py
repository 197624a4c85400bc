"""Reads of calendar data, scoped to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from luoshi.accounts.models import Role
from luoshi.calendar import engine
from luoshi.calendar.models import CalendarNotice, HolidayCorrection, RegionalHoliday
from luoshi.calendar.services import calendar_for

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region


def is_calendar_admin(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def region_of(user: User) -> Region | None:
    """The region whose calendar applies to the user: their own, their unit's or their firm's."""
    if user.region_id is not None:
        return user.region
    if user.unit_id is not None and user.unit is not None:
        return user.unit.region
    if user.enterprise_id is not None and user.enterprise is not None:
        return user.enterprise.region
    return None


def calendar_for_user(user: User) -> engine.WorkdayCalendar:
    return calendar_for(region_of(user))


def corrections_for(user: User) -> QuerySet[HolidayCorrection]:
    """The correction table, for administrators (everyone else sees its effect on the calendar only)."""
    if not is_calendar_admin(user):
        return HolidayCorrection.objects.none()
    return HolidayCorrection.objects.select_related("notice", "created_by").order_by("-date")


def notices_for(user: User) -> QuerySet[CalendarNotice]:
    if not is_calendar_admin(user):
        return CalendarNotice.objects.none()
    return CalendarNotice.objects.select_related("loaded_by").order_by("-loaded_at")


def regional_holidays_for(user: User) -> QuerySet[RegionalHoliday]:
    """Administrators: the regional holidays of their region subtree and of the regions above them
    (which apply to them too). Superusers: all."""
    if not is_calendar_admin(user):
        return RegionalHoliday.objects.none()
    qs = RegionalHoliday.objects.select_related("region").order_by("-date")
    if user.is_superuser:
        return qs
    region = user.region
    if region is None:
        return qs.none()
    ancestors = [int(p) for p in region.path.strip("/").split("/") if p.isdigit()]
    return qs.filter(Q(region__path__startswith=region.path) | Q(region_id__in=ancestors))
