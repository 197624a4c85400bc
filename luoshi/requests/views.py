"""Pages of enterprise requests. Thin: parse the request, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from luoshi.accounts.models import User
from luoshi.calendar import deadlines
from luoshi.calendar.services import calendar_for
from luoshi.core.bounds import parse_key
from luoshi.core.downloads import DOCX, XLSX, file_response
from luoshi.core.errors import AccessDenied, DomainError, NotFound
from luoshi.orgs.models import Region, Unit
from luoshi.requests import access, selectors, services
from luoshi.requests.errors import RequestError
from luoshi.requests.models import (
    Category,
    Channel,
    EnterpriseRegistration,
    Extension,
    RegistrationStatus,
    RequestStatus,
    Satisfaction,
    TimeLimit,
    Urgency,
)
from luoshi.requests.services import accounts as enterprise_accounts
from luoshi.requests.services import arrears, hotspots, metrics, privacy


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


_int = parse_key  # bounded: an overflowing id or version is None (404 / 400), never a 500


def _files(request: HttpRequest, name: str = "files") -> list[tuple[str, Any]]:
    return [(f.name or "附件", f) for f in request.FILES.getlist(name)]


def _period(request: HttpRequest) -> str:
    value = request.GET.get("period", "")
    return value or f"{timezone.localdate(timezone.now()):%Y-%m}"


def _home_region(user: User) -> Region:
    if user.region is not None:
        return user.region
    if user.unit is not None:
        return user.unit.region
    if user.enterprise is not None:
        return user.enterprise.region
    region = Region.objects.order_by("path").first()
    if region is None:
        raise NotFound(code=RequestError.NO_REGION)
    return region


def _require_gov(user: User) -> None:
    if not access.is_government(user):
        raise AccessDenied(code=RequestError.STAFF_PAGES_ONLY)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    f = selectors.RequestFilters(
        status=request.GET.get("status", ""),
        channel=request.GET.get("channel", ""),
        category=request.GET.get("category", ""),
        q=request.GET.get("q", "").strip(),
    )
    page = Paginator(selectors.request_list(user, f), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "requests/index.html",
        {
            "title": "企业诉求",
            "page": page,
            "f": f,
            "statuses": RequestStatus.choices,
            "channels": Channel.choices,
            "is_office": access.is_office(user),
            "today": timezone.localdate(timezone.now()),
        },
    )


@login_required
def new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if access.is_leader(user):
        raise AccessDenied(code=RequestError.LEADER_READ_ONLY)
    if request.method == "POST":
        p = request.POST
        data = services.RequestInput(
            enterprise_name=p.get("enterprise_name", "") or (user.enterprise.name if user.enterprise else ""),
            contact_name=p.get("contact_name", ""),
            contact_phone=p.get("contact_phone", ""),
            title=p.get("title", ""),
            text=p.get("text", ""),
            channel=p.get("channel", Channel.WEB),
            category=p.get("category", Category.OTHER),
            credit_code=p.get("credit_code", ""),
            debtor_name=p.get("debtor_name", ""),
            amount_claimed=p.get("amount_claimed", ""),
        )
        try:
            req, _ = services.request_file(
                user=user, data=data, idempotency_key=p.get("form_token", ""), files=_files(request)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(request, "requests/new.html", _new_context(user, p), status=exc.status)
        messages.success(request, f"诉求已提交,编号 {req.number}。我们将在 7 日内给您程序性回复。")
        return redirect("requests:detail", req.pk)
    return render(request, "requests/new.html", _new_context(user, {}))


def _new_context(user: User, values: Any) -> dict[str, Any]:
    import secrets

    channels = Channel.choices
    if access.is_enterprise(user):
        channels = [(Channel.WEB.value, Channel.WEB.label)]
    elif access.is_observer(user):
        channels = [(Channel.OBSERVER.value, Channel.OBSERVER.label)]
    return {
        "title": "提交诉求",
        "channels": channels,
        "categories": Category.choices,
        "v": values,
        "is_enterprise": access.is_enterprise(user),
        "form_token": values.get("form_token") if values else secrets.token_urlsafe(16),
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    req = selectors.request_get(user, pk)
    d = selectors.request_detail(user, req)
    suggestion = req.suggestion or {}
    units: list[Unit] = []
    if d["is_office"] and req.status in (RequestStatus.ACCEPTED, RequestStatus.ESCALATED):
        from luoshi.requests.services.routing import suggest_for

        if not suggestion.get("top") or "confirmed" in suggestion:
            suggestion = suggest_for(req) or suggestion
        units = list(
            Unit.objects.filter(region_id__in=access.subtree_ids(req.region), is_active=True).order_by("name")
        )
    return render(
        request,
        "requests/detail.html",
        {
            "title": req.title,
            "r": req,
            "d": d,
            "suggestion": suggestion,
            "units": units,
            "urgencies": Urgency.choices,
            "satisfactions": Satisfaction.choices,
            "today": timezone.localdate(timezone.now()),
            "pending_extension": next((e for e in d["extensions"] if e.status == "pending"), None),
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """Every action of the detail page: one service call each."""
    user = _user(request)
    req = selectors.request_get(user, pk)
    p = request.POST
    action = p.get("action", "")
    done = ""
    try:
        if action == "accept":
            services.request_accept(
                user=user, request=req, urgency=p.get("urgency", ""), note=p.get("reason", "")
            )
            done = "已受理。"
        elif action == "reject":
            services.request_reject(user=user, request=req, reason=p.get("reason", ""))
            done = "已不予受理,并告知企业。"
        elif action == "transfer":
            services.request_transfer(user=user, request=req, destination=p.get("destination", ""))
            done = "已转办。"
        elif action == "assign":
            lead = Unit.objects.filter(pk=_int(p.get("lead_unit")) or 0).first()
            if lead is None:
                raise NotFound(code=RequestError.HANDLING_UNIT_MISSING)
            co = list(Unit.objects.filter(pk__in=[_int(x) for x in p.getlist("co_units") if _int(x)]))
            services.request_assign(user=user, request=req, lead_unit=lead, co_units=co)
            done = f"已分办至{lead.name}。"
        elif action == "sign":
            services.request_sign(user=user, request=req)
            done = "已签收。"
        elif action == "return":
            services.request_return(user=user, request=req, reason=p.get("reason", ""))
            done = "已退回营商办重新分办。"
        elif action == "note":
            services.request_note(user=user, request=req, text=p.get("text", ""))
            done = "已记录。"
        elif action == "pause":
            services.request_pause(user=user, request=req, reason=p.get("reason", ""))
            done = "已发起补正,计时暂停。"
        elif action == "resume":
            services.request_resume(user=user, request=req, text=p.get("text", ""), files=_files(request))
            done = "补正已提交,计时恢复。"
        elif action == "extension":
            services.extension_request(
                user=user, request=req, days=_int(p.get("days")) or 0, reason=p.get("reason", "")
            )
            done = "延期申请已提交营商办审批。"
        elif action in ("extension_approve", "extension_refuse"):
            ext = Extension.objects.filter(pk=_int(p.get("extension")) or 0, request=req).first()
            if ext is None:
                raise NotFound(code=RequestError.EXTENSION_NOT_FOUND)
            services.extension_decide(
                user=user, extension=ext, approve=action == "extension_approve", note=p.get("reason", "")
            )
            done = "已审批。"
        elif action == "reply":
            services.request_reply(user=user, request=req, text=p.get("text", ""), files=_files(request))
            done = "已答复企业。"
        elif action == "complete":
            services.request_complete(user=user, request=req, resolved=p.get("resolved") == "1")
            done = "已办结。"
        elif action == "revisit":
            services.request_revisit(
                user=user,
                request=req,
                satisfaction=p.get("satisfaction", ""),
                comment=p.get("comment", ""),
                by_call=p.get("by_call") == "1",
            )
            done = "评价已记录,感谢您的反馈。"
        elif action == "close":
            services.request_close(user=user, request=req, reason=p.get("reason", ""))
            done = "已归档。"
        elif action == "contact":
            name, phone = privacy.contact_reveal(user=user, request=req)
            done = f"联系人:{name},电话:{phone}(本次查看已留痕)"
        elif action in ("arrears_confirm", "arrears_pay", "arrears_settle"):
            claim = getattr(req, "arrears", None)
            if claim is None:
                raise NotFound(code=RequestError.ARREARS_NOT_FOUND)
            on = dt.date.fromisoformat(p.get("on") or timezone.localdate(timezone.now()).isoformat())
            if action == "arrears_confirm":
                arrears.arrears_confirm(user=user, claim=claim, amount=p.get("amount", ""), on=on)
            elif action == "arrears_pay":
                arrears.arrears_pay(
                    user=user, claim=claim, amount=p.get("amount", ""), on=on, note=p.get("note", "")
                )
            else:
                arrears.arrears_settle(user=user, claim=claim, note=p.get("note", ""), on=on)
            done = "已登记。"
        else:
            raise NotFound(code=RequestError.UNKNOWN_ACTION)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("requests:detail", req.pk)
    messages.success(request, done)
    return redirect("requests:detail", req.pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int, att: int) -> FileResponse:
    from luoshi.requests.services.files import attachment_path

    user = _user(request)
    req = selectors.request_get(user, pk)
    row = req.attachments.filter(pk=att).first()
    if row is None:
        raise NotFound(code=RequestError.ATTACHMENT_NOT_FOUND)
    return FileResponse(open(attachment_path(row), "rb"), as_attachment=True, filename=row.original_name)


@login_required
def limits(request: HttpRequest) -> HttpResponse:
    """办理时限 per class for the office's region (defaults 紧急3/平急5/疑难15 working days)."""
    user = _user(request)
    access.require_office(user, None, "设置办理时限")
    region = _home_region(user)
    if request.method == "POST":
        try:
            for value, _label in Urgency.choices:
                services.time_limit_set(
                    user=user,
                    region=region,
                    urgency=value,
                    days=_int(request.POST.get(f"days_{value}")) or 0,
                    signin_hours=_int(request.POST.get(f"hours_{value}")) or 0,
                )
            days = _int(request.POST.get("retention_days"))
            if days:
                privacy.retention_set(user=user, region=region, days=days)
            messages.success(request, "办理时限已保存。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("requests:limits")
    current = services.limits_for(region)
    from luoshi.requests.models import RetentionSetting

    retention = RetentionSetting.objects.filter(region=region).first()
    rows = [
        {
            "value": v,
            "label": label,
            "days": current[v][0],
            "hours": current[v][1],
            "own": TimeLimit.objects.filter(region=region, urgency=v).exists(),
        }
        for v, label in Urgency.choices
    ]
    return render(
        request,
        "requests/limits.html",
        {
            "title": "办理时限设置",
            "region": region,
            "rows": rows,
            "retention_days": retention.contact_retention_days
            if retention
            else privacy.DEFAULT_RETENTION_DAYS,
        },
    )


@login_required
@require_GET
def accountability(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_gov(user)
    page = Paginator(selectors.accountability_list(user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "requests/accountability.html",
        {
            "title": "问责清单",
            "page": page,
            "is_office": access.is_office(user),
            "notices": selectors.overdue_notices(user)[:20],
            "default_deadline": deadlines.add_workdays(calendar_for(_home_region(user)), timezone.localdate(), 3),
        },
    )


@login_required
@require_POST
def notice_issue(request: HttpRequest) -> HttpResponse:
    """下发督办单 for the overdue requests ticked on the accountability list (all of one unit)."""
    from luoshi.requests.services import notices

    user = _user(request)
    ids = [i for i in (_int(x) for x in request.POST.getlist("entries")) if i]
    entries = list(selectors.accountability_list(user).filter(pk__in=ids))
    units = {e.unit_id for e in entries}
    try:
        if len(units) > 1:
            raise DomainError(code=RequestError.NOTICE_UNITS_MIXED)
        try:
            deadline = dt.date.fromisoformat(request.POST.get("reply_deadline", ""))
        except ValueError:
            raise DomainError(code=RequestError.NOTICE_DUE_MISSING) from None
        unit = entries[0].unit if entries and entries[0].unit else None
        if unit is None:
            raise DomainError("请在问责清单中至少选择一项有责任单位的超时事项。", code=RequestError.NOTICE_ITEMS_MISSING)
        notice = notices.notice_issue(
            user=user,
            unit=unit,
            entries=entries,
            reply_deadline=deadline,
            requirement=request.POST.get("requirement", ""),
        )
        messages.success(request, f"已向{unit.name}下发督办单{notice.number}。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("requests:accountability")


@login_required
@require_GET
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from luoshi.requests.services import notices

    notice = selectors.overdue_notice_get(_user(request), pk)
    return file_response(
        notices.notice_docx(notice), notices.notice_filename(notice), DOCX, fallback=f"notice-{notice.pk}.docx"
    )


@login_required
def hotspot_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_gov(user)
    region = _home_region(user)
    period = request.POST.get("period") or _period(request)
    if request.method == "POST":
        ids = [i for i in (_int(x) for x in request.POST.get("ids", "").split(",")) if i]
        try:
            spot = hotspots.hotspot_to_task(
                user=user, region=region, period=period, request_ids=ids, label=request.POST.get("label", "")
            )
            messages.success(request, f"已转为督办任务:热点问题整改“{spot.label}”。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?period={period}")
    found = hotspots.clusters(user=user, region=region, period=period)
    return render(
        request,
        "requests/hotspots.html",
        {
            "title": "诉求热点",
            "clusters": found,
            "period": period,
            "is_office": access.is_office(user),
        },
    )


@login_required
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_gov(user)
    region = _home_region(user)
    period = _period(request)
    rows, total = metrics.unit_metrics(user=user, region=region, period=period)
    if request.GET.get("format") == "xlsx":
        return file_response(
            metrics.metrics_xlsx(rows, total, period),
            f"诉求办理指标-{period}.xlsx",
            XLSX,
            fallback=f"requests-metrics-{period}.xlsx",
        )
    return render(
        request,
        "requests/metrics.html",
        {
            "title": "诉求办理指标",
            "rows": rows,
            "total": total,
            "period": period,
            "columns": metrics.COLUMNS,
        },
    )


@login_required
@require_GET
def arrears_ledger(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_gov(user)
    debtor = request.GET.get("debtor", "")
    if request.GET.get("format") == "xlsx":
        name = f"拖欠企业账款台账-{debtor[:40]}.xlsx" if debtor else "拖欠企业账款台账.xlsx"
        return file_response(arrears.ledger_xlsx(user, debtor), name, XLSX, fallback="arrears-ledger.xlsx")
    return render(
        request,
        "requests/arrears.html",
        {
            "title": "拖欠账款台账",
            "debtors": list(arrears.ledger(user)),
            "claims": list(arrears.claims_of(user, debtor)),
            "debtor": debtor,
        },
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    from luoshi.requests.services.imports import import_12345

    user = _user(request)
    access.require_office(user, None, "导入 12345 工单")
    problems: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的文件。")
        else:
            try:
                result = import_12345(user=user, content=upload.read(), file_name=upload.name or "")
                messages.success(request, f"导入完成:新增 {result.created} 件,已存在 {result.existing} 件。")
                return redirect("requests:index")
            except DomainError as exc:
                messages.error(request, exc.message)
                problems = exc.details if isinstance(exc.details, list) else []
    return render(request, "requests/import.html", {"title": "导入12345工单", "problems": problems})


def register(request: HttpRequest) -> HttpResponse:
    """Self-registration of an enterprise (no sign-in): approved by the office before the account exists."""
    regions = list(Region.objects.order_by("path"))
    if request.method == "POST":
        p = request.POST
        region = Region.objects.filter(pk=_int(p.get("region")) or 0).first()
        try:
            if region is None:
                raise NotFound(code=RequestError.REGION_MISSING)
            enterprise_accounts.registration_submit(
                region=region,
                enterprise_name=p.get("enterprise_name", ""),
                credit_code=p.get("credit_code", ""),
                contact_name=p.get("contact_name", ""),
                contact_phone=p.get("contact_phone", ""),
                username=p.get("username", ""),
                password=p.get("password", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return render(
                request,
                "requests/register.html",
                {"title": "企业注册", "regions": regions, "v": p},
                status=exc.status,
            )
        return render(request, "requests/register_done.html", {"title": "注册申请已提交"})
    return render(request, "requests/register.html", {"title": "企业注册", "regions": regions, "v": {}})


@login_required
def registrations(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_office(user, None, "审核企业注册")
    if request.method == "POST":
        reg = EnterpriseRegistration.objects.filter(pk=_int(request.POST.get("registration")) or 0).first()
        try:
            if reg is None:
                raise NotFound(code=RequestError.REGISTRATION_NOT_FOUND)
            enterprise_accounts.registration_decide(
                user=user,
                registration=reg,
                approve=request.POST.get("action") == "approve",
                note=request.POST.get("note", ""),
            )
            messages.success(request, "已审核。")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("requests:registrations")
    region = _home_region(user)
    rows = EnterpriseRegistration.objects.filter(
        region_id__in=access.subtree_ids(region), status=RegistrationStatus.PENDING
    ).order_by("submitted_at")
    return render(request, "requests/registrations.html", {"title": "企业注册审核", "rows": rows})
