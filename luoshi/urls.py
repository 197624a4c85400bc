"""URL map: one include per domain app, the JSON API under /api/, admin under /admin/."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from luoshi.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("luoshi.accounts.urls")),
    path("orgs/", include("luoshi.directory.urls")),
    path("calendar/", include("luoshi.calendar.urls")),
    path("plans/", include("luoshi.plans.urls")),
    path("supervision/", include("luoshi.supervision.urls")),
    path("requests/", include("luoshi.requests.urls")),
    path("policies/", include("luoshi.policies.urls")),
    path("projects/", include("luoshi.projects.urls")),
    path("dashboard/", include("luoshi.dashboard.urls")),
    path("audit/", include("luoshi.audit.urls")),
    path("notifications/", include("luoshi.notifications.urls")),
    path("", include("luoshi.core.urls")),
]

# The platform's own Chinese pages (JSON under /api/) instead of Django's: luoshi/core/error_views.py
handler403 = "luoshi.core.error_views.permission_denied"
handler404 = "luoshi.core.error_views.page_not_found"
handler500 = "luoshi.core.error_views.server_error"

if getattr(settings, "OIDC_ENABLED", False):  # sign-in through the province's unified identity (optional)
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))
