"""督办单 (supervision notices): issued by the office to a unit, answered by the unit, closed by the office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import require_can_change, require_region
from luoshi.accounts.models import User
from luoshi.audit.services import record
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, ValidationFailed
from luoshi.core.limits import guard_text
from luoshi.notifications import services as notifications
from luoshi.orgs.models import Unit
from luoshi.supervision.access import policy, require_office
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import (
    LIVE_STATUSES,
    Assignment,
    NoticeStatus,
    NotificationKind,
    SupervisionNotice,
    Task,
)


def _number(region_name: str, year: int, serial: int) -> str:
    from luoshi.core import gongwen

    return gongwen.notice_number(region_name, year, serial)


@guard_text
def notice_issue(
    *,
    user: User | None,
    unit: Unit,
    tasks: Sequence[Task],
    reply_deadline: dt.date,
    requirement: str = "",
    today: dt.date | None = None,
) -> SupervisionNotice:
    """Issue a 督办单 to `unit` about `tasks` (each must be a task the unit holds)."""
    require_can_change(user)
    require_office(user, action="下发督办单")
    require_region(user, unit.region, action="向该单位下发督办单")
    today = today or timezone.localdate()
    if not tasks:
        raise ValidationFailed("请至少选择一项督办事项(任务)。", code=SupervisionError.NOTICE_TASKS_MISSING)
    if reply_deadline < today:
        raise ValidationFailed("回复期限不能早于今天。", code=SupervisionError.NOTICE_DUE_INVALID)
    held = set(
        Assignment.objects.filter(unit=unit, task__in=tasks, active=True).values_list("task_id", flat=True)
    )
    closed = [t for t in tasks if t.status not in LIVE_STATUSES]
    if closed:
        raise InvalidTransition(
            f"任务“{closed[0].title[:40]}”{closed[0].get_status_display()},不能再下发督办单。",
            code=SupervisionError.NOTICE_TASK_CLOSED,
        )
    foreign = [t for t in tasks if t.pk not in held]
    if foreign:
        raise ValidationFailed(f"任务“{foreign[0].title[:40]}”不由{unit.name}承担,不能列入该单位的督办单。", code=SupervisionError.NOTICE_TASK_NOT_OF_UNIT)
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _issue(user, unit, list(tasks), reply_deadline, requirement, today)
        except IntegrityError:  # two notices numbered at once: take the next serial
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _issue(
    user: User | None,
    unit: Unit,
    tasks: list[Task],
    reply_deadline: dt.date,
    requirement: str,
    today: dt.date,
) -> SupervisionNotice:
    from luoshi.core import gongwen

    region = unit.region
    year = today.year
    serial = gongwen.next_serial(SupervisionNotice, region, year)
    items = [
        {
            "task_id": t.pk,
            "title": t.title,
            "deadline": t.deadline.isoformat() if t.deadline else "",
            "status": t.get_status_display(),
            "colour": t.get_colour_display(),
            "reason": t.reason_on(today),
        }
        for t in tasks
    ]
    notice = SupervisionNotice.objects.create(
        number=_number(region.short_name or region.name, year, serial),
        year=year,
        serial=serial,
        region=region,
        unit=unit,
        items=items,
        requirement=requirement.strip(),
        reply_deadline=reply_deadline,
        issued_by=user,
    )
    notice.tasks.set(tasks)
    record(
        actor=user,
        action=SupervisionEvent.NOTICE_ISSUED,
        subject=notice,
        after={
            "number": notice.number,
            "unit": unit.pk,
            "tasks": [t.pk for t in tasks],
            "reply_deadline": reply_deadline,
        },
    )
    for t in tasks:
        record(
            actor=user,
            action=SupervisionEvent.TASK_SUPERVISED,
            subject=t,
            after={"notice": notice.number},
            reason=f"下发督办单{notice.number}",
        )
    notifications.notify(
        units=[unit.pk],
        kind=NotificationKind.NOTICE,
        kind_label=NotificationKind.NOTICE.label,
        subject=notice,
        key=f"notice:{notice.pk}",
        title=f"督办单{notice.number}:请于{reply_deadline:%Y年%m月%d日}前回复",
        body=notice.requirement,
        url=reverse("supervision:notice_detail", args=[notice.pk]),
        sms=True,
    )
    return notice


@guard_text
@transaction.atomic
def notice_answer(*, user: User | None, notice: SupervisionNotice, answer: str) -> SupervisionNotice:
    require_can_change(user)
    if not policy.can(user, "notice.answer", notice):
        raise AccessDenied("只有被督办单位的工作人员可以回复督办单。", code=SupervisionError.NOTICE_UNIT_ONLY)
    if notice.status != NoticeStatus.ISSUED:
        raise InvalidTransition(f"督办单当前状态为“{notice.get_status_display()}”,不能再次回复。", code=SupervisionError.NOTICE_ALREADY_ANSWERED)
    answer = answer.strip()
    if not answer:
        raise ValidationFailed("请填写办理情况。", code=SupervisionError.NOTICE_REPLY_MISSING)
    n = SupervisionNotice.objects.filter(pk=notice.pk, version=notice.version).update(
        status=NoticeStatus.ANSWERED,
        answer=answer,
        answered_by=user,
        answered_at=timezone.now(),
        version=F("version") + 1,
    )
    if n == 0:
        raise Conflict("督办单已被他人修改,请刷新后重试。", code=SupervisionError.NOTICE_EDITED_ELSEWHERE)
    notice.refresh_from_db()
    record(
        actor=user,
        action=SupervisionEvent.NOTICE_ANSWERED,
        subject=notice,
        before={"status": NoticeStatus.ISSUED},
        after={"status": NoticeStatus.ANSWERED},
        reason=answer,
    )
    return notice


@guard_text
@transaction.atomic
def notice_close(*, user: User | None, notice: SupervisionNotice, reason: str = "") -> SupervisionNotice:
    require_can_change(user)
    require_office(user, action="办结督办单")
    require_region(user, notice.region, action="办结该督办单")
    if notice.status != NoticeStatus.ANSWERED:
        raise InvalidTransition("督办单尚未回复,不能办结;请先由被督办单位回复办理情况。", code=SupervisionError.NOTICE_NOT_ANSWERED)
    n = SupervisionNotice.objects.filter(pk=notice.pk, version=notice.version).update(
        status=NoticeStatus.CLOSED, version=F("version") + 1
    )
    if n == 0:
        raise Conflict("督办单已被他人修改,请刷新后重试。", code=SupervisionError.NOTICE_EDITED_ELSEWHERE)
    notice.refresh_from_db()
    record(
        actor=user,
        action=SupervisionEvent.NOTICE_CLOSED,
        subject=notice,
        before={"status": NoticeStatus.ANSWERED},
        after={"status": NoticeStatus.CLOSED},
        reason=reason,
    )
    return notice


def office_name(region_name: str) -> str:
    """The issuing office as it signs 公文 (the one definition lives in luoshi.core.gongwen)."""
    from luoshi.core import gongwen

    return gongwen.office_name(region_name)


def notice_items(notice: SupervisionNotice, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The notice's items as issued (title, deadline, status, colour, reason frozen in `notice.items`) with each
    task's current colour and reason beside them (`current_colour`, `current_reason`: rendered from the task's
    figures as of `today`; empty for a task no longer there)."""
    today = today or timezone.localdate()
    current = {t.pk: t for t in notice.tasks.all()}
    out = []
    for item in notice.items:
        t = current.get(int(item.get("task_id") or 0))
        out.append(
            {
                **item,
                "current_status": t.get_status_display() if t else "",
                "current_colour": t.get_colour_display() if t else "",
                "current_reason": t.reason_on(today) if t else "",
            }
        )
    return out


