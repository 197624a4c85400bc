"""督办单 (supervision notices): issued by the office to a unit, answered by the unit, closed by the office."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts.access import is_staff_role, own_unit, require_can_change, require_region
from luoshi.accounts.models import User
from luoshi.audit.services import record
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, ValidationFailed
from luoshi.notifications import services as notifications
from luoshi.orgs.models import Unit
from luoshi.supervision.access import require_office
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import Assignment, NoticeStatus, NotificationKind, SupervisionNotice, Task


def _number(region_name: str, year: int, serial: int) -> str:
    return f"{region_name}营商督〔{year}〕{serial}号"


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
        raise ValidationFailed("请至少选择一项督办事项(任务)。")
    if reply_deadline < today:
        raise ValidationFailed("回复期限不能早于今天。")
    held = set(
        Assignment.objects.filter(unit=unit, task__in=tasks, active=True).values_list("task_id", flat=True)
    )
    foreign = [t for t in tasks if t.pk not in held]
    if foreign:
        raise ValidationFailed(f"任务“{foreign[0].title[:40]}”不由{unit.name}承担,不能列入该单位的督办单。")
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
    region = unit.region
    year = today.year
    serial = (
        SupervisionNotice.objects.filter(region=region, year=year).aggregate(m=Max("serial"))["m"] or 0
    ) + 1
    items = [
        {
            "task_id": t.pk,
            "title": t.title,
            "deadline": t.deadline.isoformat() if t.deadline else "",
            "status": t.get_status_display(),
            "colour": t.get_colour_display(),
            "reason": t.colour_reason,
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


@transaction.atomic
def notice_answer(*, user: User | None, notice: SupervisionNotice, answer: str) -> SupervisionNotice:
    require_can_change(user)
    if user is not None and not (is_staff_role(user) and own_unit(user, notice)):
        raise AccessDenied("只有被督办单位的工作人员可以回复督办单。")
    if notice.status != NoticeStatus.ISSUED:
        raise InvalidTransition(f"督办单当前状态为“{notice.get_status_display()}”,不能再次回复。")
    answer = answer.strip()
    if not answer:
        raise ValidationFailed("请填写办理情况。")
    n = SupervisionNotice.objects.filter(pk=notice.pk, version=notice.version).update(
        status=NoticeStatus.ANSWERED,
        answer=answer,
        answered_by=user,
        answered_at=timezone.now(),
        version=F("version") + 1,
    )
    if n == 0:
        raise Conflict("督办单已被他人修改,请刷新后重试。")
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


@transaction.atomic
def notice_close(*, user: User | None, notice: SupervisionNotice, reason: str = "") -> SupervisionNotice:
    require_can_change(user)
    require_office(user, action="办结督办单")
    require_region(user, notice.region, action="办结该督办单")
    if notice.status != NoticeStatus.ANSWERED:
        raise InvalidTransition("督办单尚未回复,不能办结;请先由被督办单位回复办理情况。")
    n = SupervisionNotice.objects.filter(pk=notice.pk, version=notice.version).update(
        status=NoticeStatus.CLOSED, version=F("version") + 1
    )
    if n == 0:
        raise Conflict("督办单已被他人修改,请刷新后重试。")
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


def notice_docx(notice: SupervisionNotice) -> bytes:
    """The 督办单 as a Word document (python-docx)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "仿宋"  # type: ignore[attr-defined]
    style.font.size = Pt(14)  # type: ignore[attr-defined]
    title = doc.add_heading("督 办 单", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(notice.number)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(f"{notice.unit.name}:")
    doc.add_paragraph(
        f"经调度,贵单位承担的以下{len(notice.items)}项优化营商环境任务需加快推进,现予督办。"
        f"请于{notice.reply_deadline:%Y年%m月%d日}前将办理情况书面回复营商办。"
    )
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("序号", "督办事项", "完成时限", "当前状态", "预警情况"), strict=True
    ):
        cell.text = text
    for i, item in enumerate(notice.items, start=1):
        cells = table.add_row().cells
        cells[0].text = str(i)
        cells[1].text = str(item.get("title", ""))
        cells[2].text = str(item.get("deadline") or "长期坚持")
        cells[3].text = str(item.get("status", ""))
        cells[4].text = " ".join(x for x in (str(item.get("colour", "")), str(item.get("reason", ""))) if x)
    if notice.requirement:
        doc.add_paragraph("督办要求:" + notice.requirement)
    doc.add_paragraph(f"回复期限:{notice.reply_deadline:%Y年%m月%d日}")
    sign = doc.add_paragraph(
        f"{notice.region.name}优化营商环境工作领导小组办公室\n{notice.issued_at:%Y年%m月%d日}"
    )
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if notice.answer:
        doc.add_heading("办理情况", level=1)
        doc.add_paragraph(notice.answer)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
