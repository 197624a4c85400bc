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

from collections.abc import Callable, Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from luoshi.accounts.access import (
    Policy,
    in_region,
    is_leader,
    is_office_admin,
    is_unit_staff,
    own_unit,
    predicate,
    region_contains,
    region_subtree_q,
)
from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Assignment,
    NoticeStatus,
    SupervisionNotice,
    Task,
    TaskStatus,
)


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
        raise NotFound("未找到该任务,或您无权查看。", code=SupervisionError.TASK_NOT_FOUND)


def require_office(user: User | None, task: Task | None = None, action: str = "执行此操作") -> None:
    """Office (营商办) only, within the task's region."""
    if user is None or user.is_superuser:
        return
    if user.role != Role.ADMIN:
        raise AccessDenied(f"只有营商办管理员可以{action};您的角色为{user.get_role_display()}。", code=SupervisionError.OFFICE_ONLY)
    if task is not None and not region_contains(user.region, task.region):
        raise AccessDenied(f"该任务不在您的管辖区域内,您不能{action}。", code=SupervisionError.OUTSIDE_REGION)


def require_unit_of(user: User | None, assignment: Assignment, action: str = "填报进展") -> None:
    """Unit staff of exactly this assignment's unit."""
    if user is None:
        return
    if user.role != Role.STAFF or user.unit_id is None:
        raise AccessDenied(f"只有责任单位的工作人员可以{action};您的角色为{user.get_role_display()}。", code=SupervisionError.UNIT_STAFF_ONLY)
    if user.unit_id != assignment.unit_id:
        raise AccessDenied(f"您只能为本单位({user.unit})承担的任务{action},该分工属于其他单位。", code=SupervisionError.NOT_YOUR_UNIT)
    if not assignment.active:
        raise AccessDenied(f"本单位已不再承担该任务,不能{action}。", code=SupervisionError.ASSIGNMENT_ENDED)


# --- what a user may do on one task: the buttons of the task page and `allowed_actions` of the API ------------
S = TaskStatus

# The status machine: (from, to) -> who may make the move: "unit" (staff of an active assignment; "lead" = of a
# lead assignment), "office" (营商办 in the task's region), "system" (plan sync only). Services enforce it
# (services/tasks.py); pages and the API derive their buttons from it through `allowed_actions`.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.NOT_STARTED, S.IN_PROGRESS): "unit",
    (S.IN_PROGRESS, S.SIGN_OFF_REQUESTED): "lead",
    (S.SIGN_OFF_REQUESTED, S.SIGNED_OFF): "office",
    (S.SIGN_OFF_REQUESTED, S.RETURNED): "office",
    (S.RETURNED, S.IN_PROGRESS): "unit",
    (S.NOT_STARTED, S.CANCELLED): "office",
    (S.IN_PROGRESS, S.CANCELLED): "office",
    (S.SIGN_OFF_REQUESTED, S.CANCELLED): "office",
    (S.RETURNED, S.CANCELLED): "office",
    (S.CANCELLED, S.NOT_STARTED): "system",
}


def _active_assignments(task: Task) -> list[Assignment]:
    """The task's active assignments, loaded once per task object (the page asks several rules)."""
    cached = getattr(task, "_active_assignments", None)
    if cached is None:
        cached = [a for a in task.assignments.all() if a.active]
        task._active_assignments = cached  # type: ignore[attr-defined]
    return cached


@predicate
def holds_task(user: User | None, task: Task) -> bool:
    """The user's unit has an active assignment on the task."""
    return (
        user is not None
        and user.unit_id is not None
        and any(a.unit_id == user.unit_id for a in _active_assignments(task))
    )


@predicate
def leads_task(user: User | None, task: Task) -> bool:
    return (
        user is not None
        and user.unit_id is not None
        and any(a.unit_id == user.unit_id and a.is_lead for a in _active_assignments(task))
    )


_WHO = {
    "unit": is_unit_staff & holds_task,
    "lead": is_unit_staff & leads_task,
    "office": is_office_admin & in_region,
}

