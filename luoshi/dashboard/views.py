"""Pages of the monitoring dashboard (thin: selectors read, services write)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from luoshi.accounts.access import is_unit_staff, subtree_q
from luoshi.accounts.models import User
from luoshi.core.bounds import parse_key
from luoshi.core.downloads import DOCX, XLSX, file_response
from luoshi.core.errors import AccessDenied, DomainError, NotFound
from luoshi.dashboard import access, engine, exports, providers, selectors, services
from luoshi.dashboard.errors import DashboardError
from luoshi.dashboard.models import Cycle, Direction, Indicator, IndicatorSourceKind
from luoshi.orgs.models import Region, Unit


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


_int = parse_key  # bounded: an overflowing id or version is None (404 / 400), never a 500


def _args(request: HttpRequest) -> dict[str, Any]:
    return {
        "region_id": _int(request.GET.get("region")),
        "kind": request.GET.get("kind", ""),
        "period_text": request.GET.get("period", ""),
    }


def _period_nav(request: HttpRequest, period: engine.Period) -> dict[str, Any]:
    base = {k: v for k, v in request.GET.items() if k not in ("period", "kind")}
    prev, nxt = (
        engine.previous_period(period),
        engine.period_containing(period.kind, period.end + dt.timedelta(days=1)),
    )
    return {
        "kinds": [
            (k, label, f"?{selectors.query_string({**base, 'kind': k})}", k == period.kind)
            for k, label in selectors.KIND_LABEL.items()
        ],
        "prev_url": f"?{selectors.query_string({**base, 'kind': period.kind, 'period': prev.key})}",
        "next_url": f"?{selectors.query_string({**base, 'kind': period.kind, 'period': nxt.key})}"
        if nxt.start <= timezone.localdate()
        else "",
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The cockpit (驾驶舱) of a region; staff go to their unit's page."""
    user = _user(request)
    access.require_reader(user)
    if (
        not access.is_region_reader(user)
        and is_unit_staff(user)
        and user.unit_id
        and "region" not in request.GET
    ):
        return redirect("dashboard:unit", pk=user.unit_id)
    cockpit = selectors.cockpit(user, **_args(request))
    return render(
        request,
        "dashboard/cockpit.html",
        {"c": cockpit, "title": "营商环境监测", **_period_nav(request, cockpit.period)},
    )


@login_required
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    view = selectors.unit_view(user, pk, request.GET.get("kind", ""), request.GET.get("period", ""))
    return render(
        request,
        "dashboard/unit.html",
        {
            "v": view,
            "title": view.unit.name,
            "can_escalate": access.is_office(user),
            **_period_nav(request, view.period),
        },
    )


@login_required
def records(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    rec = selectors.records(
        user,
        key,
        region_id=_int(request.GET.get("region")),
        unit_id=_int(request.GET.get("unit")),
        bucket=request.GET.get("bucket", ""),
        kind=request.GET.get("kind", ""),
        period_text=request.GET.get("period", ""),
        page=_int(request.GET.get("page")) or 1,
    )
    base = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "dashboard/records.html",
        {
            "r": rec,
            "title": rec.source.label,
            "prev_url": f"?{selectors.query_string({**base, 'page': rec.page - 1})}" if rec.page > 1 else "",
            "next_url": f"?{selectors.query_string({**base, 'page': rec.page + 1})}"
            if rec.page < rec.pages
            else "",
        },
    )


@login_required
def rankings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    r = selectors.rankings(user, **_args(request))
    return render(
        request,
        "dashboard/rankings.html",
        {"r": r, "title": "排名与十优十差", **_period_nav(request, r.period)},
    )


