"""Django admin for the directory: read-only browsing. Changes go through the directory pages (/orgs/),
which call the audited services; the admin would bypass the audit trail."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luoshi.orgs.models import Enterprise, Region, Unit, UnitAlias


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "short_name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "short_name"]


class UnitAliasInline(admin.TabularInline):  # type: ignore[type-arg]
    model = UnitAlias
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "region", "kind", "verified", "is_active"]
    list_filter = ["kind", "verified", "is_active"]
    search_fields = ["name", "aliases__alias"]
    list_select_related = ["region"]
    inlines = [UnitAliasInline]


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "region", "industry", "scale"]
    list_filter = ["scale", "industry"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["region"]
