"""Pages of supervision. Thin: parse the request, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from luoshi.accounts.access import is_government, is_leader, is_reader, subtree_q
from luoshi.accounts.models import User
from luoshi.core.bounds import parse_date, parse_key
from luoshi.core.downloads import DOCX, XLSX, file_response
from luoshi.core.errors import AccessDenied, DomainError, NotFound
from luoshi.orgs.models import Unit
from luoshi.plans.models import Plan
from luoshi.supervision import selectors, services
from luoshi.supervision.access import HANDLING_ACTIONS, is_office, notice_allowed_actions
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.models import Colour, TaskStatus
from luoshi.supervision.services import assignments, escalation, exports
from luoshi.supervision.services.notices import escalation_docx, notice_items
from luoshi.supervision.services.reports import attachment_path


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


_int = parse_key  # bounded: an overflowing id or version is None (404 / 400), never a 500


def _date(value: Any) -> dt.date | None:
    try:
        return parse_date(value)
    except DomainError:
        return None


def _domain_error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "supervision/error.html", {"title": "无法完成", "error": exc}, status=exc.status)


LEDGER_COUNT_CAP = 5000


class CappedPaginator(Paginator):
    """Counts at most LEDGER_COUNT_CAP + 1 rows (`SELECT COUNT(*) FROM (... LIMIT 5001)`), not every visible task:
    the exact COUNT over a city's 100k tasks was the slowest statement of the ledger. Beyond the cap the page shows
    "5000+" and offers the first 100 pages; filters narrow the list to an exact count."""

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # a QuerySet (the ledger)
        n = rows.order_by().values("pk")[: LEDGER_COUNT_CAP + 1].count()
        self.capped = n > LEDGER_COUNT_CAP
        return min(n, LEDGER_COUNT_CAP)

    capped = False


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The ledger (任务台账): filters, colours, search, pagination."""
    user = _user(request)
    f = selectors.LedgerFilters(
        plan=_int(request.GET.get("plan")),
        unit=_int(request.GET.get("unit")),
        status=request.GET.get("status", ""),
        colour=request.GET.get("colour", ""),
        q=request.GET.get("q", "").strip(),
        unassigned=request.GET.get("unassigned") == "1",
    )
    if not is_government(user):
        return _domain_error_page(request, AccessDenied("督查督办仅对政府工作人员开放。"))
    page = CappedPaginator(selectors.task_ledger(user, f), 50).get_page(request.GET.get("page"))
    plans = selectors.ledger_plans(user)
    units = selectors.ledger_units(user)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "title": "任务台账",
        "page": page,
        "filters": f,
        "plans": plans,
        "units": units,
        "statuses": [*TaskStatus.choices, ("overdue", "逾期")],
        "colours": Colour.choices()[1:],
        "query": query.urlencode(),
        "is_office": is_office(user),
    }
    template = (
        "supervision/_ledger_rows.html" if getattr(request, "htmx", False) else "supervision/ledger.html"
    )
    return render(request, template, ctx)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_page(request, pk)


