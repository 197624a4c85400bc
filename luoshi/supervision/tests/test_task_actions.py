"""The task page's buttons are the access module's `allowed_actions(user, task)` (templates restate no state
machine); the API returns the same list; a forbidden action posted directly is refused by the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from luoshi.core.errors import AccessDenied, InvalidTransition
from luoshi.supervision import services
from luoshi.supervision.access import HANDLING_ACTIONS, TASK_ACTIONS, allowed_actions
from luoshi.supervision.models import Task, TaskStatus
from luoshi.supervision.services import escalation

pytestmark = pytest.mark.django_db

# what marks each action's button (or form) on the task page
MARKERS = {
    "task.start": 'value="start"',
    "task.resume": 'value="resume"',
    "task.report": 'id="report-form"',
    "task.request_sign_off": 'value="request"',
    "task.sign_off": 'value="sign_off"',
    "task.return": 'value="return"',
    "task.cancel": 'value="cancel"',
    "task.assign": 'id="assign-form"',
    "task.notice": 'id="notice-form"',
    "task.instruct": 'id="instruct-form"',
}
ROLES = ("admin", "staff", "staff_other", "leader")


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def shown(html: str) -> set[str]:
    return {action for action, marker in MARKERS.items() if marker in html}


def _to(task: Task, status: str, users: dict[str, Any]) -> Task:
    if status in (TaskStatus.IN_PROGRESS, TaskStatus.SIGN_OFF_REQUESTED):
        task = services.task_start(task=task, user=users["staff"])
    if status == TaskStatus.SIGN_OFF_REQUESTED:
        task = services.task_request_sign_off(task=task, user=users["staff"], evidence="已完成")
    if status == TaskStatus.RETURNED:
        task = services.task_start(task=task, user=users["staff"])
        task = services.task_request_sign_off(task=task, user=users["staff"], evidence="已完成")
        task = services.task_return(task=task, user=users["admin"], reason="材料不全")
    return Task.objects.get(pk=task.pk)


EXPECTED: dict[str, dict[str, set[str]]] = {
    # status → role → actions (tasks[0]: lead 市发改委 = staff, co 市经信局 = staff_other)
    TaskStatus.NOT_STARTED: {
        "admin": {"task.cancel", "task.assign", "task.notice"},
        "staff": {"task.start", "task.report"},
        "staff_other": {"task.start", "task.report"},
        "leader": {"task.instruct"},
    },
    TaskStatus.IN_PROGRESS: {
        "admin": {"task.cancel", "task.assign", "task.notice"},
        "staff": {"task.report", "task.request_sign_off"},
        "staff_other": {"task.report"},
        "leader": {"task.instruct"},
    },
    TaskStatus.SIGN_OFF_REQUESTED: {
        "admin": {"task.sign_off", "task.return", "task.cancel", "task.assign", "task.notice"},
        "staff": set(),
        "staff_other": set(),
        "leader": {"task.instruct"},
    },
    TaskStatus.RETURNED: {
        "admin": {"task.cancel", "task.assign", "task.notice"},
        "staff": {"task.resume", "task.report"},
        "staff_other": {"task.resume", "task.report"},
        "leader": {"task.instruct"},
    },
}


@pytest.mark.parametrize("status", list(EXPECTED))
def test_buttons_are_allowed_actions_for_each_role(
    tasks: list[Task], users: dict[str, Any], status: str
) -> None:
    task = _to(tasks[0], status, users)
    for role in ROLES:
        user = users[role]
        actions = allowed_actions(user, Task.objects.get(pk=task.pk))
        assert actions == EXPECTED[status][role], (status, role)
        html = client_for(user).get(f"/supervision/tasks/{task.pk}/").content.decode()
        assert shown(html) == set(actions), (status, role)
        assert ("<h2>办理</h2>" in html) == bool(actions & HANDLING_ACTIONS), (status, role)  # never an empty section
        api = client_for(user).get(f"/api/supervision/tasks/{task.pk}").json()
        assert api["allowed_actions"] == sorted(actions), (status, role)


def test_ongoing_task_offers_no_sign_off(tasks: list[Task], users: dict[str, Any]) -> None:
    ongoing = tasks[1]  # 长期坚持, lead 市经信局
    services.task_start(task=ongoing, user=users["staff_other"])
    ongoing = Task.objects.get(pk=ongoing.pk)
    assert "task.request_sign_off" not in allowed_actions(users["staff_other"], ongoing)


def test_closed_task_offers_nothing_but_reading(tasks: list[Task], users: dict[str, Any]) -> None:
    task = _to(tasks[0], TaskStatus.SIGN_OFF_REQUESTED, users)
    task = services.task_sign_off(task=task, user=users["admin"])
    for role in ROLES:
        assert allowed_actions(users[role], task) <= {"task.instruct"}, role
    assert allowed_actions(users["admin_jz"], task) == frozenset()
    assert allowed_actions(users["enterprise"], task) == frozenset()
    assert set(TASK_ACTIONS) == set(MARKERS)


def test_forbidden_actions_posted_directly_are_refused(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    task = tasks[0]
    url = f"/supervision/tasks/{task.pk}/"
    # department staff cannot sign off, assign units, issue 督办 or write 批示
    staff = client_for(users["staff"])
    assert (
        staff.post(url + "action/", {"action": "cancel", "reason": "x", "version": task.version}).status_code
        == 403
    )
    assert (
        staff.post(url + "assign/", {"lead": units["jm_jxj"].pk, "version": task.version}).status_code == 403
    )
    assert (
        staff.post(url + "notice/", {"unit": units["jm_fgw"].pk, "reply_deadline": "2099-01-01"}).status_code
        == 403
    )
    assert staff.post(url + "instruct/", {"text": "抓紧"}).status_code == 403
    # the co-unit cannot ask for sign-off; the office cannot file a unit's progress
    task = _to(task, TaskStatus.IN_PROGRESS, users)
    co = client_for(users["staff_other"])
    co.post(url + "action/", {"action": "request", "evidence": "完成", "version": task.version})
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS
    with pytest.raises(AccessDenied):
        services.task_request_sign_off(task=task, user=users["staff_other"], evidence="完成")
    # the leader changes nothing but writes 批示; the office writes no 批示
    leader = client_for(users["leader"])
    assert (
        leader.post(url + "action/", {"action": "cancel", "reason": "x", "version": task.version}).status_code
        == 403
    )
    with pytest.raises(AccessDenied):
        escalation.instruction_add(task=task, user=users["admin"], text="抓紧")
    # a signed-off task takes no 督办单 even when posted directly
    task = services.task_request_sign_off(task=task, user=users["staff"], evidence="完成")
    task = services.task_sign_off(task=task, user=users["admin"])
    with pytest.raises(InvalidTransition):
        services.notice_issue(
            user=users["admin"], unit=units["jm_fgw"], tasks=[task], reply_deadline=dt.date(2099, 1, 1)
        )
    before = task.version
    client_for(users["admin"]).post(
        url + "action/", {"action": "return", "reason": "再看看", "version": task.version}
    )
    assert Task.objects.get(pk=task.pk).version == before  # refused: nothing written


def test_templates_restate_no_state_machine() -> None:
    from pathlib import Path

    html = (Path(__file__).parents[1] / "templates/supervision/task_detail.html").read_text(encoding="utf-8")
    for leak in ("is_office", "is_leader", 't.status == "', 't.status != "', "d.my_assignment.is_lead"):
        if leak == 't.status == "':  # showing the last return reason is display, not a button
            assert html.count(leak) <= 1
            continue
        assert leak not in html, leak
