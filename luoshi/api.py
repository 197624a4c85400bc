"""The JSON API: one NinjaAPI, one router per domain app, OpenAPI schema at /api/openapi.json.

Machine clients send `Authorization: Bearer <token>`; pages use the session (with CSRF). Every endpoint
calls the same selectors and services as the pages, so scoping is identical. Errors are
{"code": <machine code>, "message": <中文说明>}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from luoshi.core.errors import DomainError, ErrorCode
from luoshi.core.prepared import Prepared

TOKEN_USE_RESOLUTION = dt.timedelta(minutes=5)  # how precisely ApiToken.last_used_at is kept


def _token_query(digest: str) -> Any:
    from luoshi.accounts.models import ApiToken

    # the user's region and unit come along: scoping reads them on almost every call
    return (
        ApiToken.objects.select_related("user__region", "user__unit")
        .filter(digest=digest, revoked=False, user__is_active=True)
        .order_by()[:1]
    )


# compiled once per connection (`core.prepared`): the token look-up runs on every API call
_TOKEN = Prepared(_token_query, digest="sentinel: not a sha-256 digest")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from luoshi.accounts.models import ApiToken

        row = _TOKEN.first(digest=ApiToken.digest_of(token))
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
            # to the nearest few minutes: not one extra UPDATE per API call
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


api = NinjaAPI(
    title="luoshi API",
    version="1",
    description="落实 — 营商环境行动方案落实平台 JSON API",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=login_required,  # the schema and docs need a login (issue 15); assets are local (ninja app)
)


def _error(
    request: HttpRequest, code: str, message: str, status: int, details: Any = None, reason: str | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if reason is not None:
        body["reason"] = reason  # the app's error code (<app>/errors.py): which refusal
    if details is not None:
        body["details"] = details
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    reason = str(exc.reason) if exc.reason is not None else None
    return _error(request, str(exc.code), exc.message, exc.status, exc.details, reason)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, ErrorCode.UNAUTHENTICATED, "请先登录或提供有效的 API 令牌。", 401)


_PROBLEMS = {
    "missing": "缺少必填项",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字(不能是 nan 或 inf)",
    "greater_than_equal": "小于允许的最小值",
    "less_than_equal": "超过允许的最大值",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期",
    "string_too_long": "过长",
}


def _validation_message(errors: list[dict[str, Any]]) -> str:
    """One Chinese sentence naming the first bad field (the details list every problem)."""
    if not errors:
        return "请求内容不符合要求,请检查字段。"
    first = errors[0]
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "form", "payload")]
    field = ".".join(loc[-2:]) or "请求"
    problem = _PROBLEMS.get(str(first.get("type", "")), "不符合要求")
    limit = (first.get("ctx") or {}).get("le", (first.get("ctx") or {}).get("ge"))
    if limit is not None and first.get("type") in ("greater_than_equal", "less_than_equal"):
        problem += f"({limit})"
    more = f";另有 {len(errors) - 1} 处问题见 details" if len(errors) > 1 else ""
    return f"字段“{field}”{problem},请检查后重新提交{more}。"


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [dict(e) for e in exc.errors]
    for e in errors:  # ctx may hold exceptions or non-JSON values (inf)
        if "ctx" in e:
            e["ctx"] = {k: str(v) for k, v in (e["ctx"] or {}).items()}
        e.pop("input", None)
    return _error(request, ErrorCode.INVALID, _validation_message(errors), 422, errors)


# ninja's own English messages, in Chinese (a client shows `message` to people)
_HTTP_MESSAGES = {
    "CSRF check Failed": ("csrf_failed", "安全校验(CSRF)未通过:请刷新页面后重试,或使用 API 令牌调用。"),
    "Unauthorized": (ErrorCode.UNAUTHENTICATED, "请先登录或提供有效的 API 令牌。"),
    "Too many requests": (ErrorCode.THROTTLED, "请求过于频繁,请稍后再试。"),
}
_STATUS_MESSAGES = {
    400: "请求内容有误,请检查后重试。",
    401: "请先登录或提供有效的 API 令牌。",
    403: "您无权执行该操作。",
    404: "未找到该接口或对象。",
    405: "该接口不支持此请求方式。",
    429: "请求过于频繁,请稍后再试。",
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    text = str(exc)
    if text in _HTTP_MESSAGES:
        code, message = _HTTP_MESSAGES[text]
        return _error(request, code, message, exc.status_code)
    if text.isascii():  # a framework message in English: say it in Chinese
        return _error(request, "http_error", _STATUS_MESSAGES.get(exc.status_code, "请求未能完成。"), exc.status_code)
    return _error(request, "http_error", text, exc.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, ErrorCode.NOT_FOUND, "未找到该对象,或您无权查看。", 404)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, ErrorCode.FORBIDDEN, "您无权执行该操作。", 403)


def _mount() -> None:
    """Each app declaring `api_module` on its AppConfig exposes `router` there; mounted at /api/<api_prefix>/."""
    from luoshi.core.discovery import declared

    for cfg, module in declared("api_module"):
        router = getattr(module, "router", None)
        if router is None:
            raise RuntimeError(f"{module.__name__} (declared by {cfg.__qualname__}) has no `router`")
        api.add_router(f"/{cfg.api_prefix}/", router)


_mount()
