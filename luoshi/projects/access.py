"""Who may see and change major projects. Selectors, services, pages and the API all ask here.

- 营商办管理员: every project of their region subtree; creates, edits, imports, sets time-limit rules.
- 领导: reads every project of their region subtree; changes nothing.
- 部门工作人员: the projects their unit is responsible for, or has a problem to solve on; resolves their
  unit's problems.
- enterprise users and observers: no project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from luoshi.accounts.access import (
    Policy,
    in_region,
    is_government,
    is_office_admin,
    is_reader,
    is_staff_role,
    is_unit_staff,
    own_unit,
    predicate,
    region_contains,
    region_subtree_q,
)
from luoshi.core.errors import AccessDenied
from luoshi.projects.errors import ProjectError
from luoshi.projects.models import Project, ProjectProblem

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region


@predicate
def _problem_region(user: Any, problem: Any) -> bool:
    region = getattr(getattr(problem, "project", None), "region", None)
    return region is not None and user.region is not None and region_contains(user.region, region)


policy = Policy(
    "projects",
    labels={
        "project.view": "查看重大项目",
        "project.create": "新建重大项目",
        "project.import": "导入重大项目台账",
        "project.manage": "修改重大项目",
        "rules.manage": "修改节点时限规则",
        "problem.resolve": "填写问题解决情况",
        "regions.filter": "按区域筛选",
    },
)
policy.rule("project.view", is_government)
policy.rule("project.create", is_office_admin)
policy.rule("project.import", is_office_admin)
policy.rule("rules.manage", is_office_admin)
policy.rule("regions.filter", is_reader)
policy.rule("project.manage", is_office_admin & in_region)  # obj: a project or a region
policy.rule("problem.resolve", (is_staff_role & own_unit) | (is_office_admin & _problem_region))

can = policy.can
allowed_actions = policy.allowed_actions


def visible_projects(user: User | None) -> QuerySet[Project]:
    """The scoped queryset: the projects `user` may see."""
    qs = Project.objects.all()
    if user is None or user.is_superuser:
        return qs
    if is_reader(user):
        return qs.filter(region_subtree_q(user))
    if is_unit_staff(user) and user.unit_id is not None:
        through = Project.units.through.objects.filter(project_id=OuterRef("pk"), unit_id=user.unit_id)
        problems = ProjectProblem.objects.filter(project_id=OuterRef("pk"), unit_id=user.unit_id)
        return qs.filter(Q(Exists(through)) | Q(Exists(problems)))
    return qs.none()


def require_can_view_projects(user: User | None) -> None:
    if user is None or policy.can(user, "project.view"):
        return
    raise AccessDenied(f"您的角色({user.get_role_display()})无权查看重大项目。", code=ProjectError.NO_ACCESS)


def unit_problems(user: User) -> QuerySet[ProjectProblem]:
    """Open problems assigned to the user's unit (staff) — their to-do list."""
    if not is_unit_staff(user) or user.unit_id is None:
        return ProjectProblem.objects.none()
    return ProjectProblem.objects.filter(unit_id=user.unit_id, status="open").select_related("project")


def can_manage(user: User, region: Region) -> bool:
    """Whether `user` may change projects in `region` (the services check again)."""
    return policy.can(user, "project.manage", region)


def can_resolve(user: User, problem: ProjectProblem, region: Region) -> bool:
    if problem.status != "open":
        return False
    return can_manage(user, region) or (is_staff_role(user) and own_unit(user, problem))


def require_can_resolve(user: User | None, problem: ProjectProblem) -> None:
    from luoshi.accounts.access import require_can_change

    require_can_change(user)
    if not policy.can(user, "problem.resolve", problem):
        if is_office_admin(user):
            raise AccessDenied(
                "您无权处理该项目问题:不在您的管辖区域内。", code=ProjectError.PROBLEM_NOT_YOURS
            )
        raise AccessDenied(
            "只有问题的责任单位或营商办管理员可以填写解决情况。", code=ProjectError.PROBLEM_NOT_YOURS
        )
