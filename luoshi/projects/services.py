"""Every write to the project ledger. Each function checks permission, validates, saves, records the audit
event and recolours the project inside one transaction; pages, the API, commands and jobs all call these.

Writes are for 营商办管理员 of the project's region (and the system, user None), except that the staff of a
problem's responsible unit may resolve (answer) that problem.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from luoshi.accounts.access import (
    region_contains,
    require_can_change,
    require_region,
    require_role,
    subtree_q,
)
from luoshi.accounts.models import Role
from luoshi.audit.services import changed_fields, record, record_many, snapshot
from luoshi.calendar.engine import LAST_DATE, WorkdayCalendar
from luoshi.calendar.services import calendar_for
from luoshi.core.bounds import expected_or_current
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, NotFound, ValidationFailed
from luoshi.core.limits import guard_text
from luoshi.notifications import services as notify_service
from luoshi.projects import access, engine
from luoshi.projects.errors import ProjectError
from luoshi.projects.events import ProjectEvent, ProjectNotification
from luoshi.projects.models import (
    MILESTONE_ORDER,
    Colour,
    LimitUnit,
    Milestone,
    MilestoneKind,
    MilestoneRule,
    ProblemStatus,
    Project,
    ProjectLevel,
    ProjectProblem,
    ProjectStatus,
)

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Enterprise, Region, Unit

MIN_DATE = dt.date(2004, 1, 1)
MAX_DATE = LAST_DATE
DEFAULT_WARN_WORKING_DAYS = 15
PROJECT_FIELDS = [
    "name",
    "code",
    "level",
    "region",
    "investment",
    "owner_name",
    "owner_enterprise",
    "industry",
    "leader_name",
    "leader_user",
    "status",
    "note",
]
_STATUS_MOVES = {
    ProjectStatus.ACTIVE: {ProjectStatus.SUSPENDED, ProjectStatus.CANCELLED},
    ProjectStatus.SUSPENDED: {ProjectStatus.ACTIVE, ProjectStatus.CANCELLED},
    ProjectStatus.OPERATING: {ProjectStatus.CANCELLED},
    ProjectStatus.CANCELLED: set(),
}


def today() -> dt.date:
    return timezone.localdate()


# --- permission --------------------------------------------------------------------------------------
def _require_admin(user: User | None, region: Region, action: str) -> None:
    require_can_change(user)
    require_role(user, Role.ADMIN, action=action)
    require_region(user, region, action=action)


def _lock(project: Project, version: int | None, *, versioned: bool = True) -> Project:
    locked = Project.objects.select_for_update().select_related("region").filter(pk=project.pk).first()
    if locked is None:
        raise NotFound("项目不存在或已被删除。", code=ProjectError.PROJECT_NOT_FOUND)
    if versioned and expected_or_current(version, locked.version) != locked.version:
        raise Conflict("该项目已被他人修改,请刷新页面后重新操作。", code=ProjectError.EDITED_ELSEWHERE)
    return locked


# --- validation --------------------------------------------------------------------------------------
def check_date(value: dt.date | None, label: str) -> None:
    if value is None:
        return
    if value < MIN_DATE or value > MAX_DATE:
        raise ValidationFailed(
            f"{label}({value.isoformat()})超出有效范围:请填写 2004 年至 2099 年之间的日期。",
            code=ProjectError.DATE_INVALID,
        )


def parse_investment(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            f"总投资“{value}”不是数字:请填写以万元为单位的金额,例如 12000 或 3500.5。",
            code=ProjectError.INVESTMENT_INVALID,
        ) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(
            "总投资不能为负数:请填写以万元为单位的金额。", code=ProjectError.INVESTMENT_INVALID
        )
    if amount >= Decimal("1e12"):
        raise ValidationFailed("总投资数额过大:请以万元为单位填写。", code=ProjectError.INVESTMENT_INVALID)
    return amount.quantize(Decimal("0.01"))


def _check_units(region: Region, units: Iterable[Unit]) -> list[Unit]:
    out = list(units)
    for unit in out:
        if not (region_contains(unit.region, region) or region_contains(region, unit.region)):
            raise ValidationFailed(
                f"责任单位“{unit.name}”不属于项目所在区域或其上级区域,请重新选择。",
                code=ProjectError.UNIT_OUTSIDE_REGION,
            )
    return out


def _clean_project(data: dict[str, Any]) -> dict[str, Any]:
    name = str(data.get("name") or "").strip()
    code = str(data.get("code") or "").strip()
    if not name:
        raise ValidationFailed("请填写项目名称。", code=ProjectError.NAME_INVALID)
    if len(name) > 200:
        raise ValidationFailed("项目名称过长(最多 200 字)。", code=ProjectError.NAME_INVALID)
    if not code:
        raise ValidationFailed("请填写项目编码。", code=ProjectError.CODE_INVALID)
    if len(code) > 64:
        raise ValidationFailed("项目编码过长(最多 64 个字符)。", code=ProjectError.CODE_INVALID)
    if data.get("level") not in ProjectLevel.values:
        raise ValidationFailed("项目层级只能是:省重点、市重点、园区重大。", code=ProjectError.LEVEL_INVALID)
    data["name"], data["code"] = name, code
    data["investment"] = parse_investment(data.get("investment", 0))
    for key, limit in (("owner_name", 200), ("industry", 100), ("leader_name", 100)):
        data[key] = str(data.get(key) or "").strip()[:limit]
    if data.get("leader_user") is not None and not data["leader_name"]:
        data["leader_name"] = str(data["leader_user"])
    return data


# --- rules and colours -------------------------------------------------------------------------------
class ColourContext:
    """Calendars and rules for one evaluation date, memoised per region."""

    def __init__(self, on: dt.date) -> None:
        self.today = on
        self._calendars: dict[int | None, WorkdayCalendar] = {}
        self._rules: list[tuple[str, MilestoneRule]] | None = None
        self._effective: dict[int | None, dict[str, engine.RuleFacts]] = {}

    def calendar(self, region: Region | None) -> WorkdayCalendar:
        key = region.pk if region is not None else None
        if key not in self._calendars:
            self._calendars[key] = calendar_for(region)
        return self._calendars[key]

    def rules(self, region: Region | None) -> dict[str, engine.RuleFacts]:
        """The effective rule per target kind: the nearest region's rule wins over ancestors' and global."""
        key = region.pk if region is not None else None
        if key in self._effective:
            return self._effective[key]
        if self._rules is None:
            self._rules = [
                (r.region.path if r.region else "", r) for r in MilestoneRule.objects.select_related("region")
            ]
        path = region.path if region is not None else ""
        best: dict[str, tuple[int, MilestoneRule]] = {}
        for rpath, rule in self._rules:
            if rpath and not path.startswith(rpath):
                continue
            depth = len(rpath)
            if rule.to_kind not in best or depth > best[rule.to_kind][0]:
                best[rule.to_kind] = (depth, rule)
        facts = {
            kind: engine.RuleFacts(r.from_kind, r.to_kind, r.limit_value, r.limit_unit, r.warn_working_days)
            for kind, (_, r) in best.items()
        }
        self._effective[key] = facts
        return facts

    def windows(self, region: Region | None) -> dict[str, int]:
        return {kind: rule.warn_working_days for kind, rule in self.rules(region).items()}

    def assess(self, region: Region | None, projects: list[engine.ProjectFacts]) -> list[engine.Verdict]:
        return engine.assess_projects(self.today, projects, self.calendar(region))


def _project_facts(project: Project, ctx: ColourContext) -> engine.ProjectFacts:
    milestones = [
        engine.MilestoneFacts(m.kind, m.planned_date, m.actual_date)
        for m in Milestone.objects.filter(project=project)
    ]
    problems = [
        engine.ProblemFacts(p.description, p.due, timezone.localdate(p.raised_at))
        for p in ProjectProblem.objects.filter(project=project, status=ProblemStatus.OPEN)
    ]
    return engine.ProjectFacts(
        active=project.status in (ProjectStatus.ACTIVE, ProjectStatus.OPERATING),
        operating=project.status == ProjectStatus.OPERATING,
        created=timezone.localdate(project.created_at),
        milestones=milestones,
        problems=problems,
        windows=ctx.windows(project.region),
    )


def _recolour(project: Project, actor: User | None, ctx: ColourContext | None = None) -> bool:
    """Recompute one project's colour now; audit and notify when it changed. Returns whether it changed."""
    ctx = ctx or ColourContext(today())
    verdict = ctx.assess(project.region, [_project_facts(project, ctx)])[0]
    if verdict.colour == project.colour and verdict.reason == project.colour_reason:
        return False
    before = {"colour": project.colour, "colour_reason": project.colour_reason}
    Project.objects.filter(pk=project.pk).update(
        colour=verdict.colour, colour_reason=verdict.reason, colour_since=ctx.today
    )
    project.colour, project.colour_reason, project.colour_since = verdict.colour, verdict.reason, ctx.today
    record(
        actor=actor,
        action=ProjectEvent.COLOUR_CHANGED,
        subject=project,
        before=before,
        after={"colour": verdict.colour, "colour_reason": verdict.reason},
        reason=verdict.reason,
    )
    if verdict.colour == Colour.RED and before["colour"] != Colour.RED:
        _notify_red(project, verdict.reason, ctx.today)
    return True


