"""JSON API of the plans domain, mounted at /api/plans/. Same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from luoshi.core.bounds import Day, Id, Limit, Offset, Version, Year
from luoshi.core.downloads import XLSX, file_response
from luoshi.core.errors import ImportFailed, NotFound
from luoshi.orgs.models import Region
from luoshi.plans import selectors, services
from luoshi.plans.errors import PlanError
from luoshi.plans.models import ImportStatus, Measure, Plan

router = Router(tags=["plans"])


class UnitLinkOut(Schema):
    name: str
    role: str
    status: str
    unit: int | None = None
    unit_name: str = ""
    candidates: list[dict[str, Any]] = []


class MeasureOut(Schema):
    id: int
    seq: int
    path: list[str]
    title: str
    text: str
    lead_units: list[str]
    co_units: list[str]
    unit_links: list[UnitLinkOut]
    unresolved_units: list[str]
    suggested_units: list[dict[str, Any]]
    deadline: dt.date | None
    deadline_phrase: str
    ongoing: bool
    targets: list[dict[str, Any]]
    span: list[int] | None
    version: int


class PlanOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    region: str
    region_code: str
    year: int | None
    issuer: str
    issued_on: dt.date | None
    revision: int
    previous: int | None
    measure_count: int
    created_at: dt.datetime
    published_at: dt.datetime | None
    version: int


class PlanDetailOut(PlanOut):
    summary: dict[str, Any]
    measures: list[MeasureOut]


class ImportOut(Schema):
    id: int
    status: str
    progress: int
    stage: str
    error: str
    plan: int | None


class MeasureIn(Schema):
    version: Version
    title: str | None = None
    text: str | None = None
    lead_units: list[str] | None = None
    co_units: list[str] | None = None
    deadline: Day | None = None
    clear_deadline: bool = False
    deadline_phrase: str | None = None
    ongoing: bool | None = None
    targets: list[dict[str, Any]] | None = None


class PublishIn(Schema):
    version: Version
    confirm_unassigned: bool = False  # publish although some measures name no responsible unit


class DiffOut(Schema):
    kind: str
    old_seq: int | None
    new_seq: int | None
    similarity: float
    text: str
    changes: list[dict[str, Any]]


def _measure_out(m: Measure) -> MeasureOut:
    return MeasureOut(
        id=m.pk,
        seq=m.seq,
        path=list(m.path or []),
        title=m.title,
        text=m.text,
        lead_units=list(m.lead_units_text or []),
        co_units=list(m.co_units_text or []),
        unit_links=[UnitLinkOut(**{k: v for k, v in link.items() if k != "picked"}) for link in m.unit_links],
        unresolved_units=list(m.unresolved_units or []),
        suggested_units=list(m.suggested_units or []),
        deadline=m.deadline,
        deadline_phrase=m.deadline_phrase,
        ongoing=m.ongoing,
        targets=list(m.targets or []),
        span=[m.span_start, m.span_end] if m.span_start is not None and m.span_end is not None else None,
        version=m.version,
    )


def _plan_out(p: Plan, measure_count: int | None = None) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "kind": p.kind,
        "status": p.status,
        "region": p.region.name,
        "region_code": p.region.code,
        "year": p.year,
        "issuer": p.issuer,
        "issued_on": p.issued_on,
        "revision": p.revision,
        "previous": p.previous_id,
        "measure_count": measure_count
        if measure_count is not None
        else getattr(p, "measure_count", None) or p.measures.count(),
        "created_at": p.created_at,
        "published_at": p.published_at,
        "version": p.version,
    }


@router.get("", response=list[PlanOut], summary="方案列表")
def plan_list(request: HttpRequest, status: str | None = None, limit: Limit = 50, offset: Offset = 0) -> list[Any]:
    qs = selectors.plans_for(request.user)  # type: ignore[arg-type]
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 200))
    return [PlanOut(**_plan_out(p)) for p in qs[offset : offset + limit]]


@router.get("/{int:plan_id}", response=PlanDetailOut, summary="方案详情(含举措)")
def plan_detail(request: HttpRequest, plan_id: Id) -> Any:
    user: Any = request.user
    plan = selectors.plan_get(user, plan_id)
    measures = [_measure_out(m) for m in selectors.measures_of(user, plan)]
    return PlanDetailOut(**_plan_out(plan, len(measures)), summary=plan.summary or {}, measures=measures)


@router.get("/{int:plan_id}/measures", response=list[MeasureOut], summary="方案的举措")
def plan_measures(request: HttpRequest, plan_id: Id) -> list[MeasureOut]:
    user: Any = request.user
    plan = selectors.plan_get(user, plan_id)
    return [_measure_out(m) for m in selectors.measures_of(user, plan)]


@router.get("/{int:plan_id}/diff", response=list[DiffOut], summary="与上一版的逐条对比")
def plan_diff(request: HttpRequest, plan_id: Id) -> list[DiffOut]:
    user: Any = request.user
    plan = selectors.plan_get(user, plan_id)
    out = []
    for d in selectors.plan_diff(user, plan):
        shown = d.new or d.old
        out.append(
            DiffOut(
                kind=d.kind.value,
                old_seq=d.old.seq if d.old else None,
                new_seq=d.new.seq if d.new else None,
                similarity=round(d.similarity, 3),
                text=shown.text if shown else "",
                changes=[
                    {"field": c.field, "label": c.label, "before": c.before, "after": c.after}
                    for c in d.changes
                ],
            )
        )
    return out


@router.post("/import", response={201: ImportOut}, summary="导入方案文件(multipart)")
def plan_import(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008
    region: str = Form(...),
    year: Year | None = Form(None),  # noqa: B008
    previous: Id | None = Form(None),  # noqa: B008
) -> Status[ImportOut]:
    """Upload a document (or a ledger .xlsx) for region `region` (its code). Small files are parsed at once
    (a file that cannot be read answers 400 import_failed); large ones in the background — poll
    GET /imports/{id}."""
    user: Any = request.user
    target = Region.objects.filter(code=region).first()
    if target is None:
        raise NotFound(f"没有代码为“{region}”的区域,请检查区域代码。", code=PlanError.REGION_NOT_FOUND)
    prev = selectors.plan_get(user, previous) if previous else None
    imp = services.plan_import_start(file, region=target, actor=user, year=year, previous=prev)
    if imp.status == ImportStatus.FAILED:
        raise ImportFailed(imp.error, details=imp.error_details or None, code=PlanError.IMPORT_FAILED)
    return Status(
        201,
        ImportOut(
            id=imp.pk,
            status=imp.status,
            progress=imp.progress,
            stage=imp.stage,
            error=imp.error,
            plan=imp.plan_id,
        ),
    )


@router.get("/imports/{int:import_id}", response=ImportOut, summary="导入进度")
def import_status(request: HttpRequest, import_id: Id) -> ImportOut:
    imp = selectors.import_get(request.user, import_id)  # type: ignore[arg-type]
    return ImportOut(
        id=imp.pk,
        status=imp.status,
        progress=imp.progress,
        stage=imp.stage,
        error=imp.error,
        plan=imp.plan_id,
    )


@router.patch("/measures/{int:measure_id}", response=MeasureOut, summary="修改举措(带版本号)")
def measure_patch(request: HttpRequest, measure_id: Id, payload: MeasureIn) -> MeasureOut:
    user: Any = request.user
    measure = selectors.measure_get(user, measure_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, Any] = {}
    for key in ("title", "text", "deadline_phrase", "ongoing", "targets"):
        if key in data and data[key] is not None:
            changes[key] = data[key]
    if data.get("lead_units") is not None:
        changes["lead_units_text"] = data["lead_units"]
    if data.get("co_units") is not None:
        changes["co_units_text"] = data["co_units"]
    if data.get("deadline") is not None or data.get("clear_deadline"):
        changes["deadline"] = None if data.get("clear_deadline") else data["deadline"]
    updated = services.measure_update(measure=measure, actor=user, version=payload.version, changes=changes)
    return _measure_out(selectors.measure_get(user, updated.pk))


@router.post("/{int:plan_id}/publish", response=PlanOut, summary="发布方案(生成督办任务)")
def plan_publish(request: HttpRequest, plan_id: Id, payload: PublishIn) -> PlanOut:
    user: Any = request.user
    plan = selectors.plan_get(user, plan_id)
    published = services.plan_publish(
        plan,
        actor=user,
        version=payload.version,
        confirm_unassigned=payload.confirm_unassigned,
    )
    return PlanOut(**_plan_out(published))


@router.get("/{int:plan_id}/export.xlsx", summary="导出任务清单 .xlsx", response={200: None})
def plan_export(request: HttpRequest, plan_id: Id) -> HttpResponse:
    user: Any = request.user
    plan = selectors.plan_get(user, plan_id)
    name, fallback = selectors.plan_ledger_filename(plan)
    return file_response(selectors.plan_ledger_xlsx(user, plan), name, XLSX, fallback=fallback)