def notice_docx(notice: SupervisionNotice, today: dt.date | None = None) -> bytes:
    """The 督办单 as a GB/T 9704-2012 公文 (.docx). The items quote the tasks' figures as they are now (rendered
    from each task's figures as of `today`), not as they were when the notice was issued."""
    from luoshi.core import gongwen

    today = today or timezone.localdate()
    current = {t.pk: t for t in notice.tasks.all()}
    rows = []
    for i, item in enumerate(notice.items, start=1):
        t = current.get(int(item.get("task_id") or 0))
        deadline = (
            (t.deadline.isoformat() if t.deadline else "长期坚持")
            if t
            else (item.get("deadline") or "长期坚持")
        )
        status = t.get_status_display() if t else str(item.get("status", ""))
        warning = (
            " ".join(x for x in (t.get_colour_display(), t.reason_on(today)) if x)
            if t
            else " ".join(x for x in (str(item.get("colour", "")), str(item.get("reason", ""))) if x)
        )
        rows.append([str(i), str(item.get("title", "")), str(deadline), status, warning])
    return gongwen.render(
        gongwen.duban_notice(
            region_name=notice.region.name,
            number=notice.number,
            recipient=notice.unit.name,
            intro=(
                f"经调度,贵单位承担的以下{len(notice.items)}项优化营商环境任务需加快推进,现予督办。"
                f"请于{gongwen.chinese_date(notice.reply_deadline)}前将办理情况书面回复营商办。"
            ),
            items_heading=f"督办事项(截至{gongwen.chinese_date(today)}):",
            items=gongwen.Table(
                ["序号", "督办事项", "完成时限", "当前状态", "预警情况"], rows, widths_mm=[12, 52, 24, 20, 48]
            ),
            requirement=notice.requirement,
            reply_deadline=notice.reply_deadline,
            answer=notice.answer,
            issued_at=notice.issued_at,
        )
    )


def escalation_docx(notice: SupervisionNotice, today: dt.date | None = None) -> bytes:
    """通报: the tasks of a 督办单 still red after its reply deadline, as a 公文 to the unit, copied to its
    leader in charge."""
    from luoshi.core import gongwen

    today = today or timezone.localdate()
    red = [t for t in notice.tasks.all() if t.colour == "red"]
    leader = notice.unit.leader
    rows = [
        [str(i), t.title, t.deadline.isoformat() if t.deadline else "长期坚持", t.reason_on(today)]
        for i, t in enumerate(red, start=1)
    ]
    body: list[gongwen.Block] = [
        gongwen.Para(
            f"{gongwen.chinese_date(timezone.localdate(notice.issued_at))},营商办以{notice.number}督办单"
            f"对{notice.unit.name}承担的{len(notice.items)}项任务进行督办,要求于"
            f"{gongwen.chinese_date(notice.reply_deadline)}前整改到位。截至{gongwen.chinese_date(today)},"
            f"仍有{len(red)}项任务为红灯,现予通报。"
        ),
        gongwen.Table(["序号", "任务", "完成时限", "预警原因"], rows, widths_mm=[12, 62, 24, 58]),
        gongwen.Para(f"请{notice.unit.name}切实履行主体责任,立即整改,并将整改情况报营商办。"),
    ]
    issuer = office_name(notice.region.name)
    return gongwen.render(
        gongwen.Gongwen(
            issuer=issuer,
            number=f"{notice.number}(通报)",
            title=f"关于{notice.unit.name}督办事项逾期未整改的通报",
            recipient=notice.unit.name,
            body=body,
            issued_at=timezone.now() if notice.escalated_on is None else notice.escalated_on,
            copy_to=f"{leader.get_full_name() or leader.username}同志" if leader else "",
        )
    )
