"""JSON API of enterprise requests (mounted at /api/requests/): the same selectors and services as the pages.

`POST /api/requests/` files a request for another platform (12345, the park's complaint platform). Send an
`Idempotency-Key` header and/or `external_id`: a retry returns the request filed first with 200 (201 when new),
even when two calls race; the same key or external id with different content is refused (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Schema, Status

from luoshi.accounts.models import User
from luoshi.core.bounds import Id, Page
from luoshi.requests import access, selectors, services
from luoshi.requests.models import Request

router = Router(tags=["requests"])


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


class RequestIn(Schema):
    enterprise_name: str
    contact_name: str
    contact_phone: str
    title: str
    text: str
    channel: str = "hotline"
    category: str = "other"
    credit_code: str = ""
    region_code: str = ""
    external_id: str = ""
    received_at: dt.datetime | None = None
    debtor_name: str = ""
    amount_claimed: str = ""


class RequestOut(Schema):
    id: int
    number: str
    external_id: str | None
    status: str
    status_label: str
    channel: str
    category: str
    title: str
    enterprise_name: str
    contact_name: str
    contact_phone: str
    received_at: dt.datetime
    urgency: str
    due_on: dt.date | None
    lead_unit: str
    reopen_count: int


def out(req: Request, user: User | None) -> RequestOut:
    """Contacts masked unless the caller owns the request (unmasking by staff is a logged action of its own)."""
    name, phone = (
        (req.contact_name, req.contact_phone)
        if access.owns(user, req)
        else (access.mask_name(req.contact_name), access.mask_phone(req.contact_phone))
    )
    return RequestOut(
        id=req.pk,
        number=req.number,
        external_id=req.external_id,
        status=req.status,
        status_label=req.get_status_display(),
        channel=req.channel,
        category=req.category,
        title=req.title,
        enterprise_name=req.enterprise_name,
        contact_name=name,
        contact_phone=phone,
        received_at=req.received_at,
        urgency=req.urgency,
        due_on=req.due_on,
        lead_unit=req.lead_unit.name if req.lead_unit else "",
        reopen_count=req.reopen_count,
    )


@router.post("/", response={200: RequestOut, 201: RequestOut}, summary="提交诉求(幂等)")
def file_request(request: HttpRequest, payload: RequestIn) -> Status[RequestOut]:
    user = _user(request)
    data = services.RequestInput(**payload.dict())
    req, created = services.request_file(
        user=user, data=data, idempotency_key=request.headers.get("Idempotency-Key", "")
    )
    return Status(201 if created else 200, out(req, user))


class RequestPage(Schema):
    count: int
    items: list[RequestOut]


@router.get("/", response=RequestPage, summary="诉求列表")
def list_requests(request: HttpRequest, status: str = "", page: Page = 1) -> dict[str, Any]:
    user = _user(request)
    qs = selectors.request_list(user, selectors.RequestFilters(status=status))
    size = 50
    start = max(0, page - 1) * size
    return {"count": qs.count(), "items": [out(r, user) for r in qs[start : start + size]]}


@router.get("/{request_id}", response=RequestOut, summary="诉求详情")
def get_request(request: HttpRequest, request_id: Id) -> RequestOut:
    user = _user(request)
    return out(selectors.request_get(user, request_id), user)


class ContactOut(Schema):
    contact_name: str
    contact_phone: str


@router.post("/{request_id}/contact", response=ContactOut, summary="查看完整联系方式(留痕)")
def reveal_contact(request: HttpRequest, request_id: Id) -> ContactOut:
    from luoshi.requests.services.privacy import contact_reveal

    user = _user(request)
    name, phone = contact_reveal(user=user, request=selectors.request_get(user, request_id), where="api")
    return ContactOut(contact_name=name, contact_phone=phone)
