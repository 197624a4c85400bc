"""Dead tasks after publishing, figures that stay true, escalation that reaches leaders — each point with its
refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from luoshi.notifications.models import Notification
from luoshi.supervision import selectors, services
from luoshi.supervision.models import (
    Assignment,
    Instruction,
    NotificationKind,
    ProgressReport,
    SupervisionNotice,
    Task,
    WarningThresholds,
)
from luoshi.supervision.services import assignments, escalation

pytestmark = pytest.mark.django_db


@pytest.fixture
def unassigned(make_plan: Any, users: dict[str, Any]) -> Task:
    plan = make_plan(
        [{"text": "完善重大项目审批绿色通道。", "deadline": dt.date(2026, 12, 31), "lead": [], "co": []}]
    )
    (task,) = services.tasks_sync_from_plan(plan=plan, actor=users["admin"], today=dt.date(2026, 1, 5))
    return task


def test_office_assigns_units_after_publishing_audited_and_notified(
    unassigned: Task, users: dict[str, Any], units: dict[str, Any]
) -> None:
    assert unassigned.colour == "yellow" and "尚未指定责任单位" in unassigned.colour_reason
    assert list(selectors.unassigned_tasks(users["admin"])) == [unassigned]
    task = assignments.task_assign_units(
        task=unassigned,
        user=users["admin"],
        lead_unit_ids=[units["jm_fgw"].pk],
        co_unit_ids=[units["jm_jxj"].pk],
    )
    assert task.lead_units_text == "荆门市发展和改革委员会" and task.co_units_text == "荆门市经济和信息化局"
    assert task.colour == "green"
    assert list(selectors.unassigned_tasks(users["admin"])) == []
    event = AuditEvent.objects.get(action="task.units_assigned")
    assert event.before == {"lead_units": [], "co_units": []}
    assert event.after == {"lead_units": ["荆门市发展和改革委员会"], "co_units": ["荆门市经济和信息化局"]}
    told = set(
        Notification.objects.filter(kind=NotificationKind.ASSIGNED).values_list("user__username", flat=True)
    )
    assert told == {"staff", "staff_other"}
    # reassign: the lead moves, the dropped unit keeps its history (deactivated), only the new one is told
    Notification.objects.all().delete()
    task = assignments.task_assign_units(task=task, user=users["admin"], lead_unit_ids=[units["jm_jxj"].pk])
    assert not Assignment.objects.get(task=task, unit=units["jm_fgw"]).active
    assert Assignment.objects.get(task=task, unit=units["jm_jxj"]).is_lead
    assert not Notification.objects.filter(kind=NotificationKind.ASSIGNED).exists()  # jxj already held it


def test_assigning_units_is_refused_to_others_and_checked(
    unassigned: Task, users: dict[str, Any], units: dict[str, Any]
) -> None:
    for who in ("staff", "leader", "admin_jz"):
        with pytest.raises(AccessDenied):
            assignments.task_assign_units(
                task=unassigned, user=users[who], lead_unit_ids=[units["jm_fgw"].pk]
            )
    with pytest.raises(ValidationFailed, match="牵头单位"):
        assignments.task_assign_units(task=unassigned, user=users["admin"], lead_unit_ids=[])
    with pytest.raises(ValidationFailed, match="不属于本任务所在区域"):
        assignments.task_assign_units(
            task=unassigned, user=users["admin"], lead_unit_ids=[units["jz_fgw"].pk]
        )
    assert not AuditEvent.objects.filter(action="task.units_assigned").exists()
    client = Client()
    client.force_login(users["staff"])
    assert (
        client.post(f"/supervision/tasks/{unassigned.pk}/assign/", {"lead": units["jm_fgw"].pk}).status_code
        == 404
    )


def test_reasons_are_recomputed_every_sweep(tasks: list[Task]) -> None:
    services.sweep(dt.date(2027, 1, 5))
    first = Task.objects.get(pk=tasks[0].pk)
    assert first.colour == "red" and "已超过完成时限2个工作日" in first.reason_on(dt.date(2027, 1, 5))
    services.sweep(dt.date(2027, 1, 12))
    again = Task.objects.get(pk=tasks[0].pk)
    assert (
        again.colour == "red" and "已超过完成时限7个工作日" in again.reason_on(dt.date(2027, 1, 12))
    )  # no colour change, fresh figure
    assert again.colour_changed_on == dt.date(2027, 1, 5)
    assert f"{again.missed_count}次未按期报送" in again.reason_on(dt.date(2027, 1, 12))


def test_notice_quotes_current_figures(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    import io

    from docx import Document

    services.sweep(dt.date(2027, 1, 5))
    with time_machine.travel(dt.datetime(2027, 1, 5, 2, tzinfo=dt.UTC), tick=False):
        notice = services.notice_issue(
            user=users["admin"],
            unit=units["jm_fgw"],
            tasks=[tasks[0]],
            reply_deadline=dt.date(2027, 1, 12),
            today=dt.date(2027, 1, 5),
        )
    services.sweep(dt.date(2027, 1, 12))
    doc = Document(io.BytesIO(services.notice_docx(notice, today=dt.date(2027, 1, 12))))
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "已超过完成时限7个工作日" in text and "已超过完成时限2个工作日" not in text


def test_sweep_proposes_notice_by_rule_and_office_issues_it_in_one_click(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    WarningThresholds.objects.filter(plan_id=tasks[0].plan_id).update(
        notice_red_workdays=3, notice_missed_reports=0
    )
    services.sweep(dt.date(2027, 1, 5))  # red from today: not yet proposed
    assert escalation.notice_proposals(users["admin"], dt.date(2027, 1, 5)) == []
    services.sweep(dt.date(2027, 1, 8))
    proposals = escalation.notice_proposals(users["admin"], dt.date(2027, 1, 8))
    fgw = next(p for p in proposals if p.unit.name == "荆门市发展和改革委员会")
    assert "已持续红灯3个工作日" in fgw.why[tasks[0].pk]
    assert Notification.objects.filter(kind=NotificationKind.PROPOSAL, user=users["admin"]).exists()
    with pytest.raises(AccessDenied):
        escalation.notice_issue_proposed(
            user=users["staff"], unit=units["jm_fgw"], task_ids=[], today=dt.date(2027, 1, 8)
        )
    with time_machine.travel(dt.datetime(2027, 1, 8, 2, tzinfo=dt.UTC), tick=False):
        client = Client()
        client.force_login(users["admin"])
        page = client.get("/supervision/proposals/").content.decode()
        assert "荆门市发展和改革委员会" in page and "确认下发督办单" in page
        response = client.post(
            "/supervision/proposals/", {"unit": units["jm_fgw"].pk, "task": [tasks[0].pk]}, follow=True
        )
    notice = SupervisionNotice.objects.get()
    assert "已向荆门市发展和改革委员会发出督办单 荆门市营商督〔2027〕1号" in response.content.decode()
    assert notice.reply_deadline == dt.date(2027, 1, 15)  # 5 working days (the plan's rule)
    # a task with an open notice is not proposed again
    again = escalation.notice_proposals(users["admin"], dt.date(2027, 1, 8))
    assert all(tasks[0].pk not in [t.pk for t in p.tasks] for p in again)


def test_still_red_after_the_limit_is_escalated_to_the_leader_in_charge(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    units["jm_fgw"].leader = users["leader"]
    units["jm_fgw"].save()
    services.sweep(dt.date(2027, 1, 5))
    notice = services.notice_issue(
        user=users["admin"],
        unit=units["jm_fgw"],
        tasks=[tasks[0]],
        reply_deadline=dt.date(2027, 1, 8),
        today=dt.date(2027, 1, 5),
    )
    assert services.sweep(dt.date(2027, 1, 8)).escalated == 0  # not past the limit yet
    result = services.sweep(dt.date(2027, 1, 11))
    assert result.escalated == 1
    notice.refresh_from_db()
    assert notice.escalated_on == dt.date(2027, 1, 11)
    assert AuditEvent.objects.filter(action="notice.escalated", subject_id=str(notice.pk)).exists()
    told = set(
        Notification.objects.filter(kind=NotificationKind.ESCALATED).values_list("user__username", flat=True)
    )
    assert {"leader", "staff", "admin"} <= told
    assert services.sweep(dt.date(2027, 1, 12)).escalated == 0  # once
    # the leader's first screen shows it, with the 批示 action
    client = Client()
    client.force_login(users["leader"])
    page = client.get("/supervision/overview/").content.decode()
    assert page.index("督办到期仍未整改") < page.index("超期最久的任务")
    assert notice.number in page and "您分管" in page and "批示" in page
    home = client.get("/").content.decode()
    assert "需要您协调的事项" in home
    # the 通报 document
    response = client.get(f"/supervision/notices/{notice.pk}/docx/?kind=escalation")
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]


def test_leader_instruction_recorded_and_sent_refused_to_others(
    tasks: list[Task], users: dict[str, Any]
) -> None:
    row = escalation.instruction_add(
        task=tasks[0], user=users["leader"], text="请市发改委本周内拿出整改方案。"
    )
    assert Instruction.objects.get().text == "请市发改委本周内拿出整改方案。"
    assert AuditEvent.objects.filter(action="task.instruction", reason__contains="整改方案").exists()
    note = Notification.objects.get(kind=NotificationKind.INSTRUCTION, user=users["staff"], channel="in_app")
    assert "领导批示" in note.title and row.text in note.body
    for who in ("admin", "staff"):
        with pytest.raises(AccessDenied):
            escalation.instruction_add(task=tasks[0], user=users[who], text="x")
    with pytest.raises(ValidationFailed):
        escalation.instruction_add(task=tasks[0], user=users["leader"], text="  ")
    page = Client()
    page.force_login(users["staff"])
    assert "请市发改委本周内拿出整改方案" in page.get(f"/supervision/tasks/{tasks[0].pk}/").content.decode()


def test_rules_page_office_only_validated_and_audited(tasks: list[Task], users: dict[str, Any]) -> None:
    plan_id = tasks[0].plan_id
    row = WarningThresholds.objects.get(plan_id=plan_id)
    updated = escalation.thresholds_update(
        plan_id=plan_id, user=users["admin"], version=row.version, changes={"notice_red_workdays": "10"}
    )
    assert updated.notice_red_workdays == 10
    assert AuditEvent.objects.filter(action="plan.thresholds_updated").exists()
    with pytest.raises(ValidationFailed, match="应在"):
        escalation.thresholds_update(
            plan_id=plan_id, user=users["admin"], version=updated.version, changes={"red_returns": "0"}
        )
    with pytest.raises(ValidationFailed, match="整数"):
        escalation.thresholds_update(
            plan_id=plan_id, user=users["admin"], version=updated.version, changes={"red_returns": "两次"}
        )
    for who in ("staff", "leader", "admin_jz"):
        with pytest.raises(AccessDenied):
            escalation.thresholds_update(
                plan_id=plan_id, user=users[who], version=updated.version, changes={}
            )
    client = Client()
    client.force_login(users["admin"])
    assert "建议督办:持续红灯" in client.get(f"/supervision/plans/{plan_id}/rules/").content.decode()
    leader = Client()
    leader.force_login(users["leader"])
    assert leader.get(f"/supervision/plans/{plan_id}/rules/").status_code == 403


def test_second_report_in_a_period_is_a_new_version_and_signed_off_is_100(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    a = Assignment.objects.get(task=tasks[0], unit=units["jm_fgw"])
    kw = dict(assignment=a, user=users["staff"], period_start=dt.date(2026, 5, 1), today=dt.date(2026, 5, 20))
    services.report_file(narrative="第一次", percent=30, **kw)  # type: ignore[arg-type]
    services.report_file(narrative="更正后", percent=45, **kw)  # type: ignore[arg-type]
    report = ProgressReport.objects.get(assignment=a)
    assert report.version == 2 and report.narrative == "更正后"
    (earlier,) = report.revisions.all()
    assert (earlier.version, earlier.narrative, earlier.percent) == (1, "第一次", 30)
    client = Client()
    client.force_login(users["admin"])
    page = client.get(f"/supervision/tasks/{tasks[0].pk}/").content.decode()
    assert "第1版(已被更新)" in page and "第一次" in page
    assert "加权平均" in page and "牵头单位荆门市发展和改革委员会45%" in page  # the roll-up, explained
    task = Task.objects.get(pk=tasks[0].pk)
    task = services.task_start(task=task, user=users["staff"]) if task.status == "not_started" else task
    task = services.task_request_sign_off(task=task, user=users["staff"], evidence="已完成")
    task = services.task_sign_off(task=task, user=users["admin"])
    assert task.percent == 100
    assert ProgressReport.objects.get(assignment=a).percent == 45  # the last reported figure kept


def test_report_form_defaults_to_the_due_period_and_lists_none_before_publication(
    make_plan: Any, users: dict[str, Any], units: dict[str, Any]
) -> None:
    from luoshi.supervision.services.reports import due_period, periods_open_for

    plan = make_plan(issued_on=dt.date(2026, 1, 5))
    task = services.tasks_sync_from_plan(plan=plan, actor=users["admin"], today=dt.date(2026, 4, 10))[0]
    a = Assignment.objects.get(task=task, unit=units["jm_fgw"])
    listed = periods_open_for(task, dt.date(2026, 6, 3))
    assert [p.start for p in listed] == [dt.date(2026, 6, 1), dt.date(2026, 5, 1), dt.date(2026, 4, 1)]
    due = due_period(task, a, dt.date(2026, 6, 3))
    assert due is not None and due.start == dt.date(
        2026, 5, 1
    )  # May ended and is unreported: that one is due


def test_ongoing_task_page_says_it_never_closes(tasks: list[Task], users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["staff_other"])
    page = client.get(f"/supervision/tasks/{tasks[1].pk}/").content.decode()
    assert "长期坚持任务" in page and "不办理销号" in page and "逐期评价" in page
    with pytest.raises(InvalidTransition):
        services.task_request_sign_off(task=tasks[1], user=users["staff_other"], evidence="x")


def test_notice_page_offers_exactly_the_allowed_actions(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    """The 督办单 page shows the answer form to the notified unit's staff while it is open, the close form to the
    office once answered, and nothing to anyone else; the services refuse what the page does not offer."""
    from luoshi.supervision.access import notice_allowed_actions

    notice = services.notice_issue(
        user=users["admin"], unit=units["jm_fgw"], tasks=[tasks[0]], reply_deadline=dt.date(2027, 1, 12)
    )

    def forms(who: str) -> tuple[bool, bool]:
        client = Client()
        client.force_login(users[who])
        page = client.get(f"/supervision/notices/{notice.pk}/").content.decode()
        return 'id="answer-form"' in page, 'id="close-form"' in page

    assert notice_allowed_actions(users["staff"], notice) == {"notice.answer"}
    assert forms("staff") == (True, False)
    for who in ("admin", "leader"):
        assert forms(who) == (False, False), who
    assert notice_allowed_actions(users["staff_other"], notice) == frozenset()
    with pytest.raises(AccessDenied):
        services.notice_answer(user=users["staff_other"], notice=notice, answer="已整改。")
    with pytest.raises(InvalidTransition):
        services.notice_close(user=users["admin"], notice=notice)

    notice = services.notice_answer(user=users["staff"], notice=notice, answer="已整改到位。")
    assert forms("staff") == (False, False)
    assert forms("admin") == (False, True)
    assert notice_allowed_actions(users["admin_jz"], notice) == frozenset()
    with pytest.raises(AccessDenied):
        services.notice_close(user=users["admin_jz"], notice=notice)
    notice = services.notice_close(user=users["admin"], notice=notice)
    assert forms("admin") == (False, False)
