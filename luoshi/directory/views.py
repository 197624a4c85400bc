"""Pages of the org directory. Thin: every read goes through selectors, every change through services;
domain errors become a 403/404 page or a message on the form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from luoshi.audit.selectors import events_for
from luoshi.core.bounds import parse_key
from luoshi.core.downloads import file_response
from luoshi.core.errors import AccessDenied, DomainError, ImportFailed, NotFound
from luoshi.directory import selectors, services
from luoshi.directory.errors import DirectoryError
from luoshi.orgs.models import UnitAlias, UnitKind

if TYPE_CHECKING:
    from luoshi.accounts.models import User

MAX_UPLOAD = 5 * 1024 * 1024

View = Callable[..., HttpResponse]


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = exc.status if exc.status in (403, 404) else 400
    title = {403: "无权访问", 404: "未找到"}.get(status, "操作未完成")
    return render(request, "directory/error.html", {"title": title, "message": exc.message}, status=status)


def page(view: View) -> View:
    """Login required; AccessDenied/NotFound from a selector or service become a 403/404 page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (AccessDenied, NotFound) as exc:
            return _refused(request, exc)

    return wrapper


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next") or fallback
    if not target.startswith("/") or target.startswith("//"):
        target = fallback
    return redirect(target)


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast("User", request.user)


_int = parse_key  # bounded: an overflowing id or version is None (404 / 400), never a 500


@page
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    regions = list(selectors.regions_for(user))
    code = request.GET.get("region") or (user.region.code if user.region else "")
    region = next((r for r in regions if r.code == code), regions[0] if regions else None)
    query = request.GET.get("q", "").strip()
    unverified = request.GET.get("unverified") == "1"
    subtree = request.GET.get("subtree") == "1" or bool(query)
    units = selectors.units_for(
        user,
        region=region,
        query=query,
        unverified_only=unverified,
        subtree=subtree,
    )
    page_obj = Paginator(units, 100).get_page(request.GET.get("page"))
    root_depth = min((r.path.count("/") for r in regions), default=2)
    for r in regions:
        r.depth = r.path.count("/") - root_depth  # type: ignore[attr-defined]  # for the template only
    return render(
        request,
        "directory/index.html",
        {
            "title": "组织机构",
            "regions": regions,
            "region": region,
            "page": page_obj,
            "q": query,
            "unverified": unverified,
            "subtree": subtree,
            "can_change": region is not None and services.can_change_directory(user, region),
            "is_admin": services.can_change_directory(user, None),
        },
    )


@page
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    unit = selectors.unit_for(user, pk)
    aliases = UnitAlias.objects.filter(unit=unit).select_related("region").order_by("alias")
    can_change = services.can_change_directory(user, unit.region)
    return render(
        request,
        "directory/unit_detail.html",
        {
            "title": unit.name,
            "unit": unit,
            "aliases": aliases,
            "events": events_for(unit)[:100],
            "can_change": can_change,
            "kinds": UnitKind.choices,
        },
    )


def _unit_action(request: HttpRequest, pk: int, action: Callable[[Any], str]) -> HttpResponse:
    unit = selectors.unit_for(_user(request), pk)
    url = reverse("orgs:unit", args=[unit.pk])
    try:
        done = action(unit)
    except (AccessDenied, NotFound):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return _back(request, url)


@page
@require_POST
def alias_add(request: HttpRequest, pk: int) -> HttpResponse:
    def act(unit: Any) -> str:
        alias = services.alias_add(
            actor=_user(request),
            unit=unit,
            alias=request.POST.get("alias", ""),
            reason=request.POST.get("reason", ""),
        )
        return f"已添加别名“{alias.alias}”。"

    return _unit_action(request, pk, act)


@page
@require_POST
def alias_remove(request: HttpRequest, pk: int, alias_pk: int) -> HttpResponse:
    def act(unit: Any) -> str:
        alias = UnitAlias.objects.filter(pk=alias_pk, unit=unit).first()
        if alias is None:
            raise NotFound(code=DirectoryError.ALIAS_NOT_FOUND)
        services.alias_remove(actor=_user(request), alias=alias, reason=request.POST.get("reason", ""))
        return f"已删除别名“{alias.alias}”。"

    return _unit_action(request, pk, act)