def _notify_red(project: Project, reason: str, on: dt.date) -> int:
    users = [project.leader_user] if project.leader_user_id else []
    return notify_service.notify(
        units=project.units.all(),
        users=[u for u in users if u is not None],
        kind=ProjectNotification.RED,
        kind_label=ProjectNotification.RED.label,
        title=f"重大项目红色预警:{project.name}",
        body=f"项目“{project.name}”({project.code})亮红灯:{reason}。请您及时协调推进。",
        key=f"project:project:{project.pk}:red:{on.isoformat()}",
        url=f"/projects/{project.pk}/",
        subject=project,
        sms=True,
    )


def _replan(project: Project, ctx: ColourContext) -> list[tuple[str, dt.date | None, dt.date | None]]:
    """Set rule-governed planned dates from the rules; returns the changes as (kind, before, after)."""
    milestones = {m.kind: m for m in project.milestones.all()}
    facts = {k: engine.MilestoneFacts(k, m.planned_date, m.actual_date) for k, m in milestones.items()}
    rules = ctx.rules(project.region)
    planned = engine.planned_from_rules(facts, rules.values(), ctx.calendar(project.region))
    changes = []
    for kind, m in milestones.items():
        if kind not in rules:
            if m.planned_from_rule:
                m.planned_from_rule = False
                m.save(update_fields=["planned_from_rule"])
            continue
        new = planned[kind][0] if kind in planned else None
        if m.planned_date != new or not m.planned_from_rule:
            changes.append((kind, m.planned_date, new))
            m.planned_date, m.planned_from_rule = new, True
            m.save(update_fields=["planned_date", "planned_from_rule"])
    return changes