def _task_page(
    request: HttpRequest, pk: int, *, report_form: dict[str, Any] | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    """The task page. Its buttons are `d.actions` (access.allowed_actions); a refused report comes back with what
    was typed (`report_form`) and the reason (`error`)."""
    try:
        detail = selectors.task_detail(_user(request), pk)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    user = _user(request)
    units = [a.unit for a in detail.assignments if a.active]
    return render(
        request,
        "supervision/task_detail.html",
        {
            "title": detail.task.title[:40],
            "d": detail,
            "t": detail.task,
            "actions": detail.actions,
            "handling": bool(detail.actions & HANDLING_ACTIONS),
            "units": units,
            "today": timezone.localdate(),
            "default_reply": timezone.localdate() + dt.timedelta(days=7),
            "unit_choices": Unit.objects.filter(
                subtree_q(user.region if user.region else detail.task.region), is_active=True
            ).order_by("region__path", "name")
            if "task.assign" in detail.actions
            else [],
            "lead_ids": {a.unit_id for a in detail.assignments if a.active and a.is_lead},
            "co_ids": {a.unit_id for a in detail.assignments if a.active and not a.is_lead},
            "report_form": report_form,
            "report_error": error,
        },
        status=status,
    )


def _back_to_task_on_get(view: Any) -> Any:
    """POST-only task forms: a GET (e.g. the login page sending the user back after their session expired) lands on
    the task page (where the browser's draft of the form is restored), never on a bare 405."""

    def wrapped(request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return redirect("supervision:task_detail", pk=pk)
        return cast(HttpResponse, view(request, pk))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _draft_done(key: str) -> str:
    """Extra tag of a success message: the form's browser draft (static/luoshi/drafts.js) is cleared."""
    return f"draft-done-{key}"


_ACTION_DONE = {
    "start": "已启动任务“{title}”。",
    "request": "已提交“{title}”的销号申请,等待营商办审核。",
    "sign_off": "已同意“{title}”销号。",
    "return": "已退回“{title}”的销号申请,并通知责任单位。",
    "resume": "“{title}”已恢复推进。",
    "cancel": "已撤销任务“{title}”。",
}


@_back_to_task_on_get
@login_required
def task_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = request.POST.get("action", "")
    version = _int(request.POST.get("version"))
    try:
        task = selectors.task_get(user, pk)
        kw: dict[str, Any] = {"task": task, "user": user, "expected_version": version}
        if action == "start":
            services.task_start(**kw)
        elif action == "request":
            services.task_request_sign_off(evidence=request.POST.get("evidence", ""), **kw)
        elif action == "sign_off":
            services.task_sign_off(reason=request.POST.get("reason", ""), **kw)
        elif action == "return":
            services.task_return(reason=request.POST.get("reason", ""), **kw)
        elif action == "resume":
            services.task_transition(to=TaskStatus.IN_PROGRESS, **kw)
        elif action == "cancel":
            services.task_cancel(reason=request.POST.get("reason", ""), **kw)
        else:
            raise NotFound(code=SupervisionError.UNKNOWN_ACTION)
        draft = {"request": "request", "sign_off": "review", "return": "review", "cancel": "cancel"}.get(action, action)
        messages.success(
            request,
            _ACTION_DONE[action].format(title=task.title[:30]),
            extra_tags=_draft_done(f"{draft}-{pk}"),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound | AccessDenied):
            return _domain_error_page(request, exc)
        messages.error(request, exc.message)
    return redirect("supervision:task_detail", pk=pk)


@_back_to_task_on_get
@login_required
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit files its report for one period of task `pk`, with attachments."""
    user = _user(request)
    try:
        detail_task = selectors.task_get(user, pk)
        assignment = selectors.assignment_get_for_filing(user, _int(request.POST.get("assignment")) or 0)
        if assignment.task_id != detail_task.pk:
            raise NotFound(code=SupervisionError.ASSIGNMENT_NOT_FOUND)
        period_start = _date(request.POST.get("period_start"))
        if period_start is None:
            raise DomainError(code=SupervisionError.PERIOD_MISSING)
        actuals = {
            str(t.get("metric")): request.POST.get(f"actual_{i}", "")
            for i, t in enumerate(detail_task.targets)
        }
        files = [(f.name or "", f) for f in request.FILES.getlist("files")]
        report = services.report_file(
            assignment=assignment,
            user=user,
            period_start=period_start,
            narrative=request.POST.get("narrative", ""),
            percent=request.POST.get("percent"),  # type: ignore[arg-type]  # validated by the service
            actuals=actuals,
            problems=request.POST.get("problems", ""),
            files=files,
            expected_version=_int(request.POST.get("report_version")),
        )
        version = f"(第{report.version}版,之前的版本已保留)" if report.version > 1 else ""
        messages.success(
            request,
            f"已报送{assignment.unit.name}“{detail_task.title[:30]}”"
            f"{report.period_start:%Y-%m-%d}起一期的进展{version},完成进度{report.percent:.0f}%。",
            extra_tags=_draft_done(f"report-{pk}"),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound | AccessDenied):
            return _domain_error_page(request, exc)
        # refused (a bad attachment, a figure out of range, someone saved first): the form comes back as typed;
        # files are never kept by a browser, so the page says to choose them again
        typed = {
            "period_start": request.POST.get("period_start", ""),
            "percent": request.POST.get("percent", ""),
            "narrative": request.POST.get("narrative", ""),
            "problems": request.POST.get("problems", ""),
            "actuals": [request.POST.get(f"actual_{i}", "") for i in range(len(detail_task.targets))]
            if "detail_task" in locals()
            else [],
            "had_files": bool(request.FILES.getlist("files")),
        }
        return _task_page(request, pk, report_form=typed, error=exc.message, status=exc.status)
    return redirect("supervision:task_detail", pk=pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        row = selectors.attachment_get(_user(request), pk)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    path = attachment_path(row)
    if not path.exists():
        return _domain_error_page(request, NotFound("附件文件已丢失,请联系管理员。"))
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        as_attachment=True,
        filename=row.original_name,
        content_type=row.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _my_tasks_context(request: HttpRequest, user: User) -> dict[str, Any]:
    """我的任务: one page of 50 rows of the unit's open assignments (the ledger's paginator and pager)."""
    pending = request.GET.get("pending") == "1"
    page = CappedPaginator(selectors.my_task_rows(user, pending=pending), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "title": "我的任务",
        "page": page,
        "items": selectors.due_items(list(page.object_list)),
        "pending": pending,
        "query": query.urlencode(),
    }


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        ctx = _my_tasks_context(request, user)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    ctx["notices"] = selectors.notices_for(user).filter(status="issued")
    return render(request, "supervision/my_tasks.html", ctx)


@login_required
@require_GET
def workbook_export(request: HttpRequest) -> HttpResponse:
    try:
        data = exports.unit_workbook(_user(request))
    except DomainError as exc:
        return _domain_error_page(request, exc)
    today = f"{timezone.localdate():%Y%m%d}"
    return file_response(data, f"任务进展填报表-{today}.xlsx", XLSX, fallback=f"progress-{today}.xlsx")


@login_required
@require_POST
def workbook_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要导入的填报表。")
        return redirect("supervision:my_tasks")
    try:
        reports = exports.unit_workbook_import(user=_user(request), stream=upload)
        messages.success(request, f"已导入 {len(reports)} 条进展。")
    except DomainError as exc:
        if isinstance(exc, AccessDenied):
            return _domain_error_page(request, exc)
        return render(
            request,
            "supervision/my_tasks.html",
            {**_my_tasks_context(request, _user(request)), "import_error": exc, "notices": []},
            status=400,
        )
    return redirect("supervision:my_tasks")


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Leaders' read-only overview (also useful to the office)."""
    user = _user(request)
    if not is_reader(user):
        return _domain_error_page(request, AccessDenied("总览仅供领导和营商办查看。"))
    tasks = selectors.visible_tasks(user)
    return render(
        request,
        "supervision/overview.html",
        {
            "title": "督办总览",
            "counts": selectors.colour_counts(user),
            "recent": tasks.filter(status=TaskStatus.SIGNED_OFF)
            .order_by("-signed_off_at")
            .select_related("plan")[:10],
            "recent_total": tasks.filter(status=TaskStatus.SIGNED_OFF).count(),
            "sweep": selectors.sweep_status(),
            "s": selectors.leader_screen(user),
            "is_leader": is_leader(user),
        },
    )


@login_required
def scoreboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    period_text = request.GET.get("period") or f"{timezone.localdate():%Y-%m}"
    try:
        period = selectors.parse_period(period_text)
        plan_id = _int(request.GET.get("plan"))
        scores = selectors.scoreboard(user, period, plan_id)
        trend = selectors.trend(user, period, plan_id=plan_id)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    top, bottom = selectors.top_bottom(scores)
    return render(
        request,
        "supervision/scoreboard.html",
        {
            "title": "单位排名",
            "scores": scores,
            "top": top,
            "bottom": bottom,
            "period": period_text,
            "formula": selectors.SCORE_FORMULA,
            "trend": trend,
        },
    )


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notices_for(_user(request)), 30).get_page(request.GET.get("page"))
    return render(request, "supervision/notices.html", {"title": "督办单", "page": page})


