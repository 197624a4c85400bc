"""账号管理: the office manages the accounts of its region subtree (create, deactivate/reactivate, unlock, reset a
password, assign role and unit). Thin: every change is a service in accounts/services.py (checked and audited)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from luoshi.accounts import access, selectors, services
from luoshi.accounts.errors import AccountError
from luoshi.accounts.models import Role, User
from luoshi.audit.presentation import present
from luoshi.audit.selectors import events_for
from luoshi.core.errors import AccessDenied, DomainError, NotFound, ValidationFailed
from luoshi.orgs.models import Region, Unit


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"title": "无法完成操作", "error": exc}, status=exc.status)


def _role(value: str) -> Role:
    role = access.assignable_role(value)
    if role is None:
        raise ValidationFailed(code=AccountError.ROLE_MISSING)
    return role


def _scope(actor: User, post: Any) -> tuple[Unit | None, Region | None]:
    unit_id, region_id = _int(post.get("unit")), _int(post.get("region"))
    unit = selectors.assignable_units(actor).filter(pk=unit_id).first() if unit_id else None
    region = selectors.assignable_regions(actor).filter(pk=region_id).first() if region_id else None
    if unit_id and unit is None:
        raise AccessDenied(code=AccountError.UNIT_OUTSIDE_REGION)
    if region_id and region is None:
        raise AccessDenied(code=AccountError.REGION_OUTSIDE_JURISDICTION)
    return unit, region


def _options(choices: Any, current: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) for a <select>: templates mark the chosen option without comparing roles."""
    return [(str(v), str(label), str(v) == current) for v, label in choices]


def _choices(actor: User, current_role: str = "") -> dict[str, Any]:
    return {
        "roles": _options([(r.value, r.label) for r in access.ASSIGNABLE_ROLES], current_role),
        "unit_choices": selectors.assignable_units(actor),
        "region_choices": selectors.assignable_regions(actor),
    }


@login_required
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    """The list of the region's accounts, with filters, and the form for a new account."""
    actor = _user(request)
    typed: dict[str, Any] = {}
    error = ""
    created: tuple[User, str] | None = None
    try:
        if request.method == "POST":
            typed = {
                k: request.POST.get(k, "")
                for k in ("username", "display_name", "role", "unit", "region", "phone")
            }
            try:
                unit, region = _scope(actor, request.POST)
                created = services.account_create(
                    actor=actor,
                    username=typed["username"],
                    display_name=typed["display_name"],
                    role=_role(typed["role"]),
                    unit=unit,
                    region=region,
                    phone=typed["phone"],
                )
                typed = {}
            except ValidationFailed as exc:
                error = exc.message
        q, role, active = (
            request.GET.get("q", "").strip(),
            request.GET.get("role", ""),
            request.GET.get("active", ""),
        )
        rows = selectors.accounts_for(actor, q=q, role=role, active=active)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        choices = _choices(actor, typed.get("role", ""))
    except DomainError as exc:
        return _error_page(request, exc)
    locked = selectors.locked_usernames(u.username for u in page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/users.html",
        {
            "title": "账号管理",
            "page": page,
            "locked": locked,
            "filters": {"q": q, "role": role, "active": active},
            "all_roles": _options(Role.choices, role),
            "query": query.urlencode(),
            "typed": typed,
            "error": error,
            "created": created,
            **choices,
        },
        status=400 if error else 200,
    )


_DONE = {
    "deactivate": "已停用账号 {name}({username}),该账号不能再登录,API 令牌同时失效。",
    "reactivate": "已启用账号 {name}({username}),可以重新登录。",
    "unlock": "已解除账号 {name}({username})的登录锁定(清除 {n} 条错误登录记录),可以立即重新登录。",
    "assign": "已将账号 {name}({username})调整为{role}{scope}。",
}


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _user(request)
    new_password = ""
    try:
        target = selectors.account_get(actor, pk)
        if request.method == "POST":
            action = request.POST.get("action", "")
            try:
                n = 0
                if action == "deactivate":
                    target = services.account_set_active(
                        actor=actor, target=target, active=False, reason=request.POST.get("reason", "")
                    )
                elif action == "reactivate":
                    target = services.account_set_active(actor=actor, target=target, active=True)
                elif action == "unlock":
                    n = services.account_unlock(actor=actor, target=target)
                elif action == "reset_password":
                    new_password = services.account_reset_password(actor=actor, target=target)
                elif action == "assign":
                    unit, region = _scope(actor, request.POST)
                    target = services.account_assign(
                        actor=actor,
                        target=target,
                        role=_role(request.POST.get("role", "")),
                        unit=unit,
                        region=region,
                    )
                else:
                    raise NotFound(code=AccountError.UNKNOWN_ACTION)
                if not new_password:
                    scope = (
                        f"({target.unit.name})"
                        if target.unit
                        else (f"({target.region.name})" if target.region else "")
                    )
                    messages.success(
                        request,
                        _DONE[action].format(
                            name=target,
                            username=target.username,
                            n=n,
                            role=target.get_role_display(),
                            scope=scope,
                        ),
                    )
                    return redirect("accounts:user_detail", pk=target.pk)
            except ValidationFailed as exc:
                messages.error(request, exc.message)
                return redirect("accounts:user_detail", pk=target.pk)
        target = selectors.account_get(actor, pk)
        choices = _choices(actor, target.role)
    except DomainError as exc:
        return _error_page(request, exc)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "title": f"账号 {target.username}",
            "u": target,
            "locked": target.username in selectors.locked_usernames([target.username]),
            "is_self": target.pk == actor.pk,
            "new_password": new_password,  # shown once, on this response only (never stored in a message)
            "events": [present(e) for e in events_for(target)[:100]],
            **choices,
        },
    )
