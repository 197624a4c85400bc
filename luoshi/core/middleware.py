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
