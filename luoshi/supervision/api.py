"""JSON API of supervision (mounted at /api/supervision/): the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from luoshi.accounts.models import User
from luoshi.core.bounds import Day, Id, Number, Page, PageSize, Percent, Version
from luoshi.core.errors import NotFound
from luoshi.supervision import selectors, services
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.models import Task

router = Router(tags=["supervision"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class TaskOut(Schema):
    id: int
    plan_id: int
    seq: int
    title: str
    lead_units: str
    deadline: dt.date | None
    ongoing: bool
    reporting_cycle: str
    status: str
    status_label: str
    percent: float
    colour: str
    colour_reason: str
    overdue: bool
    missed_count: int
    returns_count: int
    version: int


def _task_out(t: Task) -> TaskOut:
    return TaskOut(
        id=t.pk,
        plan_id=t.plan_id,
        seq=t.seq,
        title=t.title,
        lead_units=t.lead_units_text,
        deadline=t.deadline,
        ongoing=t.ongoing,
        reporting_cycle=t.reporting_cycle,
        status=t.status,
        status_label=t.get_status_display(),
        percent=t.percent,
        colour=t.colour,
        colour_reason=t.colour_reason,
        overdue=t.is_overdue(),
        missed_count=t.missed_count,
        returns_count=t.returns_count,
        version=t.version,
    )


class TaskPage(Schema):
    count: int
    page: int
    items: list[TaskOut]


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit: str
    is_lead: bool
    weight: float
    percent: float
    active: bool


class ReportOut(Schema):
    id: int
    assignment_id: int
    unit: str
    period_start: dt.date
    period_end: dt.date
    percent: float
    narrative: str
    actuals: list[dict[str, Any]]
    problems: str
    late: bool
    version: int
    attachments: list[dict[str, Any]]


class TaskDetailOut(Schema):
    task: TaskOut
    text: str
    targets: list[dict[str, Any]]
    assignments: list[AssignmentOut]
    reports: list[ReportOut]
    allowed_actions: list[str]  # what the caller may do now (the task page's buttons): task.report, task.sign_off …


@router.get("/tasks", response=TaskPage, summary="任务台账(按权限过滤)")
def list_tasks(
    request: HttpRequest,
    plan: Id | None = None,
    unit: Id | None = None,
    status: str = "",
    colour: str = "",
    q: str = "",
    page: Page = 1,
    page_size: PageSize = 50,
) -> TaskPage:
    qs = selectors.task_ledger(_user(request), selectors.LedgerFilters(plan, unit, status, colour, q))
    page_size = max(1, min(page_size, 200))
    page = max(page, 1)
    items = list(qs[(page - 1) * page_size : page * page_size])
    return TaskPage(count=qs.count(), page=page, items=[_task_out(t) for t in items])


def _report_out(r: Any) -> ReportOut:
    return ReportOut(
        id=r.pk,
        assignment_id=r.assignment_id,
        unit=r.unit.name,
        period_start=r.period_start,
        period_end=r.period_end,
        percent=r.percent,
        narrative=r.narrative,
        actuals=r.actuals,
        problems=r.problems,
        late=r.late,
        version=r.version,
        attachments=[
            {
                "id": a.pk,
                "name": a.original_name,
                "size": a.size,
                "content_type": a.content_type,
                "url": f"/supervision/attachments/{a.pk}/",
            }
            for a in r.attachments.all()
        ],
    )


@router.get("/tasks/{task_id}", response=TaskDetailOut, summary="任务详情")
def task_detail(request: HttpRequest, task_id: Id) -> TaskDetailOut:
    d = selectors.task_detail(_user(request), task_id)
    return TaskDetailOut(
        task=_task_out(d.task),
        text=d.task.text,
        targets=d.targets,
        assignments=[
            AssignmentOut(
                id=a.pk,
                unit_id=a.unit_id,
                unit=a.unit.name,
                is_lead=a.is_lead,
                weight=a.weight,
                percent=a.percent,
                active=a.active,
            )
            for a in d.assignments
        ],
        reports=[_report_out(r) for r in d.reports],
        allowed_actions=sorted(d.actions),
    )


class TransitionIn(Schema):
    to: str
    version: Version
    reason: str = ""
    evidence: str = ""


@router.post(
    "/tasks/{task_id}/transition", response=TaskOut, summary="变更任务状态(启动、申请销号、销号、退回、撤销)"
)
def transition(request: HttpRequest, task_id: Id, body: TransitionIn) -> TaskOut:
    task = selectors.task_get(_user(request), task_id)
    task = services.task_transition(
        task=task,
        to=body.to,
        user=_user(request),
        reason=body.reason,
        evidence=body.evidence,
        expected_version=body.version,
    )
    return _task_out(task)


class ReportIn(Schema):
    assignment_id: Id
    period_start: Day
    narrative: str
    percent: Percent
    actuals: dict[str, Number | str] = {}
    problems: str = ""
    version: Version | None = None  # required when revising the period's report (the service checks)


@router.post("/tasks/{task_id}/reports", response=ReportOut, summary="报送进展(JSON,无附件)")
def file_report(request: HttpRequest, task_id: Id, body: ReportIn) -> ReportOut:
    report = services.report_file_for(
        task_id=task_id,
        assignment_id=body.assignment_id,
        user=_user(request),
        period_start=body.period_start,
        narrative=body.narrative,
        percent=body.percent,
        actuals=body.actuals,
        problems=body.problems,
        expected_version=body.version,
    )
    return _report_out(report)


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str


@router.post("/reports/{report_id}/attachments", response=AttachmentOut, summary="为进展上传佐证材料")
def upload_attachment(
    request: HttpRequest, report_id: Id, file: File[UploadedFile], note: Form[str] = ""
) -> AttachmentOut:
    from luoshi.supervision.models import ProgressReport

    report = ProgressReport.objects.select_related("assignment", "task__region").filter(pk=report_id).first()
    if report is None:
        raise NotFound(code=SupervisionError.REPORT_NOT_FOUND)
    row = services.store_attachment(report=report, name=file.name or "", stream=file, user=_user(request))
    return AttachmentOut(id=row.pk, name=row.original_name, size=row.size, content_type=row.content_type)


class SweepOut(Schema):
    date: str | None
    runs: int
    finished_at: str | None
    counts: dict[str, Any]


@router.get("/sweep", response=SweepOut, summary="最近一次预警扫描")
def sweep_status(request: HttpRequest) -> SweepOut:
    from luoshi.accounts.access import require_role
    from luoshi.accounts.models import Role

    require_role(_user(request), Role.ADMIN, Role.LEADER, Role.STAFF, action="查看预警扫描情况")
    return SweepOut(**selectors.sweep_status())


class ScoreOut(Schema):
    unit_id: int
    unit: str
    held: int
    due: int
    done_on_time: int
    overdue: int
    reports_expected: int
    reports_on_time: int
    returns: int
    score: float


@router.get("/scoreboard", response=list[ScoreOut], summary="单位排名(按月)")
def scoreboard(request: HttpRequest, period: str, plan: Id | None = None) -> list[ScoreOut]:
    scores = selectors.scoreboard(_user(request), selectors.parse_period(period), plan)
    return [
        ScoreOut(
            unit_id=s.unit_id,
            unit=s.unit,
            held=s.held,
            due=s.due,
            done_on_time=s.done_on_time,
            overdue=s.overdue,
            reports_expected=s.reports_expected,
            reports_on_time=s.reports_on_time,
            returns=s.returns,
            score=s.score,
        )
        for s in scores
    ]
