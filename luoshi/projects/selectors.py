"""Scoped reads of the project ledger.

- 营商办管理员 and 领导: every project in their region subtree (leaders read only);
- 部门工作人员: the projects their unit is responsible for, or has a problem to solve on;
- enterprise users and observers: none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from luoshi.accounts.access import region_ancestor_ids, subtree_q
from luoshi.audit.models import AuditEvent
from luoshi.core.errors import NotFound
from luoshi.projects import access
from luoshi.projects.models import Milestone, MilestoneRule, Project, ProjectProblem

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region

# the scoped queryset and the permission questions live in the access module
projects_for = access.visible_projects
problems_for_unit = access.unit_problems
require_can_view_projects = access.require_can_view_projects
can_manage = access.can_manage
can_resolve = access.can_resolve


@dataclass(frozen=True)
class LedgerFilters:
    level: str = ""
    region: int | None = None
    colour: str = ""
    status: str = ""
    q: str = ""


def ledger(user: User | None, filters: LedgerFilters) -> QuerySet[Project]:
    """The project ledger as `user` may see it, filtered; region and units fetched with the rows."""
    require_can_view_projects(user)
    qs = projects_for(user)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.region:
        from luoshi.orgs.models import Region

        region = Region.objects.filter(pk=filters.region).only("path").first()
        qs = qs.filter(subtree_q(region)) if region else qs.none()
    if filters.colour:
        qs = qs.filter(colour="" if filters.colour == "none" else filters.colour)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(code__icontains=term)
            | Q(owner_name__icontains=term)
            | Q(leader_name__icontains=term)
        )
    return qs.select_related("region").prefetch_related("units").order_by("region_id", "code")


def project_get(user: User, pk: int) -> Project:
    """One project with its milestones, problems and units, or NotFound when `user` may not see it."""
    require_can_view_projects(user)
    project = (
        projects_for(user)
        .select_related("region", "owner_enterprise", "leader_user")
        .prefetch_related(
            "units",
            Prefetch("milestones", queryset=Milestone.objects.order_by("id")),
            Prefetch(
                "problems", queryset=ProjectProblem.objects.select_related("unit", "raised_by", "resolved_by")
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise NotFound("未找到该项目,或您无权查看。")
    return project


def problem_get(user: User, pk: int) -> ProjectProblem:
    visible = projects_for(user).values("pk")
    problem = (
        ProjectProblem.objects.select_related("project", "unit").filter(pk=pk, project__in=visible).first()
    )
    if problem is None:
        raise NotFound("未找到该问题,或您无权查看。")
    return problem


def history_for(project: Project) -> QuerySet[AuditEvent]:
    """The audit history of a project: its own events (milestones, colours) and those of its problems.
    Callers have already checked that the user may see the project."""
    problem_ids = [str(pk) for pk in project.problems.values_list("pk", flat=True)]
    return (
        AuditEvent.objects.filter(
            Q(subject_type=Project._meta.label_lower, subject_id=str(project.pk))
            | Q(subject_type=ProjectProblem._meta.label_lower, subject_id__in=problem_ids)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def rules_for_region(region: Region | None) -> QuerySet[MilestoneRule]:
    """Rules that apply in `region`: its own, its ancestors' and the global ones (caller picks the nearest)."""
    if region is None:
        return MilestoneRule.objects.filter(region__isnull=True)
    ancestor_ids = region_ancestor_ids(region)
    return MilestoneRule.objects.filter(
        Q(region__isnull=True) | Q(region_id__in=ancestor_ids)
    ).select_related("region")


def rules_visible_to(user: User) -> QuerySet[MilestoneRule]:
    require_can_view_projects(user)
    if user.is_superuser:
        return MilestoneRule.objects.select_related("region").order_by("region_id", "from_kind")
    region = user.region or (user.unit.region if user.unit else None)
    return rules_for_region(region).order_by("region_id", "from_kind")







def colour_counts(qs: QuerySet[Project]) -> dict[str, int]:
    from django.db.models import Count

    counts = {"green": 0, "yellow": 0, "red": 0, "": 0}
    for row in qs.order_by().values("colour").annotate(n=Count("pk")):
        counts[row["colour"]] = row["n"]
    return counts
