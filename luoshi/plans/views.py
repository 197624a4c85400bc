"""Plan pages: list, upload with progress, side-by-side review, revision diff, publish, ledger export.

Views are thin: they read through selectors, write through services, and let refusals (DomainError) surface —
`DomainErrorMiddleware` turns them into a page with the message and status. Inline (htmx) edits render the
measure row again with the message instead, so the reviewer keeps their place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luoshi.core.bounds import parse_key, version_from
from luoshi.core.downloads import XLSX, file_response
from luoshi.core.errors import DomainError, ImportFailed, NotFound, ValidationFailed
from luoshi.plans import selectors, services
from luoshi.plans.diff import summarise
from luoshi.plans.errors import PlanError
from luoshi.plans.forms import MeasureForm, UploadForm
from luoshi.plans.models import ImportStatus, Measure, Plan, PlanKind


def _user(request: HttpRequest) -> Any:
    return request.user


def _back_to_review(request: HttpRequest, plan_id: int) -> HttpResponse:
    url = reverse("plans:review", args=[plan_id])
    if request.htmx:  # type: ignore[attr-defined]
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(selectors.plans_for(user), 30).get_page(request.GET.get("page"))
    imports = selectors.imports_for(user)[:10] if selectors.can_import(user) else []
    return render(
        request,
        "plans/index.html",
        {"title": "行动方案", "page": page, "can_import": selectors.can_import(user), "imports": imports},
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    regions = selectors.regions_for_import(user)
    plans = selectors.revisable_plans(user)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        regions=regions,
        plans=plans,
        initial={"region": user.region_id},
    )
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            imp = services.plan_import_start(
                data["file"], region=data["region"], actor=user, year=data["year"], previous=data["previous"]
            )
        except (ImportFailed, ValidationFailed) as exc:
            error = exc
        else:
            if imp.status == ImportStatus.DONE and imp.plan_id:
                messages.success(request, f"已导入《{imp.plan}》,请核对任务清单后发布。")
                return redirect("plans:review", imp.plan_id)
            if imp.status == ImportStatus.FAILED:
                error = ImportFailed(imp.error, details=imp.error_details or None)
            else:
                return redirect("plans:import_detail", imp.pk)
    return render(
        request,
        "plans/upload.html",
        {"title": "导入行动方案", "form": form, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    imp = selectors.import_get(_user(request), pk)
    return render(request, "plans/import_detail.html", {"title": "方案导入进度", "imp": imp})


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the upload page every second; sends the browser to the review page when the plan is ready."""
    imp = selectors.import_get(_user(request), pk)
    response = render(request, "plans/_import_progress.html", {"imp": imp})
    if imp.status == ImportStatus.DONE and imp.plan_id and request.htmx:  # type: ignore[attr-defined]
        response["HX-Redirect"] = reverse("plans:review", args=[imp.plan_id])
    return response


def _review_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    user = _user(request)
    measures = selectors.measures_for_review(user, plan)
    editable = selectors.can_edit(user, plan)
    blockers = services.publish_blockers(plan) if editable else []
    unknown_names = sorted({b["name"] for b in blockers if b["status"] == "unknown"})
    return {
        "title": plan.title,
        "plan": plan,
        "measures": measures,
        "segments": selectors.source_segments(plan, measures),
        "editable": editable,
        "blockers": blockers,
        "unknown_names": unknown_names,
        "no_unit_count": sum(1 for m in measures if not m.lead_units_text and not m.co_units_text),
        "undated_count": len(services.undated_measures(plan)) if plan.kind == PlanKind.PLAN else 0,
        "unassigned_count": len(services.unassigned_measures(plan)) if editable else 0,
        "period_end": services.plan_period_end(plan),
        "can_edit_details": selectors.can_edit_details(user, plan),
        "own_ids": selectors.own_unit_measure_ids(user, plan),
        "unit_choices": list(selectors.units_for_plan(plan).values_list("name", flat=True))
        if editable
        else [],
        "is_plan": plan.kind == PlanKind.PLAN,
        "facts": (plan.summary or {}).get("facts") or {},
        "responsibilities": (plan.summary or {}).get("responsibilities") or [],
        "warnings": (plan.summary or {}).get("warnings") or [],
        "diff_summary": summarise(selectors.plan_diff(user, plan)) if plan.previous_id else None,
        "history": selectors.plan_history(user, plan),
    }


@login_required
@require_GET
def review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(_user(request), pk)
    return render(request, "plans/review.html", _review_context(request, plan))