def _stage(milestones: Iterable[Milestone]) -> str:
    reached = [m.kind for m in milestones if m.actual_date is not None]
    return max(reached, key=MILESTONE_ORDER.index) if reached else ""


# --- projects ----------------------------------------------------------------------------------------
@guard_text
@transaction.atomic
def project_create(
    *,
    user: User | None,
    region: Region,
    code: str,
    name: str,
    level: str = ProjectLevel.CITY,
    investment: Decimal | int | str = 0,
    owner_name: str = "",
    owner_enterprise: Enterprise | None = None,
    industry: str = "",
    leader_name: str = "",
    leader_user: User | None = None,
    units: Iterable[Unit] = (),
    note: str = "",
    signed_planned: dt.date | None = None,
) -> Project:
    """Create a project with its five milestones (planned dates from the rules once 签约 is known)."""
    _require_admin(user, region, "新建重大项目")
    data = _clean_project(
        {
            "name": name,
            "code": code,
            "level": level,
            "investment": investment,
            "owner_name": owner_name,
            "industry": industry,
            "leader_name": leader_name,
            "leader_user": leader_user,
        }
    )
    check_date(signed_planned, "签约计划日期")
    unit_list = _check_units(region, units)
    if Project.objects.filter(code=data["code"]).exists():
        raise ValidationFailed(
            f"项目编码“{data['code']}”已存在:请使用其他编码,或修改已有项目。", code=ProjectError.CODE_TAKEN
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            project = Project.objects.create(
                region=region,
                owner_enterprise=owner_enterprise,
                note=note,
                created_at=now,
                updated_at=now,
                **data,
            )
    except IntegrityError as exc:
        raise Conflict(
            f"项目编码“{data['code']}”已存在:请使用其他编码。", code=ProjectError.CODE_TAKEN
        ) from exc
    project.units.set(unit_list)
    Milestone.objects.bulk_create(
        [
            Milestone(
                project=project,
                kind=kind,
                planned_date=signed_planned if kind == MilestoneKind.SIGNED else None,
            )
            for kind in MILESTONE_ORDER
        ]
    )
    ctx = ColourContext(today())
    _replan(project, ctx)
    record(
        actor=user,
        action=ProjectEvent.CREATED,
        subject=project,
        after={**snapshot(project, PROJECT_FIELDS), "units": [u.pk for u in unit_list]},
    )
    _recolour(project, user, ctx)
    return project


@guard_text
@transaction.atomic
def project_update(
    *,
    user: User | None,
    project: Project,
    version: int | None = None,
    units: Iterable[Unit] | None = None,
    **changes: Any,
) -> Project:
    """Change the ledger fields of a project. `version` (from the form) refuses a stale save with Conflict."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"不能修改这些字段:{'、'.join(sorted(unknown))}。", code=ProjectError.FIELD_NOT_EDITABLE
        )
    _require_admin(user, project.region, "修改重大项目")
    locked = _lock(project, version)
    if "region" in changes:
        _require_admin(user, changes["region"], "把项目移到该区域")
    before = snapshot(locked, PROJECT_FIELDS)
    data = {f: getattr(locked, f) for f in PROJECT_FIELDS}
    data.update(changes)
    data = _clean_project(data)
    if data["status"] != locked.status:
        _check_status_move(locked, data["status"])
    check_code = data["code"] != locked.code
    if check_code and Project.objects.filter(code=data["code"]).exclude(pk=locked.pk).exists():
        raise ValidationFailed(
            f"项目编码“{data['code']}”已存在:请使用其他编码。", code=ProjectError.CODE_TAKEN
        )
    for field, value in data.items():
        setattr(locked, field, value)
    before_units = sorted(locked.units.values_list("pk", flat=True))
    new_units = before_units
    if units is not None:
        unit_list = _check_units(locked.region, units)
        new_units = sorted(u.pk for u in unit_list)
        locked.units.set(unit_list)
    locked.updated_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=[*PROJECT_FIELDS, "updated_at"])
    except IntegrityError as exc:
        raise Conflict("项目编码与其他项目重复:请使用其他编码。", code=ProjectError.CODE_TAKEN) from exc
    Project.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db(fields=["version"])
    b, a = changed_fields(
        {**before, "units": before_units}, {**snapshot(locked, PROJECT_FIELDS), "units": new_units}
    )
    if a:
        record(actor=user, action=ProjectEvent.UPDATED, subject=locked, before=b, after=a)
    ctx = ColourContext(today())
    if "region" in a:
        _replan(locked, ctx)
    _recolour(locked, user, ctx)
    return locked


def _check_status_move(project: Project, new: str) -> None:
    if new not in ProjectStatus.values:
        raise ValidationFailed(
            "项目状态只能是:推进中、已投产、已暂停、已终止。", code=ProjectError.STATUS_INVALID
        )
    if new == ProjectStatus.OPERATING:
        raise InvalidTransition(
            "“已投产”由投产节点的实际日期自动确定:请填写投产实际日期。",
            code=ProjectError.STATUS_FROM_MILESTONE,
        )
    if new == ProjectStatus.ACTIVE and project.status == ProjectStatus.OPERATING:
        raise InvalidTransition(
            "项目已投产:如投产日期有误,请修改投产节点的实际日期。", code=ProjectError.STATUS_FROM_MILESTONE
        )
    if new not in _STATUS_MOVES[ProjectStatus(project.status)]:
        raise InvalidTransition(
            f"项目状态不能从“{project.get_status_display()}”改为“{ProjectStatus(new).label}”。",
            code=ProjectError.STATUS_INVALID,
        )


# --- milestones --------------------------------------------------------------------------------------
def _milestones(project: Project) -> dict[str, Milestone]:
    return {m.kind: m for m in Milestone.objects.filter(project=project)}


@guard_text
@transaction.atomic
def milestone_record(
    *,
    user: User | None,
    project: Project,
    kind: str,
    actual_date: dt.date | None,
    note: str | None = None,
    version: int | None = None,
    on: dt.date | None = None,
) -> Milestone:
    """Record (or clear, with None) the date a milestone was actually reached. The order 签约 → 开工 → 入库 →
    竣工 → 投产 is enforced; later rule-based planned dates follow; 投产 marks the project 已投产."""
    if kind not in MILESTONE_ORDER:
        raise ValidationFailed(
            "节点只能是:签约、开工、入库、竣工、投产。", code=ProjectError.MILESTONE_KIND_INVALID
        )
    _require_admin(user, project.region, "填写项目节点")
    locked = _lock(project, version)
    if locked.status == ProjectStatus.CANCELLED:
        raise InvalidTransition("项目已终止,不能再填写节点。", code=ProjectError.TERMINATED)
    label = MilestoneKind(kind).label
    check_date(actual_date, f"{label}实际日期")
    current = on or today()
    if actual_date is not None and actual_date > current:
        raise ValidationFailed(
            f"{label}实际日期({actual_date.isoformat()})晚于今天:实际日期只能填写已经发生的日期。",
            code=ProjectError.DATE_INVALID,
        )
    milestones = _milestones(locked)
    m = milestones[kind]
    dates = {k: (actual_date if k == kind else v.actual_date) for k, v in milestones.items()}
    errors = engine.order_errors(dates)
    if errors:
        raise ValidationFailed(" ".join(errors), code=ProjectError.MILESTONE_ORDER)
    before = {"kind": kind, "actual_date": m.actual_date, "note": m.note}
    m.actual_date = actual_date
    if note is not None:
        m.note = note.strip()[:300]
    m.save(update_fields=["actual_date", "note"])
    ctx = ColourContext(current)
    replanned = _replan(locked, ctx)
    old_status = locked.status
    if kind == MilestoneKind.OPERATING:
        if actual_date is not None and locked.status == ProjectStatus.ACTIVE:
            locked.status = ProjectStatus.OPERATING
        elif actual_date is None and locked.status == ProjectStatus.OPERATING:
            locked.status = ProjectStatus.ACTIVE
    locked.stage = _stage(milestones.values())
    Project.objects.filter(pk=locked.pk).update(
        stage=locked.stage, status=locked.status, version=F("version") + 1, updated_at=timezone.now()
    )
    locked.refresh_from_db(fields=["version"])
    after: dict[str, Any] = {"kind": kind, "actual_date": actual_date, "note": m.note}
    if replanned:
        after["planned"] = {k: new for k, _, new in replanned}
    if old_status != locked.status:
        before["status"], after["status"] = old_status, locked.status
    record(
        actor=user,
        action=ProjectEvent.MILESTONE_RECORDED,
        subject=locked,
        before=before,
        after=after,
        reason=f"{label}实际日期" + (actual_date.isoformat() if actual_date else "清除"),
    )
    _recolour(locked, user, ctx)
    return m


@transaction.atomic
def milestone_plan(
    *,
    user: User | None,
    project: Project,
    kind: str,
    planned_date: dt.date | None,
    version: int | None = None,
) -> Milestone:
    """Set the planned date of a milestone that no time-limit rule governs (签约, 竣工, 投产 by default)."""
    if kind not in MILESTONE_ORDER:
        raise ValidationFailed(
            "节点只能是:签约、开工、入库、竣工、投产。", code=ProjectError.MILESTONE_KIND_INVALID
        )
    _require_admin(user, project.region, "设置项目计划节点")
    locked = _lock(project, version)
    label = MilestoneKind(kind).label
    ctx = ColourContext(today())
    rule = ctx.rules(locked.region).get(kind)
    if rule is not None:
        raise ValidationFailed(
            f"{label}的计划日期按时限规则“{rule.describe()}”自动计算,不能手工修改;如需调整,请修改节点时限规则。",
            code=ProjectError.DATE_INVALID,
        )
    check_date(planned_date, f"{label}计划日期")
    milestones = _milestones(locked)
    if planned_date is not None:
        position = MILESTONE_ORDER.index(kind)
        for earlier in MILESTONE_ORDER[:position]:
            e = milestones[earlier]
            ref = e.actual_date or e.planned_date
            if ref is not None and planned_date < ref:
                raise ValidationFailed(
                    f"{label}计划日期({planned_date.isoformat()})早于{MilestoneKind(earlier).label}"
                    f"({ref.isoformat()}):请按 签约 → 开工 → 入库 → 竣工 → 投产 的顺序安排。",
                    code=ProjectError.DATE_INVALID,
                )
    m = milestones[kind]
    before = {"kind": kind, "planned_date": m.planned_date}
    m.planned_date, m.planned_from_rule = planned_date, False
    m.save(update_fields=["planned_date", "planned_from_rule"])
    replanned = _replan(locked, ctx)
    Project.objects.filter(pk=locked.pk).update(version=F("version") + 1, updated_at=timezone.now())
    locked.refresh_from_db(fields=["version"])
    after: dict[str, Any] = {"kind": kind, "planned_date": planned_date}
    if replanned:
        after["planned"] = {k: new for k, _, new in replanned}
    record(actor=user, action=ProjectEvent.MILESTONE_PLANNED, subject=locked, before=before, after=after)
    _recolour(locked, user, ctx)
    return m


# --- problems ----------------------------------------------------------------------------------------
@guard_text
@transaction.atomic
def problem_raise(
    *, user: User | None, project: Project, description: str, unit: Unit, due: dt.date
) -> ProjectProblem:
    """Put a problem on the project's list with the unit that must solve it and a deadline; the unit is
    notified, and the problem counts in the project's colour until resolved."""
    _require_admin(user, project.region, "登记项目问题")
    locked = _lock(project, None, versioned=False)
    if locked.status == ProjectStatus.CANCELLED:
        raise InvalidTransition("项目已终止,不能再登记问题。", code=ProjectError.TERMINATED)
    text = description.strip()
    if not text:
        raise ValidationFailed("请填写问题描述。", code=ProjectError.PROBLEM_DESCRIPTION_MISSING)
    check_date(due, "解决时限")
    if due < today():
        raise ValidationFailed("解决时限不能早于今天。", code=ProjectError.PROBLEM_DUE_INVALID)
    _check_units(locked.region, [unit])
    problem = ProjectProblem.objects.create(
        project=locked, description=text, unit=unit, due=due, raised_by=user if user is not None else None
    )
    record(
        actor=user,
        action=ProjectEvent.PROBLEM_RAISED,
        subject=problem,
        after={"project": locked.pk, "description": text, "unit": unit.pk, "due": due},
    )
    notify_service.notify(
        units=[unit],
        kind=ProjectNotification.PROBLEM_RAISED,
        kind_label=ProjectNotification.PROBLEM_RAISED.label,
        title=f"重大项目问题待解决:{locked.name}",
        body=f"项目“{locked.name}”有一个问题需要贵单位在 {due.isoformat()} 前解决:{text}",
        key=f"project:project_problem:{problem.pk}:raised",
        url=f"/projects/{locked.pk}/",
        subject=problem,
        sms=True,
    )
    _recolour(locked, user)
    return problem


_require_can_resolve = access.require_can_resolve


@guard_text
@transaction.atomic
def problem_resolve(
    *, user: User | None, problem: ProjectProblem, resolution: str, version: int | None = None
) -> ProjectProblem:
    """The responsible unit (or the office) records how the problem was solved; it leaves the colour."""
    locked = (
        ProjectProblem.objects.select_for_update()
        .select_related("project__region")
        .filter(pk=problem.pk)
        .first()
    )
    if locked is None:
        raise NotFound("问题不存在。", code=ProjectError.PROBLEM_NOT_FOUND)
    _require_can_resolve(user, locked)
    if expected_or_current(version, locked.version) != locked.version:
        raise Conflict("该问题已被他人处理,请刷新页面后查看。", code=ProjectError.PROBLEM_EDITED_ELSEWHERE)
    if locked.status == ProblemStatus.RESOLVED:
        raise InvalidTransition("该问题已解决,不能重复办结。", code=ProjectError.CODE_TAKEN)
    text = resolution.strip()
    if not text:
        raise ValidationFailed("请填写解决情况。", code=ProjectError.RESOLUTION_MISSING)
    now = timezone.now()
    ProjectProblem.objects.filter(pk=locked.pk).update(
        status=ProblemStatus.RESOLVED,
        resolution=text,
        resolved_at=now,
        resolved_by=user,
        version=F("version") + 1,
    )
    locked.refresh_from_db()
    record(
        actor=user,
        action=ProjectEvent.PROBLEM_RESOLVED,
        subject=locked,
        before={"status": ProblemStatus.OPEN},
        after={"status": ProblemStatus.RESOLVED, "resolution": text},
    )
    _recolour(locked.project, user)
    return locked


# --- rules -------------------------------------------------------------------------------------------
@transaction.atomic
def rule_set(
    *,
    user: User | None,
    region: Region | None,
    from_kind: str,
    to_kind: str,
    limit_value: int,
    limit_unit: str = LimitUnit.MONTHS,
    warn_working_days: int = DEFAULT_WARN_WORKING_DAYS,
    source: str = "",
) -> MilestoneRule:
    """Create or change a time limit. Region rules: administrators of that region; the default (global)
    rules: system administrators only. Projects under the rule get their planned dates recomputed."""
    require_can_change(user)
    require_role(user, Role.ADMIN, action="修改节点时限规则")
    if region is None:
        if user is not None and not user.is_superuser:
            raise AccessDenied(
                "默认时限规则只能由系统管理员修改;您可以为本区域设置规则。",
                code=ProjectError.DEFAULT_RULE_NATIONAL,
            )
    else:
        require_region(user, region, action="修改该区域的时限规则")
    if from_kind not in MILESTONE_ORDER or to_kind not in MILESTONE_ORDER:
        raise ValidationFailed(
            "节点只能是:签约、开工、入库、竣工、投产。", code=ProjectError.MILESTONE_KIND_INVALID
        )
    if MILESTONE_ORDER.index(from_kind) >= MILESTONE_ORDER.index(to_kind):
        raise ValidationFailed(
            "起始节点必须在目标节点之前(签约 → 开工 → 入库 → 竣工 → 投产)。", code=ProjectError.RULE_INVALID
        )
    if limit_unit not in LimitUnit.values:
        raise ValidationFailed("时限单位只能是:个月、个工作日、天。", code=ProjectError.RULE_INVALID)
    if not 1 <= int(limit_value) <= 1000:
        raise ValidationFailed("时限必须在 1 到 1000 之间。", code=ProjectError.RULE_INVALID)
    if not 0 <= int(warn_working_days) <= 250:
        raise ValidationFailed("提前预警工作日必须在 0 到 250 之间。", code=ProjectError.RULE_INVALID)
    rule = MilestoneRule.objects.select_for_update().filter(region=region, to_kind=to_kind).first()
    before = snapshot(rule, ["from_kind", "limit_value", "limit_unit", "warn_working_days"]) if rule else None
    if rule is None:
        rule = MilestoneRule(region=region, to_kind=to_kind)
    rule.from_kind, rule.limit_value, rule.limit_unit = from_kind, int(limit_value), limit_unit
    rule.warn_working_days, rule.source, rule.updated_at = int(warn_working_days), source, timezone.now()
    rule.save()
    record(
        actor=user,
        action=ProjectEvent.RULE_SET,
        subject=rule,
        before=before,
        after=snapshot(rule, ["from_kind", "limit_value", "limit_unit", "warn_working_days"]),
        reason=str(rule),
    )
    _replan_region(region, user)
    return rule


def _replan_region(region: Region | None, user: User | None) -> int:
    qs = Project.objects.select_related("region").prefetch_related("milestones")
    if region is not None:
        qs = qs.filter(subtree_q(region))
    ctx = ColourContext(today())
    count = 0
    for project in qs.iterator(chunk_size=500):
        if _replan(project, ctx):
            count += 1
            _recolour(project, user, ctx)
    return count


# --- the daily sweep ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepResult:
    date: str
    green: int
    yellow: int
    red: int
    changed: int
    notifications: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@transaction.atomic
def projects_sweep(*, on: dt.date | None = None) -> SweepResult:
    """Colour every project as of `on` (default today). Idempotent: a second run for the same date changes
    nothing and sends nothing. Reads everything in four queries and writes only what changed."""
    from luoshi.orgs.models import Region, Unit

    day = on or today()
    ctx = ColourContext(day)
    rows = list(
        Project.objects.values_list("id", "region_id", "status", "colour", "colour_reason", "created_at")
    )
    regions = Region.objects.in_bulk({r[1] for r in rows})
    milestones: dict[int, list[engine.MilestoneFacts]] = {}
    for pid, kind, planned, actual in Milestone.objects.values_list(
        "project_id", "kind", "planned_date", "actual_date"
    ):
        milestones.setdefault(pid, []).append(engine.MilestoneFacts(kind, planned, actual))
    problems: dict[int, list[engine.ProblemFacts]] = {}
    for pid, desc, due, raised in ProjectProblem.objects.filter(status=ProblemStatus.OPEN).values_list(
        "project_id", "description", "due", "raised_at"
    ):
        problems.setdefault(pid, []).append(engine.ProblemFacts(desc, due, timezone.localdate(raised)))
    by_region: dict[int, list[tuple[int, str, str, engine.ProjectFacts]]] = {}
    for pid, region_id, status, colour, reason, created in rows:
        facts = engine.ProjectFacts(
            active=status in (ProjectStatus.ACTIVE, ProjectStatus.OPERATING),
            operating=status == ProjectStatus.OPERATING,
            created=timezone.localdate(created),
            milestones=milestones.get(pid, ()),
            problems=problems.get(pid, ()),
            windows=ctx.windows(regions.get(region_id)),
        )
        by_region.setdefault(region_id, []).append((pid, colour, reason, facts))
    counts = {Colour.GREEN: 0, Colour.YELLOW: 0, Colour.RED: 0, Colour.NONE: 0}
    changed: list[tuple[int, str, str, str, str]] = []
    for region_id, group in by_region.items():
        verdicts = ctx.assess(regions.get(region_id), [g[3] for g in group])
        for (pid, colour, reason, _), verdict in zip(group, verdicts, strict=True):
            counts[Colour(verdict.colour)] += 1
            if verdict.colour != colour or verdict.reason != reason:
                changed.append((pid, colour, reason, verdict.colour, verdict.reason))
    notifications = 0
    if changed:
        # one UPDATE per distinct (colour, reason): far cheaper than a CASE per row for thousands of rows
        groups: dict[tuple[str, str], list[int]] = {}
        for pid, _, _, new, new_reason in changed:
            groups.setdefault((new, new_reason), []).append(pid)
        for (new, new_reason), ids in groups.items():
            for i in range(0, len(ids), 500):
                Project.objects.filter(pk__in=ids[i : i + 500]).update(
                    colour=new, colour_reason=new_reason, colour_since=day
                )
        names: dict[int, str] = {}
        ids = [c[0] for c in changed]
        for i in range(0, len(ids), 500):
            names.update(Project.objects.filter(pk__in=ids[i : i + 500]).values_list("pk", "name"))
        record_many(
            actor=None,
            action=ProjectEvent.COLOUR_CHANGED,
            events=[
                (
                    Project(pk=pid, name=names.get(pid, "")),
                    {"colour": old, "colour_reason": old_reason},
                    {"colour": new, "colour_reason": new_reason},
                    new_reason,
                )
                for pid, old, old_reason, new, new_reason in changed
            ],
        )
        to_red = [c[0] for c in changed if c[3] == Colour.RED and c[1] != Colour.RED]
        if to_red:
            for i in range(0, len(to_red), 500):
                for project in (
                    Project.objects.filter(pk__in=to_red[i : i + 500])
                    .select_related("leader_user")
                    .prefetch_related("units")
                ):
                    notifications += _notify_red(project, project.colour_reason, day)
    overdue = list(
        ProjectProblem.objects.filter(
            status=ProblemStatus.OPEN, due__lt=day, overdue_notified=False
        ).select_related("project")
    )
    if overdue:
        unit_ids = {p.unit_id for p in overdue}
        units = Unit.objects.in_bulk(unit_ids)
        for problem in overdue:
            if ProjectProblem.objects.filter(pk=problem.pk, overdue_notified=False).update(
                overdue_notified=True
            ):
                notifications += notify_service.notify(
                    units=[units[problem.unit_id]],
                    kind=ProjectNotification.PROBLEM_OVERDUE,
                    kind_label=ProjectNotification.PROBLEM_OVERDUE.label,
                    title=f"督办:重大项目问题已超期:{problem.project.name}",
                    body=f"项目“{problem.project.name}”的问题“{problem.description[:60]}”已超过解决时限"
                    f"({problem.due.isoformat()}),请贵单位抓紧解决并反馈。",
                    key=f"project:project_problem:{problem.pk}:overdue",
                    url=f"/projects/{problem.project_id}/",
                    subject=problem,
                    sms=True,
                )
    return SweepResult(
        date=day.isoformat(),
        green=counts[Colour.GREEN],
        yellow=counts[Colour.YELLOW],
        red=counts[Colour.RED],
        changed=len(changed),
        notifications=notifications,
    )


# --- bulk creation (benchmarks, large demos) ---------------------------------------------------------
def create_projects_bulk(
    n: int,
    region: Region,
    rng: random.Random,
    *,
    units: Sequence[Unit] = (),
    on: dt.date | None = None,
    code_prefix: str = "BULK",
) -> list[int]:
    """Create `n` projects with milestones in varied states, fast (bulk_create, no per-row audit: for
    benchmarks and load tests; run `projects_sweep` afterwards to colour them). Returns the new ids."""
    day = on or today()
    ctx = ColourContext(day)
    rules = ctx.rules(region)
    cal = ctx.calendar(region)
    levels = ProjectLevel.values
    start = Project.objects.filter(code__startswith=f"{code_prefix}-").count()
    now = timezone.now()
    projects = [
        Project(
            region=region,
            code=f"{code_prefix}-{start + i + 1:06d}",
            name=f"{code_prefix}项目{start + i + 1}",
            level=rng.choice(levels),
            investment=Decimal(rng.randrange(1000, 500000)),
            owner_name=f"企业{rng.randrange(1, 2000)}",
            industry=rng.choice(["新材料", "装备制造", "生物医药", "新能源"]),
            leader_name=f"包保领导{rng.randrange(1, 50)}",
            created_at=now,
            updated_at=now,
        )
        for i in range(n)
    ]
    with transaction.atomic():
        milestones: list[Milestone] = []
        for project in projects:
            signed = day - dt.timedelta(days=rng.randrange(0, 500))
            reached = rng.randrange(0, 6)  # how many nodes are already reached
            facts: dict[str, engine.MilestoneFacts] = {}
            actual: dict[str, dt.date | None] = {}
            previous = signed
            for pos, kind in enumerate(MILESTONE_ORDER):
                if pos == 0:
                    actual[kind] = signed if reached > 0 else None
                    facts[kind] = engine.MilestoneFacts(kind, signed, actual[kind])
                    continue
                if pos < reached:
                    previous = min(day, previous + dt.timedelta(days=rng.randrange(10, 120)))
                    actual[kind] = previous
                else:
                    actual[kind] = None
                facts[kind] = engine.MilestoneFacts(kind, None, actual[kind])
            planned = engine.planned_from_rules(facts, rules.values(), cal)
            for kind in MILESTONE_ORDER:
                plan = (
                    planned[kind][0]
                    if kind in planned
                    else (signed if kind == MilestoneKind.SIGNED else None)
                )
                if plan is None and kind in (MilestoneKind.COMPLETED, MilestoneKind.OPERATING):
                    plan = signed + dt.timedelta(days=rng.randrange(300, 900))
                milestones.append(
                    Milestone(
                        project=project,
                        kind=kind,
                        planned_date=plan,
                        planned_from_rule=kind in planned,
                        actual_date=actual[kind],
                    )
                )
            reached_kinds = [k for k in MILESTONE_ORDER if actual[k] is not None]
            project.stage = reached_kinds[-1] if reached_kinds else ""
            if actual[MilestoneKind.OPERATING] is not None:
                project.status = ProjectStatus.OPERATING
        Project.objects.bulk_create(projects, batch_size=1000)
        for m in milestones:
            m.project_id = m.project.pk
        Milestone.objects.bulk_create(milestones, batch_size=2000)
        if units:
            through = Project.units.through
            through.objects.bulk_create(
                [through(project_id=p.pk, unit_id=rng.choice(units).pk) for p in projects], batch_size=2000
            )
    return [p.pk for p in projects]
