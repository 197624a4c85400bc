from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from luoshi.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "display_name", "role", "region", "unit", "enterprise", "is_active"]
    list_filter = ["role", "is_active", "region"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("角色与范围", {"fields": ("role", "display_name", "phone", "region", "unit", "enterprise")}),
    )
    raw_id_fields = ["unit", "enterprise"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["user", "name", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["digest", "created_at", "last_used_at"]
