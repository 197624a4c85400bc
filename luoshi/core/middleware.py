from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from luoshi.core.interface import Interface, interface


class InterfaceMiddleware:
    """Marks requests under /api/ as API calls and everything else as page use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        kind = Interface.API if request.path.startswith("/api/") else Interface.PAGE
        with interface(kind):
            return self.get_response(request)


class DomainErrorMiddleware:
    """Turns a DomainError raised by a service into a page with its Chinese message and HTTP status, so views stay
    thin (they call services and let refusals surface)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from luoshi.core.errors import DomainError

        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(
            request, "core/error.html", {"title": "无法完成操作", "error": exception}, status=exception.status
        )
