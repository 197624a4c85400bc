"""Who may see and act on a task. Used by selectors (reads) and services (writes), so pages, the API,
commands and jobs share the same rules.

- 营商办管理员 (office): every task of their region subtree; reviews, signs off, returns, issues 督办.
- 部门工作人员 (unit staff): tasks their unit has an active assignment on; files that unit's reports only.
  Co-assigned units share the task (issue 15, decided): staff of any unit actively assigned to a task — lead or
  co-responsible — read every unit's reports and evidence on that task, because the lead unit rolls the task up
  and coordinates the others, and each unit must see what is still missing. They never write another unit's
  report. A unit whose assignment is removed (inactive) loses the task, its reports and its evidence at once;
  staff of a unit not on the task see none of it (404, as for a task that does not exist). See
  `can_read_reports`.
- 领导 (leader): reads every task of their region subtree; changes nothing.
- enterprise users and observers: no task.
- user None: the system (jobs, demo, commands) sees everything.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from luoshi.accounts.access import region_contains, region_subtree_q
from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.supervision.models import Assignment, Task


def is_office(user: User | None) -> bool:
    return user is None or user.is_superuser or user.role == Role.ADMIN


def task_scope_q(user: User | None) -> Q:
    """A filter on Task keeping the tasks `user` may see."""
    if user is None or user.is_superuser:
        return Q()
    if user.role in (Role.ADMIN, Role.LEADER):
        return region_subtree_q(user, "region")
    if user.role == Role.STAFF and user.unit_id is not None:
        return Q(Exists(Assignment.objects.filter(task=OuterRef("pk"), unit_id=user.unit_id, active=True)))
    return Q(pk__in=[])


def visible_tasks(user: User | None) -> QuerySet[Task]:
    return Task.objects.filter(task_scope_q(user))


def can_see_task(user: User | None, task: Task) -> bool:
    if user is None or user.is_superuser:
        return True
    if user.role in (Role.ADMIN, Role.LEADER):
        return region_contains(user.region, task.region)
    if user.role == Role.STAFF and user.unit_id is not None:
        return Assignment.objects.filter(task=task, unit_id=user.unit_id, active=True).exists()
    return False


def can_read_reports(user: User | None, task: Task) -> bool:
    """Whether `user` may read the reports and evidence of every unit on `task`: exactly those who may see the
    task (co-assigned units included, see the module docstring)."""
    return can_see_task(user, task)


def require_see_task(user: User | None, task: Task) -> None:
    if not can_see_task(user, task):
        # Same answer as a missing task: do not reveal what exists elsewhere.
        raise NotFound("未找到该任务,或您无权查看。")


def require_office(user: User | None, task: Task | None = None, action: str = "执行此操作") -> None:
    """Office (营商办) only, within the task's region."""
    if user is None or user.is_superuser:
        return
    if user.role != Role.ADMIN:
        raise AccessDenied(f"只有营商办管理员可以{action};您的角色为{user.get_role_display()}。")
    if task is not None and not region_contains(user.region, task.region):
        raise AccessDenied(f"该任务不在您的管辖区域内,您不能{action}。")


def require_unit_of(user: User | None, assignment: Assignment, action: str = "填报进展") -> None:
    """Unit staff of exactly this assignment's unit."""
    if user is None:
        return
    if user.role != Role.STAFF or user.unit_id is None:
        raise AccessDenied(f"只有责任单位的工作人员可以{action};您的角色为{user.get_role_display()}。")
    if user.unit_id != assignment.unit_id:
        raise AccessDenied(f"您只能为本单位({user.unit})承担的任务{action},该分工属于其他单位。")
    if not assignment.active:
        raise AccessDenied(f"本单位已不再承担该任务,不能{action}。")
