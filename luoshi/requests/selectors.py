"""Scoped reads of enterprise requests: every list and detail goes through `access.visible_requests`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from luoshi.core.errors import NotFound
from luoshi.requests import access
from luoshi.requests.errors import RequestError
from luoshi.requests.models import AccountabilityEntry, OverdueNotice, Request

if TYPE_CHECKING:
    from luoshi.accounts.models import User


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""
    channel: str = ""
    category: str = ""
    unit: int | None = None
    q: str = ""


def request_list(user: User | None, f: RequestFilters | None = None) -> QuerySet[Request]:
    qs = access.visible_requests(user).select_related("lead_unit", "region")
    f = f or RequestFilters()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.unit:
        qs = qs.filter(lead_unit_id=f.unit)
    if f.q:
        qs = qs.filter(title__icontains=f.q) | qs.filter(number=f.q)
    return qs.order_by("-received_at", "-pk")


def request_get(user: User | None, pk: int) -> Request:
    req = Request.objects.select_related("region", "lead_unit", "enterprise").filter(pk=pk).first()
    if req is None:  # the same answer as for a request the user may not see: nothing tells them apart
        raise NotFound("未找到该诉求,或您无权查看。", code=RequestError.REQUEST_NOT_FOUND)
    access.require_see(user, req)
    return req


def request_detail(user: User | None, req: Request) -> dict[str, Any]:
    from luoshi.requests.services.privacy import masked_contact
    from luoshi.requests.services.workflow import allowed_actions

    return {
        "notes": list(req.notes.select_related("unit", "author")),
        "pauses": list(req.pauses.all()),
        "extensions": list(req.extensions.select_related("requested_by", "decided_by")),
        "revisits": list(req.revisits.select_related("unit")),
        "attachments": list(req.attachments.all()),
        "co_units": list(req.co_units.all()),
        "masked": masked_contact(req),
        "may_unmask": access.may_unmask_contact(user, req),
        "actions": allowed_actions(req.status),
        "is_lead": user is not None and user.unit_id is not None and user.unit_id == req.lead_unit_id,
        "is_co": access.is_co_unit(user, req),
        "is_office": access.is_office(user) and access.handles(user, req),
        "owns": access.owns(user, req),
        "arrears": getattr(req, "arrears", None) if req.category == "arrears" else None,
        "hotspot_tasks": list(req.hotspots.exclude(task_ref="").order_by("created_at", "pk")),
    }


def accountability_list(user: User | None) -> QuerySet[AccountabilityEntry]:
    return (
        AccountabilityEntry.objects.filter(request__in=access.visible_requests(user).values("pk"))
        .select_related("request", "unit", "person")
        .order_by("-found_on", "unit__name", "-pk")
    )


def overdue_notices(user: User | None) -> QuerySet[OverdueNotice]:
    """督办单 on overdue requests: the office sees those of its region subtree, a unit its own."""
    qs = OverdueNotice.objects.select_related("unit", "region")
    if user is None or user.is_superuser:
        return qs
    if access.is_office(user) or access.is_leader(user):
        return qs.filter(region_id__in=access.subtree_ids(user.region)) if user.region else qs.none()
    if access.is_handling_staff(user) and user.unit_id:
        return qs.filter(unit_id=user.unit_id)
    return qs.none()


def overdue_notice_get(user: User | None, pk: int) -> OverdueNotice:
    notice = overdue_notices(user).filter(pk=pk).first()
    if notice is None:
        raise NotFound("该督办单不存在,或您无权查看。", code=RequestError.NOTICE_NOT_FOUND)
    return notice
