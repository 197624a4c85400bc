"""Reads of calendar data, scoped to the user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from luoshi.accounts.access import subtree_or_above_q
from luoshi.calendar import access, engine
from luoshi.calendar.models import CalendarNotice, HolidayCorrection, RegionalHoliday
from luoshi.calendar.services import calendar_for

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region


def is_calendar_admin(user: User) -> bool:
    """May see the correction table and maintain the calendar data of their own region."""
    return bool(user.is_authenticated and access.can(user, "corrections.view"))


def owns_national_data(user: User) -> bool:
    """May change the national holiday corrections and notices (see luoshi.calendar.access)."""
    return bool(user.is_authenticated and access.can(user, "national.change"))


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
    return qs.filter(subtree_or_above_q(region))
