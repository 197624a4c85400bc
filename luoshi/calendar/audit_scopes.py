"""Which calendar rows' audit history a user may read (``audit_scope_module``; see ``luoshi.audit.scopes``):
regional holidays of the office's region subtree; national data (corrections, notices) for the office."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from luoshi.accounts.access import is_office_admin, is_reader, region_subtree_q
from luoshi.calendar.models import CalendarNotice, HolidayCorrection, RegionalHoliday


def _regional(user: Any) -> QuerySet[Any]:
    return RegionalHoliday.objects.filter(region_subtree_q(user)) if is_reader(user) else RegionalHoliday.objects.none()


def _corrections(user: Any) -> QuerySet[Any]:
    return HolidayCorrection.objects.all() if is_office_admin(user) else HolidayCorrection.objects.none()


def _notices(user: Any) -> QuerySet[Any]:
    return CalendarNotice.objects.all() if is_office_admin(user) else CalendarNotice.objects.none()


SCOPES = {
    "calendar.regionalholiday": _regional,
    "calendar.holidaycorrection": _corrections,
    "calendar.calendarnotice": _notices,
}
