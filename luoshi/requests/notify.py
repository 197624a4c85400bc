"""The one place requests asks for notifications: thin over the shared notifications kernel
(`luoshi.notifications.services.notify`: once per key, person and channel)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from luoshi.accounts.access import path_ancestor_ids
from luoshi.notifications.services import notify as kernel_notify
from luoshi.requests.access import admins_q, ancestor_ids

if TYPE_CHECKING:
    from luoshi.orgs.models import Region, Unit
    from luoshi.requests.models import Request

LABELS = {
    "filed": "新诉求",
    "accepted": "诉求受理",
    "rejected": "诉求不予受理",
    "transferred": "诉求转办",
    "assigned": "诉求分办",
    "co_assigned": "诉求协办",
    "returned": "诉求退回",
    "paused": "诉求补正",
    "extension": "延期申请",
    "replied": "诉求答复",
    "completed": "诉求办结",
    "reopened": "诉求重办",
    "escalated": "诉求提级",
    "overdue": "诉求超时",
    "notice": "诉求督办单",
}


def _kernel_notify(**kwargs: Any) -> int:
    return int(kernel_notify(**kwargs))


def event_key(req: Request, event: str) -> str:
    """The notification key of `event` on `req` as it is now (once per person and channel)."""
    return f"request:{req.pk}:{event}:{req.reopen_count}:{req.version}"


def _send(req: Request, event: str, title: str, body: str, *, users: Any = (), units: Any = ()) -> None:
    _kernel_notify(
        users=users,
        units=units,
        kind=f"request.{event}",
        kind_label=LABELS.get(event, "企业诉求"),
        key=event_key(req, event),
        title=title,
        body=body,
        url=f"/requests/{req.pk}/",
        subject=req,
    )


def enterprise(req: Request, event: str, title: str, body: str = "") -> None:
    """Tell the enterprise (its accounts) or the observer who filed the request."""
    from luoshi.accounts.models import User

    if req.enterprise_id is not None:
        users: list[User] = list(User.objects.filter(enterprise_id=req.enterprise_id, is_active=True))
    elif req.filed_by_id is not None:
        users = list(User.objects.filter(pk=req.filed_by_id, is_active=True))
    else:
        return
    _send(req, event, title, body, users=users)


def unit(req: Request, unit: Unit, event: str, title: str, body: str = "") -> None:
    _send(req, event, title, body, units=[unit])


def office(req: Request, region: Region, event: str, title: str, body: str = "") -> None:
    """Tell the 营商办 (administrators, and superusers placed there) of `region` and of the regions above it."""
    office_send(
        request_id=req.pk,
        region_ids=ancestor_ids(region),
        event=event,
        key=event_key(req, event),
        title=title,
        body=body,
        subject_label=str(req),
    )


COALESCE_SECONDS = 1.0
_coalesce_lock = threading.Lock()
_last_queued = [float("-inf")]


def office_of_new_soon() -> None:
    """After an intake's commit: make sure the coalesced job (`tasks.notify_office_of_new`) runs within about a
    second. Each process queues it at most once per COALESCE_SECONDS, delayed by as much, so every request
    committed before the queueing is seen by that run; a periodic run every minute is the safety net. When
    jobs run immediately (tests), it runs now."""
    from huey.contrib.djhuey import HUEY

    from luoshi.requests.tasks import notify_office_of_new

    if HUEY.immediate:
        notify_office_of_new()
        return
    now = time.monotonic()
    with _coalesce_lock:
        if now - _last_queued[0] < COALESCE_SECONDS:
            return
        _last_queued[0] = now
    notify_office_of_new.schedule(delay=COALESCE_SECONDS)


def office_of_new(limit: int = 2000) -> int:
    """Tell the office of every filed request not told yet (`office_pending`), up to `limit` of them, in one
    transaction: the pending rows locked (SKIP LOCKED: a concurrent run takes others), one query for the office
    accounts over all their regions, one insert of every notification, one update. The event key is the one of
    the filing (`request:<id>:filed:0:1`), so a request told twice (a concurrent save that wrote the flag back,
    a run retried after a failure) creates nothing twice. Returns the notifications created."""
    from django.db import transaction

    from luoshi.accounts.models import User
    from luoshi.notifications.services import create, recipients_of, rows_for, subject_type_id
    from luoshi.requests.models import Request

    with transaction.atomic():
        pending = list(
            Request.objects.filter(office_pending=True)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("id")
            .values_list("pk", "number", "title", "region_id", "region__path")[:limit]
        )
        if not pending:
            return 0
        lineage = {rid: set(path_ancestor_ids(path) or [rid]) for _, _, _, rid, path in pending}
        above = sorted(set().union(*lineage.values()))
        users = User.objects.filter(admins_q(), is_active=True, region_id__in=above).order_by("id")
        region_of = dict(users.values_list("id", "region_id"))
        recipients = recipients_of(users)
        type_id = subject_type_id(Request)
        rows = []
        for pk, number, title, region_id, _ in pending:
            mine = [r for r in recipients if region_of.get(r.user_id) in lineage[region_id]]
            rows += rows_for(
                mine,
                kind="request.filed",
                kind_label=LABELS["filed"],
                key=f"request:{pk}:filed:0:1",  # event_key() of a request as filed (reopened 0 times, version 1)
                title=f"新诉求待审查:{title}",
                url=f"/requests/{pk}/",
                subject_type_id=type_id,
                subject_id=pk,
                subject_label=f"{number} {title}",
            )
        created = create(rows)
        Request.objects.filter(pk__in=[p[0] for p in pending]).update(office_pending=False)
    return created



def office_send(
    *, request_id: int, region_ids: list[int], event: str, key: str, title: str, body: str, subject_label: str
) -> int:
    """The office's notifications of one event: one query for the recipients, one insert (the job's work)."""

    from luoshi.accounts.models import User
    from luoshi.notifications.services import create, recipients_of, rows_for, subject_type_id
    from luoshi.requests.models import Request

    users = User.objects.filter(admins_q(), is_active=True, region_id__in=region_ids)
    return create(
        rows_for(
            recipients_of(users.order_by("id")),
            kind=f"request.{event}",
            kind_label=LABELS.get(event, "企业诉求"),
            key=key,
            title=title,
            body=body,
            url=f"/requests/{request_id}/",
            subject_type_id=subject_type_id(Request),
            subject_id=request_id,
            subject_label=subject_label,
        )
    )


def unit_overdue(unit_id: int, kind: str, label: str, count: int, today: object) -> None:
    """One notice per unit, kind and day: `count` requests on the accountability list (问责清单)."""
    _kernel_notify(
        units=[unit_id],
        kind="request.overdue",
        kind_label=LABELS["overdue"],
        key=f"request-overdue:{unit_id}:{kind}:{today}",
        title=f"本单位有 {count} 件诉求{label},已列入问责清单",
        url="/requests/accountability/",
        subject_label="问责清单",
    )


def unit_notice(notice: Any) -> None:
    """A 督办单 on overdue requests: the unit's staff and its leader in charge (包保/分管领导)."""
    leader_id = notice.unit.leader_id
    _kernel_notify(
        units=[notice.unit_id],
        users=[leader_id] if leader_id else [],
        kind="request.notice",
        kind_label=LABELS["notice"],
        key=f"request-notice:{notice.pk}",
        title=f"督办单{notice.number}:{len(notice.items)}件超时诉求,请于{notice.reply_deadline:%Y年%m月%d日}前回复",
        body=notice.requirement,
        url=f"/requests/notices/{notice.pk}/docx/",
        subject=notice,
        sms=True,
    )


__all__ = [
    "enterprise", "event_key", "office", "office_of_new", "office_of_new_soon", "office_send", "unit", "unit_notice",
    "unit_overdue",
]
