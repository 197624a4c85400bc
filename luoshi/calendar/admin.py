"""Django admin for calendar data. Saves and deletes go through the services (permission check, audit,
version token), never straight to the table; a refusal shows the error page with its message."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from luoshi.calendar import access, services
from luoshi.calendar.models import CalendarNotice, HolidayCorrection, RegionalHoliday

if TYPE_CHECKING:
    from luoshi.accounts.models import User


def _user(request: HttpRequest) -> User:
    return cast("User", request.user)


@admin.register(HolidayCorrection)
class HolidayCorrectionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["date", "kind", "name", "source", "notice", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "source"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "source"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["date"] if obj is not None else []

    # national data: only its owner (luoshi.calendar.access) may add, change or delete it here
    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.can(_user(request), "national.change")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and access.can(_user(request), "national.change")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and access.can(_user(request), "national.change")

    def save_model(self, request: HttpRequest, obj: HolidayCorrection, form: Any, change: bool) -> None:
        user = _user(request)
        if change:
            saved = services.correction_update(
                user=user, correction=obj, kind=obj.kind, name=obj.name, source=obj.source
            )
        else:
            saved = services.correction_add(
                user=user, date=obj.date, kind=obj.kind, name=obj.name, source=obj.source
            )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: HolidayCorrection) -> None:
        services.correction_remove(user=_user(request), correction=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HolidayCorrection]) -> None:
        for obj in queryset:
            services.correction_remove(user=_user(request), correction=obj)


@admin.register(RegionalHoliday)
class RegionalHolidayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["region", "date", "name", "source", "created_by"]
    list_filter = ["region"]
    fields = ["region", "date", "name", "source"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RegionalHoliday, form: Any, change: bool) -> None:
        saved = services.regional_holiday_add(
            user=_user(request), region=obj.region, date=obj.date, name=obj.name, source=obj.source
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: RegionalHoliday) -> None:
        services.regional_holiday_remove(user=_user(request), holiday=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RegionalHoliday]) -> None:
        for obj in queryset:
            services.regional_holiday_remove(user=_user(request), holiday=obj)


@admin.register(CalendarNotice)
class CalendarNoticeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Notices are loaded from files (page or `luoshi calendar load-notice`); here they can be removed."""

    list_display = ["title", "source", "covers_year", "file_name", "loaded_by", "loaded_at"]
    readonly_fields = ["title", "source", "covers_year", "file_name", "loaded_by", "loaded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and access.can(_user(request), "national.change")

    def delete_model(self, request: HttpRequest, obj: CalendarNotice) -> None:
        services.notice_remove(user=_user(request), notice=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarNotice]) -> None:
        for obj in queryset:
            services.notice_remove(user=_user(request), notice=obj)
