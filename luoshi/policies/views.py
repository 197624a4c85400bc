"""Policy pages: thin — parse the request, call a selector or a service, render. Refusals (AccessDenied, NotFound)
surface through the DomainErrorMiddleware as 403 / 404 pages with their Chinese message."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any, cast

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.accounts.models import User
from luoshi.core.errors import DomainError, ValidationFailed
from luoshi.orgs.models import Region, Unit
from luoshi.policies import access, forms, selectors, services
from luoshi.policies.engine.profile import Status, explain
from luoshi.policies.engine.schema import FIELDS, KNOWN_TAGS, FieldKind
from luoshi.policies.errors import PolicyError
from luoshi.policies.models import BatchStatus, Mode, PolicyLevel, RuleStatus


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _fail(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _date(raw: str) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"日期「{raw}」应写作 YYYY-MM-DD。", code=PolicyError.DATE_INVALID) from None


def _decimal(raw: str, label: str) -> Decimal | None:
    raw = (raw or "").replace(",", "").strip()
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise ValidationFailed(f"{label}「{raw}」不是数字。", code=PolicyError.NUMBER_INVALID) from None


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("tabs", access.tabs(_user(request)))
    return render(request, template, context)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect(access.landing(_user(request)))


@login_required
@require_http_methods(["GET", "POST"])
def library(request: HttpRequest) -> HttpResponse:
    """政策库: the office's policies, search, and a new policy from a document or pasted text."""
    user = _user(request)
    if request.method == "POST":
        try:
            access.require_office(user, "录入政策")
            region = user.region or Region.objects.order_by("path").first()
            if region is None:
                raise ValidationFailed(code=PolicyError.NO_REGION)
            meta: dict[str, Any] = {k: request.POST.get(k, "").strip() for k in ("title", "issuers", "document_number")}
            dates: dict[str, Any] = {k: _date(request.POST.get(k, ""))
                                     for k in ("published_on", "effective_from", "expires_on")}
            level = request.POST.get("level") or PolicyLevel.CITY
            upload = request.FILES.get("source")
            if upload is not None:
                policy = services.policy_import_document(actor=user, region=region, filename=upload.name or "政策",
                                                         data=upload.read(), level=level, **meta, **dates)
            else:
                policy = services.policy_create(actor=user, region=region, level=level,
                                                source_text=request.POST.get("source_text", ""), **meta, **dates)
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已录入政策「{policy.title}」。")
            return redirect("policies:policy", pk=policy.pk)
    q = request.GET.get("q", "").strip()[:100]
    return _render(request, "policies/library.html", {
        "title": "政策库", "policies": selectors.policies(user, q)[:200], "q": q, "levels": PolicyLevel.choices,
        "can_manage": access.is_office(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.policy(user, pk)
    if request.method == "POST":
        try:
            department = Unit.objects.filter(pk=request.POST.get("department") or 0).first()
            if department is None:
                raise ValidationFailed(code=PolicyError.DEPARTMENT_MISSING)
            item = services.item_save(
                actor=user, policy=obj, code=request.POST.get("code", ""), department=department,
                title=request.POST.get("title", "").strip(), mode=request.POST.get("mode") or Mode.INSTANT,
                clause=request.POST.get("clause", "").strip(),
                benefit_fixed=_decimal(request.POST.get("benefit_fixed", ""), "固定金额"),
                benefit_formula=request.POST.get("benefit_formula", "").strip(),
                benefit_cap=_decimal(request.POST.get("benefit_cap", ""), "单户上限"),
                payment_limit_workdays=int(request.POST["payment_limit_workdays"])
                if request.POST.get("payment_limit_workdays", "").isdigit() else None,
                materials=request.POST.get("materials", ""), how_to_apply=request.POST.get("how_to_apply", ""),
                exclusive_group=request.POST.get("exclusive_group", "").strip(),
            )
        except DomainError as exc:
            _fail(request, exc)
        else:
            messages.success(request, f"已新增兑现事项「{item.title}」,请编写规则。")
            return redirect("policies:rule_editor", pk=item.pk)
    items = selectors.items(user).filter(policy=obj)
    departments = access.departments_for(obj)
    return _render(request, "policies/policy.html", {
        "title": obj.title, "policy": obj, "items": items, "can_manage": access.is_office(user),
        "modes": Mode.choices, "departments": departments[:500],
    })


@login_required
def item(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.item(user, pk)
    return _render(request, "policies/item.html", {
        "title": obj.title, "item": obj, "versions": selectors.versions(user, obj),
        "batches": selectors.batches(user).filter(item=obj)[:50], "can_manage": access.is_office(user),
        "can_pay": _can_pay(user, obj), "is_automatic": obj.mode == Mode.AUTOMATIC,
    })


def _can_pay(user: User, obj: Any) -> bool:
    try:
        access.require_can_pay(user, obj)
    except DomainError:
        return False
    return True


SAMPLE_RULE: dict[str, Any] = {"all": [{"id": "条件1", "field": "tags", "op": "has_tag", "tag": "高新技术企业"}]}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def _parse_yaml(text: str, what: str) -> Any:
    try:
        return yaml.safe_load(text or "")
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"{what}不是有效的 YAML:{exc}", code=PolicyError.YAML_INVALID) from None


@login_required
@require_http_methods(["GET", "POST"])
def rule_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """The rule editor: the policy text beside a structured form of the condition tree (groups and leaves, each
    leaf citing its clause); every change re-runs the item's YAML test cases and previews the firms gained or lost
    (htmx). ``view=yaml`` is the advanced view: the same rule as YAML, for import and export. 保存草稿 makes a
    version (a published one is never edited: a new draft follows it)."""
    user = _user(request)
    obj = selectors.item(user, pk)
    access.require_office(user, "编写规则")
    latest = obj.versions.order_by("-number").first()
    legacy_yaml = "rule" in request.POST and "r.kind" not in request.POST  # a YAML post without the view field
    view = request.POST.get("view") or ("yaml" if legacy_yaml else "") or request.GET.get("view") or "form"
    tree: dict[str, Any] = forms.as_group(latest.rule) if latest else copy.deepcopy(SAMPLE_RULE)
    cases_text = _dump(latest.cases or []) if latest else "[]\n"
    rule_text = _dump(latest.rule if latest else tree)
    check = impact = None
    error = ""
    redraw = request.method == "GET"
    hx = bool(request.headers.get("HX-Request"))
    if request.method == "POST":
        cases_text = request.POST.get("cases", "")
        action = request.POST.get("action", "check")
        try:
            if view == "yaml":
                rule_text = request.POST.get("rule", "")
                rule = _parse_yaml(rule_text, "条件树")
                if action == "to_form":
                    tree, view, redraw = forms.as_group(rule), "form", True
            else:
                tree = forms.tree_from_post(request.POST)
                edit = request.POST.get("edit", "")
                if edit:
                    forms.apply_edit(tree, edit)
                    redraw = True
                if action == "save":
                    forms.fill_ids(tree)
                rule = tree
                rule_text = _dump(tree)
            cases = _parse_yaml(cases_text, "测试用例") or []
            if action == "save":
                version = services.rule_draft(actor=user, item=obj, rule=rule, cases=cases)
                messages.success(request, f"已保存第 {version.number} 版草稿,请预览影响后发布。")
                return redirect("policies:preview", pk=version.pk)
            check = services.rule_check(item=obj, rule=rule, cases=cases)
            impact = services.rule_impact(actor=user, item=obj, rule=rule)
        except DomainError as exc:
            error = exc.message
            if not hx:
                _fail(request, exc)
    elif latest is not None:
        try:
            check = services.rule_check(item=obj, rule=latest.rule, cases=latest.cases)
            impact = services.rule_impact(actor=user, item=obj, rule=latest.rule)
        except DomainError as exc:
            error = exc.message
    context = {
        "title": f"编写规则 · {obj.title}", "item": obj, "latest": latest, "view": view, "rule_text": rule_text,
        "cases_text": cases_text, "check": check, "impact": impact, "error": error,
        "tree": forms.render_tree(tree, services.parameter_set()), "fields": FIELDS.values(), "tags": KNOWN_TAGS,
        "published": latest is not None and latest.status != RuleStatus.DRAFT,
    }
    if hx and request.method == "POST":
        template = "policies/_rule_tree.html" if redraw and view == "form" else "policies/_live.html"
        return render(request, template, {**context, "oob": template != "policies/_live.html"})
    return _render(request, "policies/rule_editor.html", context)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    version = selectors.version(user, pk)
    result = services.rule_preview(actor=user, version=version)
    check = services.rule_check(item=version.item, rule=version.rule, cases=version.cases)
    return _render(request, "policies/preview.html", {
        "title": f"发布前预览 · {version.item.title} 第 {version.number} 版", "version": version, "p": result,
        "check": check, "can_publish": version.status == RuleStatus.DRAFT and check.passed,
    })


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    version = selectors.version(user, pk)
    try:
        services.rule_publish(actor=user, version=version)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("policies:preview", pk=pk)
    messages.success(request, f"已发布第 {version.number} 版规则,并向符合条件和差一项的企业推送。")
    return redirect("policies:item", pk=version.item_id)


@login_required
def department(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _render(request, "policies/department.html", {
        "title": "本部门兑现事项", "items": selectors.items(user), "batches": selectors.batches(user)[:100],
        "applications": selectors.applications(user)[:200],
    })


@login_required
@require_POST
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    """The paying department grants an application (即申即享 / 快申快享 / 限时享受)."""
    user = _user(request)
    push = selectors.applications(user).filter(pk=pk).first()
    if push is None:
        from luoshi.core.errors import AccessDenied

        raise AccessDenied("您只能兑现本部门事项的申报。", code=PolicyError.NOT_YOUR_DEPARTMENT)
    try:
        services.push_grant(actor=user, push=push, amount=_decimal(request.POST.get("amount", ""), "兑现金额"))
    except DomainError as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"已兑现「{push.item.title}」:{push.enterprise.name}。")
    return redirect("policies:department")


@login_required
@require_POST
def batch_draw(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.item(user, pk)
    try:
        batch = services.batch_draw(actor=user, item=obj)
    except DomainError as exc:
        _fail(request, exc)
        return redirect("policies:item", pk=pk)
    messages.success(request, f"已生成免申即享清单:{batch.payouts.filter(state='pending').count()} 户,"
                              f"合计 {batch.total:,} 元,待两人复核。")
    return redirect("policies:batch", pk=batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.batch(user, pk)
    if request.method == "POST":
        action = {"check": services.batch_check, "confirm": services.batch_confirm, "pay": services.batch_pay}.get(
            request.POST.get("action", ""))
        if action is not None:
            try:
                obj = action(actor=user, batch=obj)
            except DomainError as exc:
                _fail(request, exc)
            else:
                messages.success(request, f"清单状态:{obj.get_status_display()}。")
            return redirect("policies:batch", pk=pk)
    return _render(request, "policies/batch.html", {
        "title": f"免申即享清单 · {obj.item.title}", "batch": obj,
        "lines": obj.payouts.select_related("enterprise").order_by("state", "-amount")[:1000],
        "statuses": BatchStatus, "can_pay": _can_pay(user, obj.item),
    })


@login_required
def reach(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _render(request, "policies/reach.html", {"title": "政策触达统计", "rows": selectors.reach(user)})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的政策: pushes with the reason, deadlines, how to apply; the full check of every item (政策体检)."""
    user = _user(request)
    pushes = list(selectors.my_pushes(user)[:100])
    services.pushes_opened(actor=user, pushes=pushes)
    return _render(request, "policies/mine.html", {
        "title": "我的政策", "pushes": pushes, "results": selectors.my_results(user),
        "profile": selectors.my_profile(user), "fields": FIELDS, "Status": Status,
    })


@login_required
@require_POST
def push_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    obj = selectors.push(user, pk)
    action = request.POST.get("action")
    try:
        if action in ("useful", "not_useful"):
            services.push_feedback(actor=user, push=obj, useful=action == "useful")
            messages.success(request, "感谢您的评价。")
        elif action == "apply":
            services.push_apply(actor=user, push=obj)
            messages.success(request, "已记录您的申报意向,请按申报方式提交材料。")
    except DomainError as exc:
        _fail(request, exc)
    return redirect(f"/policies/mine/#push-{pk}")


CALC_FIELDS = ("region", "industry", "founded", "employees", "revenue", "assets", "rd_ratio", "tax_paid",
               "credit_status")


@login_required
@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    """政策计算器: try a hypothetical profile against every published item (nothing is saved)."""
    user = _user(request)
    values: dict[str, Any] = {}
    if request.method == "GET" and access.is_enterprise(user):
        own = selectors.my_profile(user)
        values = dict(own.data) if own else {}
    results = None
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in CALC_FIELDS}
        values["tags"] = request.POST.getlist("tags")
        try:
            outcomes = services.calculator(data=values)
            params = services.parameter_set()
            results = [(o, explain(o, params)) for o in outcomes]
        except DomainError as exc:
            _fail(request, exc)
    fields = [FIELDS[f] for f in CALC_FIELDS]
    return _render(request, "policies/calculator.html", {
        "title": "政策计算器", "fields": fields, "values": values, "tags": KNOWN_TAGS, "results": results,
        "number": FieldKind.NUMBER, "date": FieldKind.DATE, "values_json": json.dumps(values, ensure_ascii=False),
    })


@login_required
@require_http_methods(["GET", "POST"])
def profiles_import(request: HttpRequest) -> HttpResponse:
    """A department's profile file (.xlsx/.csv): all or nothing, every bad row listed; same file twice changes nothing."""
    from luoshi.policies.importing import read_rows

    user = _user(request)
    access.require_profile_importer(user)
    report, problems = None, []
    upload = request.FILES.get("file") if request.method == "POST" else None
    if upload is not None:
        try:
            rows = read_rows(upload.name or "", upload.read())
            report = services.profiles_import(
                actor=user, rows=rows, source=request.POST.get("source", "").strip() or "部门报送",
                authoritative=request.POST.get("self_declared") != "1",
                as_of=_date(request.POST.get("as_of", "")) or services.today())
        except DomainError as exc:
            _fail(request, exc)
            problems = exc.details if isinstance(exc.details, list) else []
    return _render(request, "policies/import.html", {
        "title": "导入企业画像", "report": report, "problems": problems, "columns": list(services.PROFILE_COLUMNS),
    })