policy = Policy(
    "supervision",
    labels={
        "task.start": "启动该任务",
        "task.resume": "恢复推进该任务",
        "task.report": "为该任务填报进展",
        "task.request_sign_off": "申请该任务销号",
        "task.sign_off": "同意该任务销号",
        "task.return": "退回该任务的销号申请",
        "task.cancel": "撤销该任务",
        "task.assign": "指定该任务的责任单位",
        "task.notice": "对该任务下发督办单",
        "task.instruct": "对该任务作出批示",
        "notice.answer": "回复该督办单",
        "notice.close": "办结该督办单",
    },
)
policy.rule("task.start", _WHO[TRANSITIONS[(S.NOT_STARTED, S.IN_PROGRESS)]])
policy.rule("task.resume", _WHO[TRANSITIONS[(S.RETURNED, S.IN_PROGRESS)]])
policy.rule("task.report", is_unit_staff & holds_task)
policy.rule("task.request_sign_off", _WHO[TRANSITIONS[(S.IN_PROGRESS, S.SIGN_OFF_REQUESTED)]])
policy.rule("task.sign_off", _WHO[TRANSITIONS[(S.SIGN_OFF_REQUESTED, S.SIGNED_OFF)]])
policy.rule("task.return", _WHO[TRANSITIONS[(S.SIGN_OFF_REQUESTED, S.RETURNED)]])
policy.rule("task.cancel", is_office_admin & in_region)
policy.rule("task.assign", is_office_admin & in_region)
policy.rule("task.notice", is_office_admin & in_region)
policy.rule("task.instruct", is_leader & in_region)
# a 督办单: the unit it was sent to answers it; the office of its region closes it
policy.rule("notice.answer", is_unit_staff & own_unit)
policy.rule("notice.close", is_office_admin & in_region)


def _moves(target: str) -> Callable[[User | None, Task], bool]:
    """The task's status may move to `target` (by anyone but the system)."""
    return lambda user, task: TRANSITIONS.get((task.status, target), "system") != "system"


# What must hold of the task itself (its state; for a unit's actions, that the unit holds it — a superuser has no
# unit). The policy says who; this says when. Both together are `allowed_actions`.
_WHEN: dict[str, Callable[[User | None, Task], bool]] = {
    "task.start": lambda u, t: t.status == S.NOT_STARTED and holds_task(u, t),
    "task.resume": lambda u, t: t.status == S.RETURNED and holds_task(u, t),
    "task.report": lambda u, t: t.status in OPEN_STATUSES and holds_task(u, t),
    "task.request_sign_off": lambda u, t: (
        _moves(S.SIGN_OFF_REQUESTED)(u, t) and not t.ongoing and leads_task(u, t)
    ),
    "task.sign_off": _moves(S.SIGNED_OFF),
    "task.return": _moves(S.RETURNED),
    "task.cancel": _moves(S.CANCELLED),
    "task.assign": lambda u, t: t.status in LIVE_STATUSES,
    "task.notice": lambda u, t: t.status in LIVE_STATUSES and bool(_active_assignments(t)),
    "task.instruct": lambda u, t: t.status != S.CANCELLED,
}
TASK_ACTIONS = tuple(_WHEN)
# the actions of the page's "办理" section (a unit's report and a leader's 批示 have their own sections)
HANDLING_ACTIONS = frozenset(TASK_ACTIONS) - {"task.report", "task.instruct", "task.assign"}


def allowed_actions(user: User | None, task: Task, actions: Iterable[str] = TASK_ACTIONS) -> frozenset[str]:
    """The actions `user` may take on `task` now: the task page shows exactly these buttons, the API returns them.
    Services refuse anything else on their own (they check the same machine and roles)."""
    names = [a for a in actions if _WHEN[a](user, task)]
    return policy.allowed_actions(user, task, names) if names else frozenset()


_NOTICE_WHEN: dict[str, Callable[[SupervisionNotice], bool]] = {
    "notice.answer": lambda n: n.status == NoticeStatus.ISSUED,
    "notice.close": lambda n: n.status == NoticeStatus.ANSWERED,
}
NOTICE_ACTIONS = tuple(_NOTICE_WHEN)


def notice_allowed_actions(user: User | None, notice: SupervisionNotice) -> frozenset[str]:
    """The actions `user` may take on a 督办单 now (the notice page shows exactly these forms). The services
    refuse anything else with their own message (they check the same roles and states)."""
    names = [a for a in NOTICE_ACTIONS if _NOTICE_WHEN[a](notice)]
    return policy.allowed_actions(user, notice, names) if names else frozenset()


def can(user: User | None, action: str, task: Task) -> bool:
    return action in allowed_actions(user, task, [action])


def require(user: User | None, action: str, task: Task, message: str = "") -> None:
    """Raise AccessDenied unless `user` may take `action` on `task` now."""
    if not can(user, action, task):
        label = policy.labels.get(action, "执行此操作")
        raise AccessDenied(message or f"您无权{label},或该任务当前状态({task.get_status_display()})不允许。", code=SupervisionError.ACTION_NOT_ALLOWED)


__all__ = [
    "HANDLING_ACTIONS",
    "NOTICE_ACTIONS",
    "TASK_ACTIONS",
    "TRANSITIONS",
    "allowed_actions",
    "can",
    "notice_allowed_actions",
    "policy",
    "require",
]
