"""Project pages: thin — parse the request, call a selector or a service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.accounts.models import User
from luoshi.calendar.deadlines import Colour
from luoshi.core.downloads import XLSX, file_response
from luoshi.core.errors import AccessDenied, DomainError, NotFound
from luoshi.projects import access, forms, ledger, selectors, services
from luoshi.projects.errors import ProjectError
from luoshi.projects.models import MilestoneKind, ProjectLevel, ProjectStatus

PAGE_SIZE = 50


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn AccessDenied / NotFound from selectors into 403 / 404."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return login_required(wrapped)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _filters(request: HttpRequest) -> selectors.LedgerFilters:
    region = request.GET.get("region", "")
    return selectors.LedgerFilters(
        level=request.GET.get("level", "") if request.GET.get("level") in ProjectLevel.values else "",
        region=int(region) if region.isdigit() else None,
        colour=request.GET.get("colour", "")
        if request.GET.get("colour") in ("green", "yellow", "red", "none")
        else "",
        status=request.GET.get("status", "") if request.GET.get("status") in ProjectStatus.values else "",
        q=request.GET.get("q", "").strip()[:100],
    )


@_guard
def index(request: HttpRequest) -> HttpResponse:
    """The project ledger (重大项目台账) with filters, colours and search."""
    user = _user(request)
    filters = _filters(request)
    qs = selectors.ledger(user, filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/index.html",
        {
            "title": "重大项目",
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "levels": ProjectLevel.choices,
            "statuses": ProjectStatus.choices,
            "colours": [(c.value, c.label) for c in (Colour.RED, Colour.YELLOW, Colour.GREEN)]
            + [("none", "不预警")],
            "regions": forms.regions_for(user) if access.can(user, "regions.filter") else [],
            "can_manage": access.can(user, "project.create"),
        },
    )


@_guard
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = selectors.project_get(user, pk)
    can_manage = selectors.can_manage(user, project.region)
    milestones = sorted(project.milestones.all(), key=lambda m: m.position)
    today = timezone.localdate()
    problems = [(p, selectors.can_resolve(user, p, project.region)) for p in project.problems.all()]
    return render(
        request,
        "projects/detail.html",
        {
            "title": project.name,
            "project": project,
            "milestones": milestones,
            "problems": problems,
            "today": today,
            "can_manage": can_manage,
            "events": selectors.history_for(project)[:100],
            "actual_form": forms.MilestoneActualForm(initial={"version": project.version}),
            "plan_form": forms.MilestonePlanForm(initial={"version": project.version}),
            "problem_form": forms.ProblemForm(user=user) if can_manage else None,
            "resolve_form": forms.ResolveForm(),
            "rules": services.ColourContext(today).rules(project.region),
            "kinds": MilestoneKind.choices,
        },
    )


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
    if exc.details and isinstance(exc.details, list):
        for item in exc.details[:50]:
            if isinstance(item, dict):
                messages.error(
                    request, f"第 {item.get('row')} 行 · {item.get('column')}:{item.get('message')}"
                )


@_guard
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.ProjectForm(request.POST or None, user=user, creating=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            project = services.project_create(user=user, **data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已新建项目“{project.name}”。")
            return redirect("projects:detail", pk=project.pk)
    if not access.can(user, "project.create"):
        raise AccessDenied(code=ProjectError.CREATE_OFFICE_ONLY)
    return render(request, "projects/form.html", {"title": "新建重大项目", "form": form})


@_guard
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = selectors.project_get(user, pk)
    if not selectors.can_manage(user, project.region):
        raise AccessDenied(code=ProjectError.EDIT_OFFICE_ONLY)
    initial = {f: getattr(project, f) for f in services.PROJECT_FIELDS}
    initial.update(units=list(project.units.all()), version=project.version)
    form = forms.ProjectForm(request.POST or None, user=user, creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        units = data.pop("units")
        if not data.get("status"):
            data["status"] = project.status
        try:
            services.project_update(user=user, project=project, version=version, units=units, **data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已保存项目“{project.name}”({project.code})的信息。")
            return redirect("projects:detail", pk=project.pk)
    return render(
        request, "projects/form.html", {"title": f"修改项目:{project.name}", "form": form, "project": project}
    )


@_guard
@require_POST
def milestone_actual(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = selectors.project_get(user, pk)
    form = forms.MilestoneActualForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查节点和日期。")
    else:
        d = form.cleaned_data
        try:
            services.milestone_record(
                user=user,
                project=project,
                kind=d["kind"],
                actual_date=d["actual_date"],
                note=d["note"],
                version=d["version"],
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已保存{MilestoneKind(d['kind']).label}实际日期。")
    return redirect("projects:detail", pk=pk)


@_guard
@require_POST
def milestone_plan(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = selectors.project_get(user, pk)
    form = forms.MilestonePlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查节点和日期。")
    else:
        d = form.cleaned_data
        try:
            services.milestone_plan(
                user=user,
                project=project,
                kind=d["kind"],
                planned_date=d["planned_date"],
                version=d["version"],
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已保存{MilestoneKind(d['kind']).label}计划日期。")
    return redirect("projects:detail", pk=pk)


@_guard
@require_POST
def problem_raise(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = selectors.project_get(user, pk)
    form = forms.ProblemForm(request.POST, user=user)
    if not form.is_valid():
        messages.error(request, "请填写问题描述、责任单位和解决时限。")
    else:
        try:
            services.problem_raise(user=user, project=project, **form.cleaned_data)
        except DomainError as exc:
            _fail(request, exc)
        else:
            d = form.cleaned_data
            messages.success(
                request,
                f"已登记项目“{project.name}”的问题,并通知{d['unit'].name}在 {d['due']:%Y-%m-%d} 前解决。",
            )
    return redirect("projects:detail", pk=pk)


@_guard
@require_POST
def problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    problem = selectors.problem_get(user, pk)
    form = forms.ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写解决情况。")
    else:
        try:
            services.problem_resolve(
                user=user,
                problem=problem,
                resolution=form.cleaned_data["resolution"],
                version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"项目“{problem.project.name}”的问题“{problem.description[:20]}”已办结。")
    return redirect("projects:detail", pk=problem.project_id)


@_guard
def export(request: HttpRequest) -> HttpResponse:
    content = ledger.export_ledger(_user(request), _filters(request))
    today = timezone.localdate().isoformat()
    return file_response(content, f"重大项目台账-{today}.xlsx", XLSX, fallback=f"projects-{today}.xlsx")


@_guard
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can(user, "project.import"):
        raise AccessDenied(code=ProjectError.IMPORT_OFFICE_ONLY)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            messages.error(request, "文件超过 20 MB:请分批导入。")
        else:
            try:
                result = ledger.import_ledger(user=user, content=upload.read())
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, result.summary())
                return redirect("projects:index")
    return render(
        request,
        "projects/import.html",
        {"title": "导入重大项目台账", "form": form, "columns": ledger.COLUMNS},
    )


@_guard
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = list(selectors.rules_visible_to(user))
    can_manage = access.can(user, "rules.manage")
    form = forms.RuleForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise AccessDenied(code=ProjectError.RULES_OFFICE_ONLY)
        if form.is_valid():
            d = form.cleaned_data
            region = None if d.pop("scope") == "global" else user.region
            try:
                services.rule_set(user=user, region=region, **d)
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, "时限规则已保存,相关项目的计划日期已重新计算。")
                return redirect("projects:rules")
    return render(
        request,
        "projects/rules.html",
        {"title": "节点时限规则", "rules": rows, "form": form, "can_manage": can_manage},
    )
