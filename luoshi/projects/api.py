"""JSON API for the project ledger, at /api/projects/. Same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Schema, Status

from luoshi.accounts.models import User
from luoshi.core.bounds import Day, Id, Money, Page, PageSize, Version
from luoshi.core.errors import NotFound, ValidationFailed
from luoshi.orgs.models import Region, Unit
from luoshi.projects import selectors, services
from luoshi.projects.errors import ProjectError
from luoshi.projects.models import Milestone, Project, ProjectProblem

router = Router(tags=["projects"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class MilestoneOut(Schema):
    kind: str
    label: str
    planned_date: dt.date | None
    planned_from_rule: bool
    actual_date: dt.date | None
    note: str


class ProblemOut(Schema):
    id: int
    description: str
    unit: str
    unit_id: int
    raised_at: dt.datetime
    due: dt.date
    status: str
    resolution: str
    version: int


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    level: str
    region: str
    region_id: int
    investment: Decimal
    owner_name: str
    industry: str
    leader_name: str
    units: list[str]
    status: str
    stage: str
    colour: str
    colour_reason: str
    version: int


class ProjectDetailOut(ProjectOut):
    milestones: list[MilestoneOut]
    problems: list[ProblemOut]


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ProjectOut]


class ProjectIn(Schema):
    code: str
    name: str
    region_id: Id
    level: str = "city"
    investment: Money = Decimal(0)
    owner_name: str = ""
    industry: str = ""
    leader_name: str = ""
    unit_ids: list[Id] = []
    note: str = ""
    signed_planned: Day | None = None


class ProjectPatch(Schema):
    version: Version
    code: str | None = None
    name: str | None = None
    level: str | None = None
    investment: Money | None = None
    owner_name: str | None = None
    industry: str | None = None
    leader_name: str | None = None
    status: str | None = None
    note: str | None = None
    unit_ids: list[Id] | None = None


class MilestoneIn(Schema):
    actual_date: Day | None = None
    note: str | None = None
    version: Version


class PlanIn(Schema):
    planned_date: Day | None = None
    version: Version


class ProblemIn(Schema):
    description: str
    unit_id: Id
    due: Day


class ResolveIn(Schema):
    resolution: str
    version: Version


def _out(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "level": p.level,
        "region": p.region.name,
        "region_id": p.region_id,
        "investment": p.investment,
        "owner_name": p.owner_name,
        "industry": p.industry,
        "leader_name": p.leader_name,
        "units": [u.name for u in p.units.all()],
        "status": p.status,
        "stage": p.stage,
        "colour": p.colour,
        "colour_reason": p.colour_reason,
        "version": p.version,
    }


def _milestone(m: Milestone) -> dict[str, Any]:
    return {
        "kind": m.kind,
        "label": m.get_kind_display(),
        "planned_date": m.planned_date,
        "planned_from_rule": m.planned_from_rule,
        "actual_date": m.actual_date,
        "note": m.note,
    }


def _problem(p: ProjectProblem) -> dict[str, Any]:
    return {
        "id": p.pk,
        "description": p.description,
        "unit": p.unit.name,
        "unit_id": p.unit_id,
        "raised_at": p.raised_at,
        "due": p.due,
        "status": p.status,
        "resolution": p.resolution,
        "version": p.version,
    }


def _detail(user: User, pk: int) -> dict[str, Any]:
    p = selectors.project_get(user, pk)
    return {
        **_out(p),
        "milestones": [_milestone(m) for m in sorted(p.milestones.all(), key=lambda m: m.position)],
        "problems": [_problem(x) for x in p.problems.all()],
    }


def _units(ids: list[int]) -> list[Unit]:
    units = list(Unit.objects.filter(pk__in=ids).select_related("region"))
    if len(units) != len(set(ids)):
        raise ValidationFailed(code=ProjectError.UNIT_IDS_UNKNOWN)
    return units


@router.get("/", response=ProjectPage, summary="重大项目台账")
def list_projects(
    request: HttpRequest,
    level: str = "",
    region: Id | None = None,
    colour: str = "",
    status: str = "",
    q: str = "",
    page: Page = 1,
    page_size: PageSize = 50,
) -> dict[str, Any]:
    filters = selectors.LedgerFilters(level=level, region=region, colour=colour, status=status, q=q[:100])
    qs = selectors.ledger(_user(request), filters)
    page_size = max(1, min(page_size, 200))
    page = max(1, page)
    count = qs.count()
    rows = qs[(page - 1) * page_size : page * page_size]
    return {"count": count, "page": page, "page_size": page_size, "items": [_out(p) for p in rows]}


@router.get("/{int:pk}", response=ProjectDetailOut, summary="项目详情(节点、问题)")
def get_project(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _detail(_user(request), pk)


@router.post("/", response={201: ProjectDetailOut}, summary="新建项目(营商办管理员)")
def create_project(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    region = Region.objects.filter(pk=payload.region_id).first()
    if region is None:
        raise NotFound(code=ProjectError.REGION_NOT_FOUND)
    data = payload.dict()
    data.pop("region_id")
    units = _units(data.pop("unit_ids"))
    project = services.project_create(user=_user(request), region=region, units=units, **data)
    return Status(201, _detail(_user(request), project.pk))


@router.patch("/{int:pk}", response=ProjectDetailOut, summary="修改项目(营商办管理员)")
def update_project(request: HttpRequest, pk: Id, payload: ProjectPatch) -> dict[str, Any]:
    user = _user(request)
    project = selectors.project_get(user, pk)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    version = data.pop("version", None)
    unit_ids = data.pop("unit_ids", None)
    units = _units(unit_ids) if unit_ids is not None else None
    services.project_update(user=user, project=project, version=version, units=units, **data)
    return _detail(user, pk)


@router.post("/{int:pk}/milestones/{kind}/actual", response=ProjectDetailOut, summary="填写节点实际日期")
def record_milestone(request: HttpRequest, pk: Id, kind: str, payload: MilestoneIn) -> dict[str, Any]:
    user = _user(request)
    project = selectors.project_get(user, pk)
    services.milestone_record(
        user=user,
        project=project,
        kind=kind,
        actual_date=payload.actual_date,
        note=payload.note,
        version=payload.version,
    )
    return _detail(user, pk)


@router.post("/{int:pk}/milestones/{kind}/plan", response=ProjectDetailOut, summary="设置节点计划日期")
def plan_milestone(request: HttpRequest, pk: Id, kind: str, payload: PlanIn) -> dict[str, Any]:
    user = _user(request)
    project = selectors.project_get(user, pk)
    services.milestone_plan(
        user=user, project=project, kind=kind, planned_date=payload.planned_date, version=payload.version
    )
    return _detail(user, pk)


@router.post("/{int:pk}/problems", response={201: ProblemOut}, summary="登记项目问题")
def raise_problem(request: HttpRequest, pk: Id, payload: ProblemIn) -> Status[dict[str, Any]]:
    user = _user(request)
    project = selectors.project_get(user, pk)
    unit = Unit.objects.filter(pk=payload.unit_id).select_related("region").first()
    if unit is None:
        raise NotFound(code=ProjectError.UNIT_NOT_FOUND)
    problem = services.problem_raise(
        user=user, project=project, description=payload.description, unit=unit, due=payload.due
    )
    return Status(201, _problem(problem))


@router.post("/problems/{int:pk}/resolve", response=ProblemOut, summary="办结项目问题(责任单位或营商办)")
def resolve_problem(request: HttpRequest, pk: Id, payload: ResolveIn) -> dict[str, Any]:
    user = _user(request)
    problem = selectors.problem_get(user, pk)
    problem = services.problem_resolve(
        user=user, problem=problem, resolution=payload.resolution, version=payload.version
    )
    return _problem(problem)
