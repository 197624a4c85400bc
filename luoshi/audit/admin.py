from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luoshi.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail can be searched but never edited or deleted."""

    list_display = ["at", "actor_label", "interface", "action", "subject_type", "subject_id", "subject_label"]
    list_filter = ["interface", "action", "subject_type"]
    search_fields = ["subject_label", "actor_label", "action", "subject_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
