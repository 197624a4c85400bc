"""The platform's own pages for 403, 404, 500 and a failed CSRF check: Chinese, in the platform's layout, with a way
back; under /api/ the same cases answer JSON {"code", "message"} instead. Wired in `luoshi/urls.py` (handler403/404/
500) and `settings.CSRF_FAILURE_VIEW`, so no framework page reaches a user, with DEBUG on or off."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from luoshi.core.errors import ErrorCode

CSRF_FAILED = "csrf_failed"
SERVER_ERROR = "server_error"

MESSAGES = {
    403: "您无权访问该页面或执行该操作。如需权限,请联系营商办管理员。",
    404: "未找到您要访问的页面,它可能已被删除、地址有误,或您无权查看。",
    500: "系统出现内部错误,操作未能完成,已记录在服务器日志中。请稍后重试;如仍不成功,请联系系统管理员。",
    "csrf": "页面已过期或安全校验未通过(可能因长时间未操作、登录已过期或在其他窗口退出),本次提交未保存。"
    "您填写的内容已暂存在本浏览器中:请返回原页面刷新后重新提交,内容会自动恢复。",
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _json(ErrorCode.FORBIDDEN, MESSAGES[403], 403)
    return render(request, "403.html", {"title": "无权访问", "message": MESSAGES[403]}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return _json(ErrorCode.NOT_FOUND, "未找到该接口或对象,请检查地址和编号。", 404)
    return render(request, "404.html", {"title": "页面不存在", "message": MESSAGES[404]}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context processors: whatever failed (the database?) must not fail again."""
    if is_api(request):
        return _json(SERVER_ERROR, MESSAGES[500], 500)
    body = loader.get_template("500.html").render({"title": "系统错误", "message": MESSAGES[500]})
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "", template_name: str = "") -> HttpResponse:
    if is_api(request):
        return _json(CSRF_FAILED, "安全校验(CSRF)未通过:请刷新页面后重试,或使用 API 令牌调用。", 403)
    context: dict[str, Any] = {
        "title": "页面已过期",
        "message": MESSAGES["csrf"],
        "back": _same_site_referer(request),
    }
    return render(request, "403_csrf.html", context, status=403)


def _same_site_referer(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""