@_back_to_task_on_get
@login_required
def notice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        task = selectors.task_get(user, pk)
        unit = Unit.objects.filter(pk=_int(request.POST.get("unit")) or 0).first()
        if unit is None:
            raise NotFound(code=SupervisionError.NOTICE_UNIT_MISSING)
        deadline = _date(request.POST.get("reply_deadline"))
        if deadline is None:
            raise DomainError(code=SupervisionError.NOTICE_DUE_MISSING)
        notice = services.notice_issue(
            user=user,
            unit=unit,
            tasks=[task],
            reply_deadline=deadline,
            requirement=request.POST.get("requirement", ""),
        )
        messages.success(
            request, f"已向{unit.name}发出督办单 {notice.number}", extra_tags=_draft_done(f"notice-{pk}")
        )
        return redirect("supervision:notice_detail", pk=notice.pk)
    except DomainError as exc:
        if isinstance(exc, AccessDenied):
            return _domain_error_page(request, exc)
        messages.error(request, exc.message)
    return redirect("supervision:task_detail", pk=pk)


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        notice = selectors.notice_get(user, pk)
        if request.method == "POST":
            if request.POST.get("action") == "answer":
                services.notice_answer(user=user, notice=notice, answer=request.POST.get("answer", ""))
            elif request.POST.get("action") == "close":
                services.notice_close(user=user, notice=notice, reason=request.POST.get("reason", ""))
            if request.POST.get("action") == "answer":
                done = f"已回复督办单 {notice.number},等待营商办办结。"
            else:
                done = f"督办单 {notice.number}({notice.unit.name})已办结。"
            messages.success(request, done, extra_tags=_draft_done(f"answer-{pk}"))
            return redirect("supervision:notice_detail", pk=pk)
    except DomainError as exc:
        if isinstance(exc, NotFound | AccessDenied):
            return _domain_error_page(request, exc)
        messages.error(request, exc.message)
        return redirect("supervision:notice_detail", pk=pk)
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "title": notice.number,
            "n": notice,
            "items": notice_items(notice, timezone.localdate()),
            "today": timezone.localdate(),
            "actions": notice_allowed_actions(user, notice),
        },
    )


