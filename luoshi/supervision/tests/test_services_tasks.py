"""Plan sync and the status machine: every transition allowed and refused, roles, four-eyes, conflicts."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, ValidationFailed
from luoshi.supervision import services
from luoshi.supervision.models import Assignment, Review, Task, TaskStatus, WarningThresholds
from luoshi.supervision.services.tasks import TRANSITIONS

pytestmark = pytest.mark.django_db
S = TaskStatus


def test_sync_creates_one_task_per_measure_and_one_assignment_per_unit(
    tasks: list[Task], units: dict[str, Any]
) -> None:
    t1, t2 = tasks
    assert Task.objects.count() == 2
    rows = {a.unit_id: a.is_lead for a in Assignment.objects.filter(task=t1)}
    assert rows == {units["jm_fgw"].pk: True, units["jm_jxj"].pk: False}
    assert t1.deadline == dt.date(2026, 12, 31) and not t1.ongoing
    assert t2.ongoing and t2.deadline is None
    assert t1.reporting_cycle == "monthly"
    assert AuditEvent.objects.filter(action="task.created").count() == 2


def test_sync_is_idempotent_updates_revised_and_cancels_removed(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    plan = tasks[0].plan
    events = AuditEvent.objects.count()
    again = services.tasks_sync_from_plan(plan=plan, actor=users["admin"])
    assert [t.pk for t in again] == [t.pk for t in tasks]
    assert AuditEvent.objects.count() == events  # nothing changed, nothing recorded
    m1, m2 = plan.measures.order_by("seq")
    m1.deadline = dt.date(2026, 10, 31)
    m1.save()
    m1.co_units.clear()
    m2.delete()
    services.tasks_sync_from_plan(plan=plan, actor=users["admin"])
    t1 = Task.objects.get(pk=tasks[0].pk)
    assert t1.deadline == dt.date(2026, 10, 31)
    assert AuditEvent.objects.filter(action="task.revised", subject_id=str(t1.pk)).exists()
    assert not Assignment.objects.get(task=t1, unit=units["jm_jxj"]).active
    assert Task.objects.get(pk=tasks[1].pk).status == S.CANCELLED


def test_revision_carries_tasks_over(tasks: list[Task], users: dict[str, Any], make_plan: Any) -> None:
    from luoshi.plans.models import Plan

    old = tasks[0].plan
    new = make_plan(title="测试行动方案(修订)")
    Plan.objects.filter(pk=new.pk).update(previous=old, revision=2)
    new.refresh_from_db()
    out = services.tasks_sync_from_plan(plan=new, actor=users["admin"])
    assert {t.pk for t in out} == {t.pk for t in tasks}
    assert Task.objects.filter(plan=new).count() == 2


def test_sync_refuses_non_office(make_plan: Any, users: dict[str, Any]) -> None:
    plan = make_plan()
    for who in ("staff", "leader", "admin_jz"):
        with pytest.raises(AccessDenied):
            services.tasks_sync_from_plan(plan=plan, actor=users[who])


def _actor_for(who: str, users: dict[str, Any]) -> Any:
    return users["admin"] if who == "office" else users["staff"]


ALL = [s.value for s in TaskStatus]


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(ALL, ALL)))
def test_every_transition(frm: str, to: str, tasks: list[Task], users: dict[str, Any]) -> None:
    task = tasks[0]
    Task.objects.filter(pk=task.pk).update(status=frm)
    task.refresh_from_db()
    who = TRANSITIONS.get((frm, to))
    kw: dict[str, Any] = {"reason": "需补充佐证", "evidence": "已全部完成,见附件"}
    if who is None or who == "system":
        with pytest.raises(InvalidTransition) as info:
            services.task_transition(task=task, to=to, user=users["admin"], **kw)
        assert "不能变更为" in info.value.message
        assert Task.objects.get(pk=task.pk).status == frm
        return
    actor = _actor_for(who, users)
    out = services.task_transition(task=task, to=to, user=actor, **kw)
    assert out.status == to
    assert AuditEvent.objects.filter(action=f"task.{to}", subject_id=str(task.pk)).exists()
    # the other side may not make the same move
    other = users["staff"] if who == "office" else users["admin"]
    Task.objects.filter(pk=task.pk).update(status=frm)
    task.refresh_from_db()
    with pytest.raises(AccessDenied):
        services.task_transition(task=task, to=to, user=other, **kw)


def test_refusals_by_role(tasks: list[Task], users: dict[str, Any]) -> None:
    task = tasks[0]
    Task.objects.filter(pk=task.pk).update(status=S.SIGN_OFF_REQUESTED)
    task.refresh_from_db()
    for who in ("leader", "observer"):
        with pytest.raises(AccessDenied):
            services.task_sign_off(task=task, user=users[who])
    with pytest.raises(AccessDenied):  # an office of another region
        services.task_sign_off(task=task, user=users["admin_jz"])
    Task.objects.filter(pk=task.pk).update(status=S.IN_PROGRESS)
    task.refresh_from_db()
    with pytest.raises(AccessDenied):  # a co-unit may not request sign-off; only the lead unit
        services.task_request_sign_off(task=task, user=users["staff_other"], evidence="完成")


def test_return_needs_a_reason_and_counts(tasks: list[Task], users: dict[str, Any]) -> None:
    task = tasks[0]
    Task.objects.filter(pk=task.pk).update(status=S.SIGN_OFF_REQUESTED)
    task.refresh_from_db()
    with pytest.raises(ValidationFailed):
        services.task_return(task=task, user=users["admin"], reason=" ")
    for i in range(2):
        task = services.task_return(task=task, user=users["admin"], reason=f"佐证不足{i}")
        task = services.task_transition(task=task, to=S.IN_PROGRESS, user=users["staff"])
        task = services.task_request_sign_off(task=task, user=users["staff"], evidence="再次申请")
    assert task.returns_count == 2
    assert task.colour == "red"  # returned twice
    assert "退回2次" in task.colour_reason
    assert Review.objects.filter(task=task, decision="returned").count() == 2


def test_request_needs_evidence(tasks: list[Task], users: dict[str, Any]) -> None:
    task = tasks[0]
    Task.objects.filter(pk=task.pk).update(status=S.IN_PROGRESS)
    task.refresh_from_db()
    with pytest.raises(ValidationFailed):
        services.task_request_sign_off(task=task, user=users["staff"], evidence="")


def test_ongoing_tasks_never_sign_off(tasks: list[Task], users: dict[str, Any]) -> None:
    ongoing = tasks[1]
    Task.objects.filter(pk=ongoing.pk).update(status=S.IN_PROGRESS)
    ongoing.refresh_from_db()
    with pytest.raises(InvalidTransition, match="长期坚持"):
        services.task_request_sign_off(task=ongoing, user=users["staff_other"], evidence="完成")


def test_four_eyes_sign_off(tasks: list[Task], users: dict[str, Any], regions: dict[str, Any]) -> None:
    from luoshi.accounts.models import Role
    from luoshi.accounts.services import user_create

    task = tasks[0]
    WarningThresholds.objects.filter(plan=task.plan).update(require_second_signoff=True)
    Task.objects.filter(pk=task.pk).update(status=S.SIGN_OFF_REQUESTED)
    task.refresh_from_db()
    task = services.task_sign_off(task=task, user=users["admin"])
    assert task.status == S.SIGN_OFF_REQUESTED and task.first_approved_by_id == users["admin"].pk
    with pytest.raises(InvalidTransition, match="另一位"):
        services.task_sign_off(task=task, user=users["admin"])
    second = user_create(
        username="admin2", password="Test-password-2025", role=Role.ADMIN, region=regions["jingmen"]
    )
    task = services.task_sign_off(task=task, user=second)
    assert task.status == S.SIGNED_OFF and task.signed_off_by_id == second.pk
    assert task.colour == "green" and task.colour_reason == "已销号"


def test_concurrent_edit_second_save_is_refused(tasks: list[Task], users: dict[str, Any]) -> None:
    task = tasks[0]
    Task.objects.filter(pk=task.pk).update(status=S.SIGN_OFF_REQUESTED)
    first = Task.objects.get(pk=task.pk)
    second = Task.objects.get(pk=task.pk)  # loaded by another person at the same time
    services.task_sign_off(task=first, user=users["admin"])
    with pytest.raises(Conflict):
        services.task_return(task=second, user=users["admin"], reason="晚到的退回")
    assert Task.objects.get(pk=task.pk).status == S.SIGNED_OFF


def test_overdue_is_derived(tasks: list[Task]) -> None:
    task = tasks[0]
    assert task.is_overdue(dt.date(2027, 1, 1))
    assert not task.is_overdue(dt.date(2026, 12, 31))
    task.status = S.SIGNED_OFF
    assert not task.is_overdue(dt.date(2027, 1, 1))
    assert not tasks[1].is_overdue(dt.date(2099, 1, 1))


def test_cycle_override(tasks: list[Task], users: dict[str, Any]) -> None:
    task = services.task_set_cycle(task=tasks[0], user=users["admin"], cycle="biweekly")
    assert task.reporting_cycle == "biweekly" and task.cycle_overridden
    services.tasks_sync_from_plan(plan=task.plan, actor=users["admin"])
    assert Task.objects.get(pk=task.pk).reporting_cycle == "biweekly"  # the override survives a re-sync
    with pytest.raises(AccessDenied):
        services.task_set_cycle(task=task, user=users["staff"], cycle="weekly")
