"""The project's URLs plus views that fail on purpose (the error-page tests use this as ROOT_URLCONF)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from luoshi.urls import handler403, handler404, handler500
from luoshi.urls import urlpatterns as project_urls

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug on purpose")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


urlpatterns = [
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("api/test-errors/boom/", boom),
    path("api/test-errors/forbidden/", forbidden),
    *project_urls,
]