@login_required
@require_GET
def notice_docx(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notice = selectors.notice_get(_user(request), pk)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    if request.GET.get("kind") == "escalation":
        return file_response(
            escalation_docx(notice),
            f"{notice.number}通报.docx",
            DOCX,
            fallback=f"escalation-{notice.pk}.docx",
        )
    return file_response(
        services.notice_docx(notice), f"{notice.number}.docx", DOCX, fallback=f"notice-{notice.pk}.docx"
    )


@login_required
@require_GET
def dispatch_report(request: HttpRequest) -> HttpResponse:
    """调度通报: the page with the period picker, and the .docx/.xlsx downloads."""
    user = _user(request)
    fmt = request.GET.get("format", "")
    period_text = request.GET.get("period") or f"{timezone.localdate():%Y-%m}"
    plan_id = _int(request.GET.get("plan"))
    try:
        period = selectors.parse_period(period_text)
        if fmt == "docx":
            data = selectors.dispatch_data(user, period, plan_id)
            return file_response(
                exports.dispatch_docx(data),
                f"{data.title}.docx",
                DOCX,
                fallback=f"dispatch-{period_text}.docx",
            )
        if fmt == "xlsx":
            selectors.scoreboard(user, period, plan_id)  # same permission as the report
            return file_response(
                exports.ledger_xlsx(selectors.ledger_for_export(user, plan_id)),
                f"督办任务台账({period.start.year}年{period.start.month}月).xlsx",
                XLSX,
                fallback=f"ledger-{period_text}.xlsx",
            )
        data = selectors.dispatch_data(user, period, plan_id, list_limit=50)
    except DomainError as exc:
        return _domain_error_page(request, exc)
    plans = Plan.objects.filter(pk__in=selectors.visible_tasks(user).values("plan_id")).only("id", "title")
    return render(
        request,
        "supervision/dispatch.html",
        {"title": "调度通报", "d": data, "period": period_text, "plan_id": plan_id, "plans": plans},
    )


# --- dead tasks, escalation, leaders ------------------------------------------------------------------------------
@_back_to_task_on_get
@login_required
def task_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """The office assigns (or reassigns) a published task's lead and co-units."""
    user = _user(request)
    try:
        task = selectors.task_get(user, pk)
        leads = [v for v in (_int(x) for x in request.POST.getlist("lead")) if v]
        cos = [v for v in (_int(x) for x in request.POST.getlist("co")) if v]
        updated = assignments.task_assign_units(
            task=task,
            user=user,
            lead_unit_ids=leads,
            co_unit_ids=cos,
            expected_version=_int(request.POST.get("version")),
            reason=request.POST.get("reason", ""),
        )
        who = updated.lead_units_text + (
            f",配合单位 {updated.co_units_text}" if updated.co_units_text else ""
        )
        messages.success(request, f"已指定“{updated.title[:30]}”的牵头单位 {who},并通知新增单位。")
    except DomainError as exc:
        if isinstance(exc, NotFound | AccessDenied):
            return _domain_error_page(request, exc)
        messages.error(request, exc.message)
    return redirect("supervision:task_detail", pk=pk)


@_back_to_task_on_get
@login_required
def task_instruct(request: HttpRequest, pk: int) -> HttpResponse:
    """领导批示 on a task."""
    user = _user(request)
    try:
        task = selectors.task_get(user, pk)
        escalation.instruction_add(task=task, user=user, text=request.POST.get("text", ""))
        messages.success(
            request,
            f"已对“{task.title[:30]}”作出批示,并发送给责任单位。",
            extra_tags=_draft_done(f"instruct-{pk}"),
        )
    except DomainError as exc:
        if isinstance(exc, NotFound | AccessDenied):
            return _domain_error_page(request, exc)
        messages.error(request, exc.message)
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("supervision:task_detail", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposals(request: HttpRequest) -> HttpResponse:
    """建议督办: the tasks the plans' rules propose, by unit; the office issues each in one click."""
    user = _user(request)
    if not is_office(user):
        return _domain_error_page(request, AccessDenied("只有营商办管理员可以确认督办。"))
    if request.method == "POST":
        try:
            unit = Unit.objects.filter(pk=_int(request.POST.get("unit")) or 0).first()
            if unit is None:
                raise NotFound(code=SupervisionError.NOTICE_UNIT_MISSING)
            notice = escalation.notice_issue_proposed(
                user=user,
                unit=unit,
                task_ids=[v for v in (_int(x) for x in request.POST.getlist("task")) if v],
            )
            messages.success(request, f"已向{unit.name}发出督办单 {notice.number}")
            return redirect("supervision:notice_detail", pk=notice.pk)
        except DomainError as exc:
            if isinstance(exc, AccessDenied):
                return _domain_error_page(request, exc)
            messages.error(request, exc.message)
    return render(
        request,
        "supervision/proposals.html",
        {
            "title": "建议督办",
            "proposals": escalation.notice_proposals(user),
            "unassigned": selectors.unassigned_tasks(user)[:50],
            "unassigned_total": selectors.unassigned_tasks(user).count(),
            "plans": selectors.ledger_plans(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_rules(request: HttpRequest, plan_id: int) -> HttpResponse:
    """预警阈值与督办规则 of one plan (office only)."""
    from luoshi.supervision.services.common import plan_thresholds

    user = _user(request)
    if not is_office(user):
        return _domain_error_page(request, AccessDenied("只有营商办管理员可以设置预警阈值与督办规则。"))
    plan = Plan.objects.filter(pk=plan_id, pk__in=selectors.visible_tasks(user).values("plan_id")).first()
    if plan is None:
        return _domain_error_page(request, NotFound("未找到该方案,或您无权设置。"))
    error: DomainError | None = None
    if request.method == "POST":
        changes: dict[str, Any] = {k: request.POST.get(k, "") for k in escalation.RULE_FIELDS}
        changes["lag_tolerance"] = request.POST.get("lag_tolerance", "0")
        changes["require_second_signoff"] = request.POST.get("require_second_signoff") == "1"
        try:
            escalation.thresholds_update(
                plan_id=plan.pk, user=user, version=_int(request.POST.get("version")) or 0, changes=changes
            )
            messages.success(request, f"已保存《{plan.title[:30]}》的预警阈值与督办规则,下次预警扫描起生效。")
            return redirect("supervision:plan_rules", plan_id=plan.pk)
        except DomainError as exc:
            if isinstance(exc, AccessDenied):
                return _domain_error_page(request, exc)
            error = exc
    row = plan_thresholds(plan.pk)
    fields = [(k, label, lo, hi, getattr(row, k)) for k, (label, lo, hi) in escalation.RULE_FIELDS.items()]
    return render(
        request,
        "supervision/plan_rules.html",
        {
            "title": f"预警与督办规则 · {plan.title[:30]}",
            "plan": plan,
            "row": row,
            "fields": fields,
            "error": error,
        },
        status=400 if error else 200,
    )