@login_required
def weights(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_reader(user)
    rankable = [s for s in providers.sources() if s.rankable]
    if request.method == "POST":
        try:
            services.weights_set(
                user=user,
                weights={s.key: request.POST.get(s.key, "0") for s in rankable},
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "排名权重已更新,历史版本已保留。")
            return redirect("dashboard:weights")
    r = selectors.rankings(user)
    current = services.current_weights()
    return render(
        request,
        "dashboard/weights.html",
        {
            "title": "排名权重",
            "rows": [(s, current.get(s.key, 0)) for s in rankable],
            "history": r.history,
            "formula": r.formula,
            "labels": r.labels,
            "can_edit": access.is_office(user),
        },
    )


@login_required
def trends(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    args = _args(request)
    kind = args["kind"] or "month"
    period = selectors.period_of(kind, args["period_text"])
    rows = selectors.trend(user, args["region_id"], kind, 12 if kind != "year" else 3, end=period)
    region = access.region_for(user, args["region_id"])
    keys = [s for s in providers.sources() if s.headline]
    table = []
    for i, row in enumerate(rows):
        prev = rows[i - 1] if i else None
        cells = []
        for s in keys:
            v = row.values.get(s.key)
            pv = prev.values.get(s.key) if prev else None
            cells.append((v, None if v is None or pv is None else round(v - pv, 1)))
        table.append((row.period, cells))
    from luoshi.dashboard import charts

    series = [(s.key, s.label) for s in keys if s.kind == "rate"]
    chart = charts.line("trend", f"{region.name}主要比率走势(按{selectors.KIND_LABEL[kind]})", rows, series)
    return render(
        request,
        "dashboard/trends.html",
        {
            "title": "趋势",
            "region": region,
            "keys": keys,
            "table": table,
            "charts": [chart],
            **_period_nav(request, period),
        },
    )


@login_required
def screen(request: HttpRequest) -> HttpResponse:
    """大屏: dark, auto-refreshing, no controls."""
    cockpit = selectors.cockpit(_user(request), **_args(request))
    return render(request, "dashboard/screen.html", {"c": cockpit, "refresh_seconds": 300})


@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    cockpit = selectors.cockpit(_user(request), **_args(request))
    return file_response(
        exports.cockpit_xlsx(cockpit),
        f"营商环境监测数据-{cockpit.period.key}.xlsx",
        XLSX,
        fallback=f"cockpit-{cockpit.period.key}.xlsx",
    )


@login_required
def report_docx(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    args = _args(request)
    args["kind"] = "quarter"
    cockpit = selectors.cockpit(user, **args)
    ranks = selectors.rankings(user, args["region_id"], "quarter", args["period_text"])
    overdue = (
        selectors.records(
            user,
            "supervision.overdue",
            region_id=cockpit.region.pk,
            kind="quarter",
            period_text=cockpit.period.key,
            per_page=30,
        )
        if providers.source("supervision.overdue")
        else None
    )
    problems = [(str(r.cells[0]), str(r.cells[1])) for r in overdue.listing.rows] if overdue else []
    return file_response(
        exports.quarterly_docx(cockpit, ranks, problems),
        f"营商环境监测报告-{cockpit.period.key}.docx",
        DOCX,
        fallback=f"report-{cockpit.period.key}.docx",
    )


@login_required
@require_POST
def escalate(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    unit = access.unit_for(user, _int(request.POST.get("unit")) or 0)
    period = selectors.period_of(request.POST.get("kind", ""), request.POST.get("period", ""))
    try:
        escalated = services.escalate(user=user, key=request.POST.get("key", ""), unit=unit, period=period)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("next") or reverse("dashboard:unit", args=[unit.pk]))
    messages.success(request, escalated.done)
    return redirect(escalated.url)


# --- indicators ----------------------------------------------------------------------------------------------
@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    on = None
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            messages.error(request, "日期格式应为 YYYY-MM-DD。")
    tree = selectors.indicator_tree(user, _int(request.GET.get("region")), on)
    children = list(Region.objects.filter(parent=tree.region).order_by("code"))
    return render(
        request, "dashboard/indicators.html", {"t": tree, "title": "指标体系", "children": children}
    )


@login_required
def indicators_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    region = access.region_for(user, _int(request.GET.get("region")))
    access.require_office(user, region, "导入指标体系")
    problems: list[dict[str, Any]] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 .xlsx 文件。")
        else:
            try:
                result = services.indicators_import(
                    user=user, region=region, data=upload.read(), filename=upload.name or ""
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                problems = list(exc.details or [])
            else:
                messages.success(
                    request, f"已导入指标体系:新增 {result.created} 项,更新 {result.updated} 项。"
                )
                return redirect(f"{reverse('dashboard:indicators')}?region={region.pk}")
    return render(
        request,
        "dashboard/indicators_import.html",
        {
            "title": "导入指标体系",
            "region": region,
            "problems": problems,
            "columns": services.INDICATOR_COLUMNS,
            "keys": providers.sources(),
        },
    )


@login_required
def indicators_template(request: HttpRequest) -> HttpResponse:
    access.require_reader(_user(request))
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "指标体系"
    ws.append(list(services.INDICATOR_COLUMNS))
    ws.append(["1", "", "政务服务", 30, "", "季", "", "越高越好", "", "", "", "单位填报", "", "一级指标"])
    ws.append(
        [
            "1.1",
            "1",
            "督办任务按期完成率",
            50,
            "",
            "季",
            "%",
            "越高越好",
            90,
            80,
            98,
            "系统计算",
            "supervision.on_time_rate",
            "",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return file_response(out.getvalue(), "监测指标导入模板.xlsx", XLSX, fallback="indicators-template.xlsx")


@login_required
def values_import(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    region = access.region_for(user, _int(request.GET.get("region")))
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES.get("file")
        assert upload is not None
        try:
            n = services.values_import(
                user=user, region=region, data=upload.read(), filename=upload.name or ""
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            for p in (exc.details or [])[:20]:
                messages.error(request, p["message"])
        else:
            messages.success(request, f"已导入 {n} 条指标数值。")
    return redirect(f"{reverse('dashboard:indicators')}?region={region.pk}")


@login_required
def indicator(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    trace = selectors.indicator_trace(
        user, pk, _int(request.GET.get("region")), request.GET.get("period", "")
    )
    return render(request, "dashboard/indicator.html", {"t": trace, "title": trace.indicator.name})


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    ind = Indicator.objects.select_related("region", "lead_unit").filter(pk=pk).first()
    if ind is None:
        raise NotFound("未找到该指标。", code=DashboardError.INDICATOR_NOT_FOUND)
    access.require_office(user, ind.region, "修改监测指标")
    units = Unit.objects.filter(subtree_q(ind.region), is_active=True).order_by(
        "region_id", "name"
    )
    if request.method == "POST":
        p = request.POST

        def num(name: str) -> float | None:
            text = p.get(name, "").strip()
            return float(text) if text else None

        try:
            changes = {
                "name": p.get("name", "").strip(),
                "weight": float(p.get("weight") or 0),
                "lead_unit": units.filter(pk=_int(p.get("lead_unit")) or 0).first(),
                "cycle": p.get("cycle"),
                "measure_unit": p.get("measure_unit", "").strip(),
                "direction": p.get("direction"),
                "target": num("target"),
                "warning_value": num("warning_value"),
                "advanced_value": num("advanced_value"),
                "source": p.get("source"),
                "source_key": p.get("source_key", "").strip(),
                "note": p.get("note", "").strip(),
            }
            services.indicator_update(
                user=user, indicator=ind, version=int(p.get("version") or 0), changes=changes
            )
        except ValueError:
            messages.error(request, "权重、目标值、预警值、先进值应为数字。")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已保存指标“{ind.name}”。")
            return redirect(f"{reverse('dashboard:indicators')}?region={ind.region_id}")
    return render(
        request,
        "dashboard/indicator_edit.html",
        {
            "title": f"编辑指标 {ind.code}",
            "i": ind,
            "units": units,
            "cycles": Cycle.choices,
            "directions": Direction.choices,
            "sources": IndicatorSourceKind.choices,
            "keys": providers.sources(),
        },
    )


@login_required
def indicator_report(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    ind = Indicator.objects.select_related("region").filter(pk=pk).first()
    if ind is None:
        raise NotFound("未找到该指标。", code=DashboardError.INDICATOR_NOT_FOUND)
    region = (
        Region.objects.filter(
            pk=_int(request.POST.get("region") or request.GET.get("region")) or ind.region_id
        ).first()
        or ind.region
    )
    if not access.can_report(user, region, ind.lead_unit_id):
        raise AccessDenied(code=DashboardError.NOT_REPORTER)
    period = selectors.period_of(ind.cycle, request.POST.get("period") or request.GET.get("period", ""))
    if request.method == "POST":
        upload = request.FILES.get("evidence_file")
        try:
            services.value_report(
                user=user,
                indicator=ind,
                region=region,
                period=period,
                value=request.POST.get("value", ""),
                evidence=request.POST.get("evidence", ""),
                evidence_file=(upload.name or "", upload) if upload is not None else None,  # type: ignore[arg-type]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已填报“{ind.name}”{period.label()}的数值。")
            return redirect(
                f"{reverse('dashboard:indicator', args=[ind.pk])}?{selectors.query_string({'region': region.pk, 'period': period.key})}"
            )
    return render(
        request,
        "dashboard/indicator_report.html",
        {"title": f"填报 {ind.name}", "i": ind, "region": region, "period": period},
    )