@login_required
@require_GET
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get(user, pk)
    if plan.previous_id is None:
        raise NotFound(code=PlanError.NO_PREVIOUS_REVISION)
    diffs = selectors.plan_diff(user, plan)
    return render(
        request,
        "plans/diff.html",
        {
            "title": f"修订对比 · {plan.title}",
            "plan": plan,
            "diffs": diffs,
            "summary": summarise(diffs),
            "editable": selectors.can_edit(user, plan),
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get(user, pk)
    version = request.POST.get("version")
    published = services.plan_publish(
        plan,
        actor=user,
        version=parse_key(version),  # required: the service refuses a missing or non-numeric one
        confirm_unassigned=request.POST.get("confirm_unassigned") == "1",
    )
    unassigned = len(services.unassigned_measures(published))
    note = f"其中 {unassigned} 项尚未指定责任单位,请在任务页指定。" if unassigned else ""
    messages.success(
        request, f"《{published.title}》已发布,{published.measures.count()} 条举措已转为督办任务。{note}"
    )
    return redirect("plans:review", plan.pk)


@login_required
@require_POST
def apply_period_default(request: HttpRequest, pk: int) -> HttpResponse:
    """Every undated measure gets the plan-period default (the plan's year end, or a multi-year plan's end)."""
    user = _user(request)
    plan = selectors.plan_get(user, pk)
    n = services.plan_apply_period_default(plan=plan, actor=user)
    end = services.plan_period_end(plan)
    messages.success(request, f"已将 {n} 条未写明时限的举措的完成时限设为方案期限 {end:%Y年%m月%d日}。")
    return redirect("plans:review", plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_details(request: HttpRequest, pk: int) -> HttpResponse:
    """方案信息: the plan's own title, year, 文号 and issuing body, editable after import (audited)."""
    user = _user(request)
    plan = selectors.plan_get(user, pk)
    error: DomainError | None = None
    values = {f: getattr(plan, f) or "" for f in services.PLAN_DETAIL_FIELDS}
    if request.method == "POST":
        values = {f: request.POST.get(f, "") for f in services.PLAN_DETAIL_FIELDS}
        try:
            updated = services.plan_update_details(
                plan=plan, actor=user, version=_version(request), changes=values
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            messages.success(request, f"已保存方案信息:《{updated.title}》。")
            return redirect("plans:review", plan.pk)
    return render(
        request,
        "plans/details_form.html",
        {"title": f"修改方案信息 · {plan.title}", "plan": plan, "values": values, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get(user, pk)
    content = selectors.plan_ledger_xlsx(user, plan)
    name, fallback = selectors.plan_ledger_filename(plan)
    return file_response(content, name, XLSX, fallback=fallback)


@login_required
@require_POST
def confirm_unit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get(user, pk)
    name = request.POST.get("name", "")
    unit = services.plan_confirm_unit(
        plan=plan, name=name, actor=user, full_name=request.POST.get("full_name")
    )
    messages.success(request, f"已将“{name}”确认为新单位“{unit.name}”(待机构库管理员核实全称)。")
    return _back_to_review(request, plan.pk)


@login_required
@require_POST
def resolve_units(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    plan = selectors.plan_get(user, pk)
    fixed = services.plan_resolve_units(plan=plan, actor=user)
    messages.success(request, f"重新识别完成,新识别 {fixed} 个单位名称。")
    return _back_to_review(request, plan.pk)


# --- one measure (htmx) ------------------------------------------------------------------------------------


def _row(
    request: HttpRequest,
    measure: Measure,
    *,
    error: DomainError | None = None,
    form: MeasureForm | None = None,
) -> HttpResponse:
    user = _user(request)
    plan = measure.plan
    editable = selectors.can_edit(user, plan)
    fresh = selectors.measures_of(user, plan).filter(pk=measure.pk).first()
    if fresh is None:
        raise NotFound("该举措已被合并或删除,请刷新页面。", code=PlanError.MEASURE_NOT_FOUND)
    fresh.review_checks = selectors.review_checks(fresh)  # type: ignore[attr-defined]
    template = "plans/_measure_form.html" if form is not None else "plans/_measure_row.html"
    return render(
        request,
        template,
        {
            "m": fresh,
            "plan": plan,
            "editable": editable,
            "error": error,
            "form": form,
            "own_ids": selectors.own_unit_measure_ids(user, plan),
            "period_end": services.plan_period_end(plan),
            # keeps the publish form's version in step with inline edits (an out-of-band htmx swap)
            "plan_version": Plan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
            if editable
            else None,
        },
    )


def _version(request: HttpRequest) -> int:
    return version_from(request.POST.get("version"))


def _row_after(request: HttpRequest, pk: int, action: Callable[[Measure, Any], object]) -> HttpResponse:
    """Run one inline action on a measure and render its row again: with the refusal's message if it was
    refused (a 403/404 still surfaces as its page), as it now reads if not."""
    user = _user(request)
    measure = selectors.measure_get(user, pk)
    try:
        action(measure, user)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _row(request, measure, error=exc)
    return _row(request, measure)


@login_required
@require_GET
def measure_row(request: HttpRequest, pk: int) -> HttpResponse:
    return _row(request, selectors.measure_get(_user(request), pk))


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    measure = selectors.measure_get(user, pk)
    if request.method == "GET":
        return _row(
            request,
            measure,
            form=MeasureForm(initial=MeasureForm.initial_for(measure), auto_id=f"m{measure.pk}-%s"),
        )
    form = MeasureForm(request.POST, auto_id=f"m{measure.pk}-%s")
    if not form.is_valid():
        return _row(request, measure, form=form)
    try:
        services.measure_update(
            measure=measure, actor=user, version=form.cleaned_data["version"], changes=form.changes()
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _row(request, measure, form=form, error=exc)
    return _row(request, measure)


@login_required
@require_POST
def measure_period_default(request: HttpRequest, pk: int) -> HttpResponse:
    """One undated measure: the plan-period default as its completion date."""
    return _row_after(
        request,
        pk,
        lambda measure, user: services.measure_apply_period_default(
            measure=measure, actor=user, version=_version(request)
        ),
    )


@login_required
@require_POST
def measure_confirm_ongoing(request: HttpRequest, pk: int) -> HttpResponse:
    """One undated measure: confirmed as 长期坚持 (reported each cycle, never closable)."""
    return _row_after(
        request,
        pk,
        lambda measure, user: services.measure_confirm_ongoing(
            measure=measure, actor=user, version=_version(request)
        ),
    )


@login_required
@require_POST
def measure_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a suggested lead unit for a measure whose text names none."""
    return _row_after(
        request,
        pk,
        lambda measure, user: services.measure_update(
            measure=measure,
            actor=user,
            version=_version(request),
            changes={"lead_units_text": [request.POST.get("name", "")]},
        ),
    )


@login_required
@require_POST
def measure_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    measure = selectors.measure_get(user, pk)
    unit_name = request.POST.get("unit", "").strip()
    unit = selectors.units_for_plan(measure.plan).filter(name=unit_name).order_by("-region__path").first()
    try:
        if unit is None:
            raise ValidationFailed(
                f"机构库中没有“{unit_name}”,请从列表中选择,或将其确认为新单位。",
                code=PlanError.UNIT_NAME_UNKNOWN,
            )
        services.measure_assign_unit(
            measure=measure,
            actor=user,
            version=_version(request),
            name=request.POST.get("name", ""),
            unit=unit,
            role=request.POST.get("role") or None,
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _row(request, measure, error=exc)
    return _row(request, measure)


def _structural(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    measure = selectors.measure_get(user, pk)
    plan_id = measure.plan_id
    version = _version(request)
    try:
        if action == "split":
            try:
                at = int(request.POST.get("at", ""))
            except ValueError as exc:
                raise ValidationFailed(code=PlanError.SPLIT_POINT_MISSING) from exc
            services.measure_split(measure=measure, actor=user, version=version, at=at)
            messages.success(request, f"第{measure.seq}条已拆分为两条。")
        elif action == "merge":
            services.measure_merge(measure=measure, actor=user, version=version)
            messages.success(request, f"第{measure.seq}条已与下一条合并。")
        else:
            services.measure_delete(measure=measure, actor=user, version=version)
            messages.success(request, f"第{measure.seq}条已删除。")
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        if request.htmx:  # type: ignore[attr-defined]
            return _row(request, measure, error=exc)
        messages.error(request, exc.message)
    return _back_to_review(request, plan_id)


@login_required
@require_POST
def measure_split(request: HttpRequest, pk: int) -> HttpResponse:
    return _structural(request, pk, "split")


@login_required
@require_POST
def measure_merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _structural(request, pk, "merge")


@login_required
@require_POST
def measure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _structural(request, pk, "delete")
