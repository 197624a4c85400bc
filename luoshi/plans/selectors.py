"""Scoped reads of plans, measures and imports.

Who sees what:
- 营商办管理员 (admin) and 领导 (leader): every plan of their region subtree, drafts included; leaders read only.
- 部门工作人员 (staff): the published (and archived) plans of their region subtree, read-only, every measure; the
  review page marks the measures their own unit leads or shares. Drafts under review are not shown to staff.
- 企业用户 and 观察员: no plans (refused).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet

from luoshi.accounts.access import region_subtree, region_subtree_q, require_role, subtree_or_above_q
from luoshi.accounts.models import Role
from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.orgs.models import Region, Unit
from luoshi.plans import access
from luoshi.plans.diff import MeasureDiff, MeasureSnapshot, diff_measures
from luoshi.plans.errors import PlanError
from luoshi.plans.models import Measure, Plan, PlanImport, PlanStatus

if TYPE_CHECKING:
    from luoshi.accounts.models import User

_READERS = (Role.ADMIN, Role.LEADER, Role.STAFF)


def plans_for(user: User) -> QuerySet[Plan]:
    """The plans `user` may see, newest first, with their measure counts."""
    require_role(user, *_READERS, action="查看行动方案")
    qs = Plan.objects.filter(region_subtree_q(user)).select_related("region", "previous")
    if access.sees_only_published(user):
        qs = qs.filter(status__in=[PlanStatus.PUBLISHED, PlanStatus.ARCHIVED])
    return qs.annotate(measure_count=Count("measures")).order_by("-created_at", "-id")


def plan_get(user: User, plan_id: int) -> Plan:
    plan = Plan.objects.filter(pk=plan_id).select_related("region", "previous", "created_by").first()
    if plan is None or not plans_for(user).filter(pk=plan_id).exists():
        raise NotFound("没有找到该方案,或您无权查看。", code=PlanError.PLAN_NOT_FOUND)
    return plan


def can_edit(user: User, plan: Plan) -> bool:
    """Whether the review controls are shown (the services check again on every write)."""
    if plan.status != PlanStatus.DRAFT:
        return False
    return access.can(user, "plan.review", plan)


def can_edit_details(user: User, plan: Plan) -> bool:
    """Whether the plan's title, year, 文号 and issuer may be edited (draft or published, by its office)."""
    if plan.status == PlanStatus.ARCHIVED:
        return False
    return access.can(user, "plan.review", plan)


def can_import(user: User) -> bool:
    return access.can(user, "plan.import")


def measures_of(user: User, plan: Plan) -> QuerySet[Measure]:
    """Every measure of a plan the user may see, in order, with the resolved units in the same query batch."""
    plan_get(user, plan.pk)
    return (
        Measure.objects.filter(plan=plan)
        .order_by("seq")
        .prefetch_related(
            Prefetch("lead_units", queryset=Unit.objects.only("id", "name")),
            Prefetch("co_units", queryset=Unit.objects.only("id", "name")),
        )
    )


UNKNOWN_UNIT_CHECK = "单位未在机构目录中找到,请确认"


def review_checks(m: Measure) -> list[str]:
    """What a reviewer should check in a measure: the parser's low-confidence readings (a deadline read from
    the text, a target from a scope phrase, a table whose structure was inferred) and units the directory does
    not resolve."""
    checks = [r.get("check") for r in (m.reasons or []) if r.get("check")]
    if any(link.get("status") != "resolved" and not link.get("picked") for link in m.unit_links or []):
        checks.append(UNKNOWN_UNIT_CHECK)
    return list(dict.fromkeys(c for c in checks if c))


def measures_for_review(user: User, plan: Plan) -> list[Measure]:
    """`measures_of`, those a reviewer should check first (each with `review_checks` set), then the rest,
    each group in document order."""
    measures = list(measures_of(user, plan))
    for m in measures:
        m.review_checks = review_checks(m)  # type: ignore[attr-defined]
    return sorted(measures, key=lambda m: (not m.review_checks, m.seq))  # type: ignore[attr-defined]


def measure_get(user: User, measure_id: int) -> Measure:
    measure = Measure.objects.filter(pk=measure_id).select_related("plan", "plan__region").first()
    if measure is None:
        raise NotFound("没有找到该举措,它可能已被合并或删除,请刷新页面。", code=PlanError.MEASURE_NOT_FOUND)
    plan_get(user, measure.plan_id)
    return measure


def own_unit_measure_ids(user: User, plan: Plan) -> set[int]:
    """For staff: the measures their unit leads or shares (highlighted on the review page)."""
    if user.unit_id is None:
        return set()
    return set(
        Measure.objects.filter(plan=plan)
        .filter(Q(lead_units=user.unit_id) | Q(co_units=user.unit_id))
        .values_list("id", flat=True)
    )


def imports_for(user: User) -> QuerySet[PlanImport]:
    require_role(user, Role.ADMIN, action="查看方案导入记录")
    return (
        PlanImport.objects.filter(region_subtree_q(user))
        .select_related("region", "plan")
        .order_by("-created_at")
    )


