"""Personal information (个人信息保护法): contacts are masked except for those handling the request; every view of
unmasked contact details by staff is logged (a row and an audit event); contacts of closed requests are erased
after the region's retention period."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from luoshi.audit.services import record, record_many
from luoshi.requests import access
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import ContactView, Request, RequestStatus, RetentionSetting

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region

ERASED = "(已按保留期限删除)"
DEFAULT_RETENTION_DAYS = 730


def masked_contact(req: Request) -> tuple[str, str]:
    return access.mask_name(req.contact_name), access.mask_phone(req.contact_phone)


def contact_reveal(*, user: User | None, request: Request, where: str = "page") -> tuple[str, str]:
    """The full contact for a handler (logged) or the enterprise itself (not logged: its own data)."""
    access.require_unmask(user, request)
    if user is not None and access.is_handling_staff(user):
        assert user is not None
        with transaction.atomic():
            ContactView.objects.create(request=request, viewer=user, where=where[:16])
            record(actor=user, action=RequestEvent.CONTACT_VIEWED, subject=request, after={"where": where})
    return request.contact_name, request.contact_phone


def retention_set(*, user: User | None, region: Region, days: int) -> RetentionSetting:
    access.require_office(user, None, "设置联系方式保留期限")
    if not 30 <= int(days) <= 3650:
        from luoshi.core.errors import ValidationFailed

        raise ValidationFailed("保留期限应为 30 至 3650 天。", code=RequestError.RETENTION_INVALID)
    with transaction.atomic():
        row, _ = RetentionSetting.objects.get_or_create(region=region)
        before = row.contact_retention_days
        row.contact_retention_days = int(days)
        row.save()
        record(
            actor=user,
            action=RequestEvent.TIME_LIMIT_SET,
            subject=row,
            before={"days": before},
            after={"days": row.contact_retention_days},
        )
    return row


def erase_expired_contacts(*, now: dt.datetime | None = None) -> int:
    """Blank the contact of closed requests older than their region's retention period (a daily job)."""
    now = now or timezone.now()
    settings = {r.region_id: r.contact_retention_days for r in RetentionSetting.objects.all()}
    closed = [RequestStatus.CLOSED, RequestStatus.REJECTED, RequestStatus.TRANSFERRED]
    erased = 0
    qs = (
        Request.objects.filter(status__in=closed, closed_at__isnull=False)
        .exclude(contact_phone="")
        .select_related("region")
    )
    with transaction.atomic():
        victims = []
        for req in qs.only("pk", "number", "title", "closed_at", "region__path", "region_id"):
            ancestors = access.ancestor_ids(req.region)
            days = next((settings[a] for a in reversed(ancestors) if a in settings), DEFAULT_RETENTION_DAYS)
            assert req.closed_at is not None
            if req.closed_at < now - dt.timedelta(days=days):
                victims.append(req)
        if victims:
            erased = Request.objects.filter(pk__in=[r.pk for r in victims]).update(
                contact_name=ERASED, contact_phone=""
            )
            record_many(
                actor=None,
                action=RequestEvent.CONTACT_ERASED,
                events=[(r, None, {"erased": True}, "超过保留期限") for r in victims],
            )
    return erased