@page
@require_POST
def unit_verify(request: HttpRequest, pk: int) -> HttpResponse:
    def act(unit: Any) -> str:
        updated = services.unit_verify(
            actor=_user(request),
            unit=unit,
            name=request.POST.get("name") or None,
            expected_version=_int(request.POST.get("version")),
            reason=request.POST.get("reason", ""),
        )
        return f"已核实:{updated.name}。"

    return _unit_action(request, pk, act)


@page
@require_POST
def unit_rename(request: HttpRequest, pk: int) -> HttpResponse:
    def act(unit: Any) -> str:
        updated = services.unit_rename(
            actor=_user(request),
            unit=unit,
            name=request.POST.get("name", ""),
            expected_version=_int(request.POST.get("version")),
            reason=request.POST.get("reason", ""),
        )
        return f"已更名为“{updated.name}”,原名称保留为别名。"

    return _unit_action(request, pk, act)


@page
@require_POST
def unit_update(request: HttpRequest, pk: int) -> HttpResponse:
    def act(unit: Any) -> str:
        services.unit_update(
            actor=_user(request),
            unit=unit,
            kind=request.POST.get("kind") or None,
            note=request.POST.get("note"),
            expected_version=_int(request.POST.get("version")),
            reason=request.POST.get("reason", ""),
        )
        return "已保存。"

    return _unit_action(request, pk, act)


@page
@require_POST
def unit_merge(request: HttpRequest, pk: int) -> HttpResponse:
    def act(unit: Any) -> str:
        target_id = _int(request.POST.get("keep"))
        if target_id is None:
            raise NotFound(code=DirectoryError.MERGE_TARGET_MISSING)
        keep = selectors.unit_for(_user(request), target_id)
        services.unit_merge(
            actor=_user(request), keep=keep, duplicate=unit, reason=request.POST.get("reason", "")
        )
        return f"已并入“{keep.name}”。"

    return _unit_action(request, pk, act)


@page
def confirm(request: HttpRequest) -> HttpResponse:
    """Resolve a name in a region and, for an administrator, confirm an unknown name into the directory."""
    user = _user(request)
    selectors.require_directory_reader(user)
    data = request.POST if request.method == "POST" else request.GET
    name = data.get("name", "").strip()
    code = data.get("region", "") or (user.region.code if user.region else "")
    full_name = data.get("full_name", "").strip()
    result = None
    region = None
    if code:
        region = selectors.region_by_code(user, code)
    if request.method == "POST" and region is not None:
        try:
            unit = services.unit_confirm_from_name(
                name,
                region,
                user,
                full_name=full_name or None,
                reason=data.get("reason", ""),
            )
        except (AccessDenied, NotFound):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"“{name}”已确认为“{unit.name}”。")
            return redirect("orgs:unit", pk=unit.pk)
    if name and region is not None:
        result = selectors.resolve_unit(name, region)
    return render(
        request,
        "directory/confirm.html",
        {
            "title": "单位名称解析与确认",
            "name": name,
            "code": code,
            "full_name": full_name,
            "result": result,
            "region": region,
            "regions": selectors.regions_for(user),
            "can_change": region is not None and services.can_change_directory(user, region),
        },
    )


@page
def import_file(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.require_directory_reader(user)
    if not services.can_change_directory(user, None):
        raise AccessDenied(code=DirectoryError.IMPORT_READ_ONLY)
    context: dict[str, Any] = {"title": "导入组织机构目录", "problems": None, "result": None}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 .xlsx 或 .csv 文件。")
        elif upload.size and upload.size > MAX_UPLOAD:
            messages.error(request, "文件超过 5 MB,请分批导入。")
        else:
            try:
                context["result"] = services.directory_import(
                    actor=user,
                    data=upload.read(),
                    filename=upload.name or "",
                )
            except ImportFailed as exc:
                context["error"] = exc.message
                context["problems"] = exc.details or []
            except (AccessDenied, NotFound):
                raise
            except DomainError as exc:
                context["error"] = exc.message
    return render(request, "directory/import.html", context, status=400 if context.get("problems") else 200)


@page
@require_GET
def export_file(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    code = request.GET.get("region")
    region = selectors.region_by_code(user, code) if code else None
    data, _rows = selectors.directory_export(user, region=region, file_format=file_format)
    content_type = (
        "text/csv; charset=utf-8"
        if file_format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stem = f"luoshi-orgs-{region.code if region else 'all'}"
    name = f"组织机构名录-{region.name if region else '全部'}.{file_format}"
    return file_response(data, name, content_type, fallback=f"{stem}.{file_format}")
