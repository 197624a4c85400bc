"""督办单 on overdue requests: the office issues one to the responsible unit from the accountability list
(问责清单), the unit and its leader in charge are told through the notifications kernel, and the notice is a
GB/T 9704 公文 built by the one 督办单 layout in ``luoshi.core.gongwen`` (the one supervision's notices use too)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from luoshi.audit.services import record
from luoshi.core import gongwen
from luoshi.core.errors import AccessDenied, ValidationFailed
from luoshi.orgs.models import Unit
from luoshi.requests import access, notify
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import AccountabilityEntry, OverdueNotice

if TYPE_CHECKING:
    from luoshi.accounts.models import User

SERIES = "营商诉督"  # supervision's task notices are 营商督; these are the requests' own series


def _due(entry: AccountabilityEntry) -> str:
    if entry.due_at is not None:
        return f"{timezone.localtime(entry.due_at):%Y-%m-%d %H:%M}"
    return entry.due_on.isoformat() if entry.due_on else ""


def notice_issue(
    *,
    user: User | None,
    unit: Unit,
    entries: Sequence[AccountabilityEntry],
    reply_deadline: dt.date,
    requirement: str = "",
    today: dt.date | None = None,
) -> OverdueNotice:
    """Issue a 督办单 to `unit` about its overdue requests `entries` (each on the accountability list for it)."""
    access.require_office(user, None, "下发督办单")
    if user is not None and not user.is_superuser and not access.region_contains(user.region, unit.region):
        raise AccessDenied(f"{unit.name}不在您的管辖区域内,您不能向其下发督办单。", code=RequestError.NOTICE_UNIT_OUTSIDE_REGION)
    today = today or timezone.localdate()
    if not entries:
        raise ValidationFailed("请在问责清单中至少选择一项超时事项。", code=RequestError.NOTICE_ITEMS_MISSING)
    if reply_deadline < today:
        raise ValidationFailed(f"回复期限{reply_deadline:%Y-%m-%d}早于今天,请重新选择。", code=RequestError.NOTICE_DUE_INVALID)
    visible = set(
        AccountabilityEntry.objects.filter(
            pk__in=[e.pk for e in entries], request__in=access.visible_requests(user).values("pk")
        ).values_list("pk", flat=True)
    )
    for e in entries:
        if e.pk not in visible:
            raise AccessDenied("所选超时事项不在您的管辖范围内。", code=RequestError.NOTICE_ITEMS_OUTSIDE_REGION)
        if e.unit_id != unit.pk:
            raise ValidationFailed(
                f"诉求{e.request.number}的责任单位不是{unit.name},不能列入该单位的督办单。",
                code=RequestError.NOTICE_ITEM_NOT_OF_UNIT,
            )
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _issue(user, unit, list(entries), reply_deadline, requirement.strip(), today)
        except IntegrityError:  # numbered at the same moment as another notice: take the next serial
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _issue(
    user: User | None,
    unit: Unit,
    entries: list[AccountabilityEntry],
    reply_deadline: dt.date,
    requirement: str,
    today: dt.date,
) -> OverdueNotice:
    region = unit.region
    serial = gongwen.next_serial(OverdueNotice, region, today.year)
    items = [
        {
            "entry_id": e.pk,
            "request_id": e.request_id,
            "number": e.request.number,
            "title": e.request.title,
            "kind": e.get_kind_display(),
            "due": _due(e),
            "person": (e.person.get_full_name() or e.person.username) if e.person else "",
        }
        for e in entries
    ]
    notice = OverdueNotice.objects.create(
        number=gongwen.notice_number(region.short_name or region.name, today.year, serial, SERIES),
        year=today.year,
        serial=serial,
        region=region,
        unit=unit,
        items=items,
        requirement=requirement,
        reply_deadline=reply_deadline,
        issued_by=user,
        issued_at=timezone.now(),
    )
    notice.entries.set(entries)
    record(
        actor=user,
        action=RequestEvent.NOTICE_ISSUED,
        subject=notice,
        after={
            "number": notice.number,
            "unit": unit.pk,
            "requests": [i["number"] for i in items],
            "reply_deadline": reply_deadline,
        },
        reason=requirement,
    )
    notify.unit_notice(notice)
    return notice


def notice_docx(notice: OverdueNotice) -> bytes:
    rows = [
        [str(i), str(it["number"]), str(it["title"]), str(it["kind"]), str(it["due"]), str(it["person"]) or "—"]
        for i, it in enumerate(notice.items, start=1)
    ]
    leader = notice.unit.leader
    return gongwen.render(
        gongwen.duban_notice(
            region_name=notice.region.name,
            number=notice.number,
            recipient=notice.unit.name,
            intro=(
                f"经核查,贵单位承办的以下{len(rows)}件企业诉求超过办理时限,已列入问责清单,现予督办。"
                f"请于{gongwen.chinese_date(notice.reply_deadline)}前办理到位,并将办理情况及超时原因书面回复营商办。"
            ),
            items_heading=f"督办事项(截至{gongwen.chinese_date(gongwen.beijing_date(notice.issued_at))}):",
            items=gongwen.Table(
                ["序号", "诉求编号", "诉求事项", "超时情形", "办理时限", "责任人"],
                rows,
                widths_mm=[12, 30, 50, 24, 24, 16],
            ),
            requirement=notice.requirement,
            reply_deadline=notice.reply_deadline,
            issued_at=notice.issued_at,
            copy_to=f"{leader.get_full_name() or leader.username}同志" if leader else "",
        )
    )


def notice_filename(notice: OverdueNotice) -> str:
    return gongwen.attachment_filename(f"督办单{notice.number}")
