"""Refuse, at the edge, input no service can store: NUL bytes and lone UTF-16 surrogates.

PostgreSQL rejects NUL in text (`GET /api/supervision/tasks?q=%00` answered 500) and a lone surrogate cannot be
encoded at all; neither is ever meaningful in a form, a search or a JSON body. One middleware checks every query
string, form field and JSON string and answers 400 with a Chinese message (JSON under /api/, a page otherwise),
before any view or permission check runs. Other C0 controls are stripped at the service boundary
(`core.sanitize.clean_text`) and again when files are written (`core.sanitize.cell`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

_BAD = re.compile(r"[\x00\ud800-\udfff]")
MESSAGE = "提交的内容中含有无法保存的字符(空字符或不成对的 Unicode 代理字符),请删除后重新提交。"
JSON_CHECK_LIMIT = 5 * 1024 * 1024


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def has_unstorable(request: HttpRequest) -> bool:
    for key, values in request.GET.lists():
        if _BAD.search(key) or any(_BAD.search(v) for v in values):
            return True
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type.startswith("application/json"):
            body = request.body
            if len(body) <= JSON_CHECK_LIMIT and (
                b"\x00" in body or b"\\u0000" in body or b"\\ud" in body.lower()
            ):
                try:
                    parsed = json.loads(body)
                except (ValueError, UnicodeDecodeError):
                    return b"\x00" in body
                return any(_BAD.search(s) for s in _strings(parsed))
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, values in request.POST.lists():
                if _BAD.search(key) or any(_BAD.search(v) for v in values):
                    return True
    return False


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_unstorable(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "bad_characters", "message": MESSAGE, "details": None},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