def import_get(user: User, import_id: int) -> PlanImport:
    imp = imports_for(user).filter(pk=import_id).first()
    if imp is None:
        raise NotFound("没有找到该导入记录,或您无权查看。", code=PlanError.IMPORT_NOT_FOUND)
    return imp


def regions_for_import(user: User) -> QuerySet[Region]:
    require_role(user, Role.ADMIN, action="导入行动方案")
    if user.is_superuser:
        return Region.objects.all()
    if user.region is None:
        raise AccessDenied("您的账号未设置管辖区域,不能导入方案。", code=PlanError.NO_REGION)
    return region_subtree(user.region)


def revisable_plans(user: User) -> QuerySet[Plan]:
    """Plans a new upload may revise: the latest (not archived) plan-kind documents the admin may change."""
    require_role(user, Role.ADMIN, action="导入修订版")
    return plans_for(user).exclude(status=PlanStatus.ARCHIVED).filter(kind="plan")


def units_for_plan(plan: Plan) -> QuerySet[Unit]:
    """Units a reviewer may pick for a measure: active units of the plan's region, the regions below it and
    the regions above it (a city plan names provincial units stationed there)."""
    return (
        Unit.objects.filter(is_active=True)
        .filter(subtree_or_above_q(plan.region))
        .select_related("region")
        .order_by("region__path", "name")
    )


# --- the source text with highlighted measures ---------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    text: str
    measure_id: int | None = None
    seq: int | None = None


def source_segments(plan: Plan, measures: list[Measure]) -> list[Segment]:
    """The source text cut into plain and highlighted pieces; overlapping spans are clipped so every
    character appears once."""
    text = plan.source_text or ""
    spans = sorted(
        (m.span_start, m.span_end, m.pk, m.seq)
        for m in measures
        if m.span_start is not None and m.span_end is not None and m.span_end > m.span_start
    )
    out: list[Segment] = []
    pos = 0
    for start, end, pk, seq in spans:
        start = max(start, pos)
        end = min(end, len(text))
        if end <= start:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], pk, seq))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


# --- revisions ---------------------------------------------------------------------------------------------


def measure_snapshot(m: Measure) -> MeasureSnapshot:
    return MeasureSnapshot(
        key=m.pk,
        seq=m.seq,
        text=m.text,
        title=m.title,
        path=tuple(m.path or []),
        lead_units=tuple(m.lead_units_text or []),
        co_units=tuple(m.co_units_text or []),
        deadline=m.deadline.isoformat() if m.deadline else ("长期坚持" if m.ongoing else None),
        targets=tuple(_target_label(t) for t in m.targets or []),
    )


def _target_label(t: dict[str, Any]) -> str:
    value = t.get("value")
    shown = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    return f"{t.get('metric', '')}{t.get('op', '')}{shown}{t.get('unit', '')}"


def plan_diff(user: User, plan: Plan) -> list[MeasureDiff]:
    """What changed from the revision this plan revises, measure by measure (empty for a first version).
    Computed from the current measures, so it reflects review edits made since the import."""
    plan_get(user, plan.pk)
    if plan.previous_id is None:
        return []
    old = [measure_snapshot(m) for m in Measure.objects.filter(plan_id=plan.previous_id).order_by("seq")]
    new = [measure_snapshot(m) for m in Measure.objects.filter(plan=plan).order_by("seq")]
    return diff_measures(old, new)


# --- the ledger as .xlsx -------------------------------------------------------------------------------------


def plan_ledger_filename(plan: Plan) -> tuple[str, str]:
    """The ledger download's Chinese file name and its ASCII fallback (the page and the API give the same)."""
    return f"{plan.title[:60]}-任务清单.xlsx", f"plan-{plan.pk}.xlsx"


def plan_ledger_xlsx(user: User, plan: Plan) -> bytes:
    """The reviewed ledger in the same .xlsx format the ledger import reads (parser.ledger)."""
    from luoshi.plans.parser.ledger import write_ledger_xlsx

    measures = list(measures_of(user, plan))
    buffer = io.BytesIO()
    write_ledger_xlsx([ledger_row(m) for m in measures], buffer, title=plan.title)
    return buffer.getvalue()


def ledger_row(m: Measure) -> Any:
    from luoshi.plans.parser import ExtractedMeasure, Target

    return ExtractedMeasure(
        seq=m.seq,
        path=list(m.path or []),
        title=m.title or None,
        text=m.text,
        lead_units=list(m.lead_units_text or []),
        co_units=list(m.co_units_text or []),
        deadline=m.deadline,
        deadline_phrase=m.deadline_phrase or None,
        ongoing=m.ongoing,
        targets=[Target(**t) for t in m.targets or [] if t.get("value") is not None],
    )


def plan_history(user: User, plan: Plan, limit: int = 100) -> list[AuditEvent]:
    """The audit trail of a plan and of its measures, newest first (whoever may see the plan may see it)."""
    measure_ids = [str(pk) for pk in plan.measures.values_list("pk", flat=True)]
    q = Q(subject_type="plans.plan", subject_id=str(plan.pk)) | Q(
        subject_type="plans.measure", subject_id__in=measure_ids
    )
    return list(AuditEvent.objects.filter(q).order_by("-at", "-id")[:limit])
