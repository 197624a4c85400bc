"""The closed loop after intake: review (受理/不予受理/转办), classification and time limits, routing (分办),
the unit's work (签收/退回/协办/进展/补正/延期/答复/办结), revisit (回访) and reopening (重办).

Each function checks permission, validates the transition (`TRANSITIONS`), saves with `select_for_update` inside one
transaction, writes the audit event and schedules notifications on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from luoshi.accounts.access import region_contains
from luoshi.audit.services import record, snapshot
from luoshi.calendar import deadlines
from luoshi.calendar.services import calendar_for
from luoshi.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from luoshi.core.limits import guard_text
from luoshi.orgs.models import Region, Unit
from luoshi.requests import access, notify
from luoshi.requests.errors import RequestError
from luoshi.requests.events import RequestEvent
from luoshi.requests.models import (
    DEFAULT_LIMIT_DAYS,
    Extension,
    ExtensionStatus,
    Note,
    NoteKind,
    Pause,
    Request,
    RequestStatus,
    Revisit,
    Satisfaction,
    TimeLimit,
    Urgency,
)

if TYPE_CHECKING:
    from luoshi.accounts.models import User

S = RequestStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "accept": (S.SUBMITTED,),
    "reject": (S.SUBMITTED,),
    "transfer": (S.SUBMITTED, S.ACCEPTED),
    "classify": (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS),
    "assign": (S.ACCEPTED, S.ESCALATED),
    "sign": (S.ASSIGNED,),
    "return": (S.ASSIGNED, S.IN_PROGRESS),
    "note": (S.ASSIGNED, S.IN_PROGRESS, S.REPLIED, S.ESCALATED),
    "pause": (S.IN_PROGRESS,),
    "resume": (S.IN_PROGRESS,),
    "extension_request": (S.IN_PROGRESS,),
    "reply": (S.IN_PROGRESS,),
    "complete": (S.REPLIED,),
    "revisit": (S.COMPLETED,),
    "close": (S.ESCALATED, S.COMPLETED),
}
ACTION_LABELS = {
    "accept": "受理",
    "reject": "不予受理",
    "transfer": "转办",
    "classify": "分类限期",
    "assign": "分办",
    "sign": "签收",
    "return": "退回",
    "note": "填写办理记录",
    "pause": "发起补正",
    "resume": "结束补正",
    "extension_request": "申请延期",
    "reply": "答复",
    "complete": "办结",
    "revisit": "回访评价",
    "close": "归档",
}
CLOCK_FIELDS = [
    "status",
    "urgency",
    "limit_days",
    "clock_start",
    "extension_days",
    "due_on",
    "lead_unit",
    "signin_due_at",
    "paused_since",
]


def allowed_actions(status: str) -> list[str]:
    return [a for a, sources in TRANSITIONS.items() if status in sources]


def _check(req: Request, action: str) -> None:
    if req.status not in TRANSITIONS[action]:
        allowed = "、".join(ACTION_LABELS[a] for a in allowed_actions(req.status)) or "无"
        raise InvalidTransition(
            f"诉求当前状态为“{req.get_status_display()}”,不能{ACTION_LABELS[action]};当前可进行的操作:{allowed}。",
            code=RequestError.TRANSITION_NOT_ALLOWED,
        )


def _locked(req: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",)).select_related("region", "lead_unit").get(pk=req.pk)
    )


def _save(req: Request, fields: list[str]) -> None:
    req.version += 1
    req.save(update_fields=[*fields, "version"])


def _today() -> dt.date:
    return timezone.localdate(timezone.now())


def _due(req: Request, today: dt.date | None = None) -> dt.date | None:
    """The completion deadline from the request's clock rows (start, class limit, approved extensions, pauses)."""
    if req.clock_start is None or req.limit_days is None:
        return None
    pauses = [
        (p.started_on, p.ended_on) for p in Pause.objects.filter(request=req, started_on__gte=req.clock_start)
    ]
    clock = deadlines.Clock.from_rows(
        start=req.clock_start,
        limit_workdays=req.limit_days,
        pauses=pauses,
        extension_workdays=req.extension_days,
    )
    return clock.deadline(calendar_for(req.region), today or _today())


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{what}。", code=RequestError.REASON_MISSING)
    return text


# --- time limits --------------------------------------------------------------------------------------------
def limits_for(region: Region) -> dict[str, tuple[int, int]]:
    """(working days, sign-in working hours) per class; the nearest region up the tree with a row wins."""
    ancestors = access.ancestor_ids(region)
    depth = {rid: i for i, rid in enumerate(ancestors)}
    out: dict[str, tuple[int, int]] = {str(k): (v, 8) for k, v in DEFAULT_LIMIT_DAYS.items()}
    best: dict[str, int] = {}
    for row in TimeLimit.objects.filter(region_id__in=ancestors):
        d = depth.get(row.region_id, -1)
        if d >= best.get(row.urgency, -1):
            best[row.urgency] = d
            out[row.urgency] = (row.days, row.signin_hours)
    return out


def time_limit_set(
    *, user: User | None, region: Region, urgency: str, days: int, signin_hours: int = 8
) -> TimeLimit:
    access.require_office(user, None, "设置办理时限")
    if user is not None and not user.is_superuser and not region_contains(user.region, region):
        raise AccessDenied("您只能设置本辖区的办理时限。", code=RequestError.DEADLINES_OUTSIDE_REGION)
    if urgency not in Urgency.values:
        raise ValidationFailed(f"紧急程度“{urgency}”无效,应为紧急、平急或疑难。", code=RequestError.URGENCY_INVALID)
    if not 1 <= int(days) <= 60:
        raise ValidationFailed("办理时限应为 1 至 60 个工作日。", code=RequestError.DUE_WORKDAYS_INVALID)
    if not 1 <= int(signin_hours) <= 80:
        raise ValidationFailed("签收时限应为 1 至 80 个工作小时。", code=RequestError.SIGN_HOURS_INVALID)
    with transaction.atomic():
        row, _ = TimeLimit.objects.select_for_update().get_or_create(
            region=region, urgency=urgency, defaults={"days": days, "signin_hours": signin_hours}
        )
        before = {"days": row.days, "signin_hours": row.signin_hours}
        row.days, row.signin_hours = int(days), int(signin_hours)
        row.save()
        record(
            actor=user,
            action=RequestEvent.TIME_LIMIT_SET,
            subject=row,
            before=before,
            after={
                "region": region.pk,
                "urgency": urgency,
                "days": row.days,
                "signin_hours": row.signin_hours,
            },
        )
    return row


# --- review -------------------------------------------------------------------------------------------------
@guard_text
def request_accept(*, user: User | None, request: Request, urgency: str, note: str = "") -> Request:
    """受理: classify and start the clock (the class limit counts from the day of acceptance)."""
    access.require_office(user, request, "受理诉求")
    if urgency not in Urgency.values:
        raise ValidationFailed("请选择紧急程度:紧急、平急或疑难。", code=RequestError.URGENCY_MISSING)
    with transaction.atomic():
        req = _locked(request)
        _check(req, "accept")
        before = snapshot(req, CLOCK_FIELDS)
        now = timezone.now()
        days, _hours = limits_for(req.region)[urgency]
        req.status = S.ACCEPTED
        req.urgency = urgency
        req.limit_days = days
        req.clock_start = timezone.localdate(now)
        req.due_on = _due(req)
        req.reviewed_at = now
        req.review_reason = note.strip()
        req.first_response_at = req.first_response_at or now
        _save(
            req,
            [
                "status",
                "urgency",
                "limit_days",
                "clock_start",
                "due_on",
                "reviewed_at",
                "review_reason",
                "first_response_at",
            ],
        )
        record(
            actor=user,
            action=RequestEvent.ACCEPTED,
            subject=req,
            before=before,
            after=snapshot(req, CLOCK_FIELDS),
        )
        transaction.on_commit(lambda: notify.enterprise(req, "accepted", f"您的诉求已受理:{req.title}"))
    return req


@guard_text
def request_reject(*, user: User | None, request: Request, reason: str) -> Request:
    """不予受理: the reason is required and the enterprise is told."""
    access.require_office(user, request, "不予受理")
    reason = _reason(reason, "不予受理的理由")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "reject")
        now = timezone.now()
        req.status, req.review_reason, req.reviewed_at = S.REJECTED, reason, now
        req.first_response_at = req.first_response_at or now
        req.closed_at = now
        _save(req, ["status", "review_reason", "reviewed_at", "first_response_at", "closed_at"])
        record(
            actor=user, action=RequestEvent.REJECTED, subject=req, after={"status": req.status}, reason=reason
        )
        transaction.on_commit(
            lambda: notify.enterprise(req, "rejected", f"您的诉求不予受理:{req.title}", f"理由:{reason}")
        )
    return req


@guard_text
def request_transfer(*, user: User | None, request: Request, destination: str, reason: str = "") -> Request:
    """转办: not for this platform; the destination is required and the enterprise is told where."""
    access.require_office(user, request, "转办诉求")
    destination = _reason(destination, "转办去向(如“市中级人民法院诉讼服务中心”)")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "transfer")
        now = timezone.now()
        req.status, req.transfer_to, req.review_reason, req.reviewed_at = (
            S.TRANSFERRED,
            destination,
            reason,
            now,
        )
        req.first_response_at = req.first_response_at or now
        req.closed_at = now
        _save(
            req, ["status", "transfer_to", "review_reason", "reviewed_at", "first_response_at", "closed_at"]
        )
        record(
            actor=user,
            action=RequestEvent.TRANSFERRED,
            subject=req,
            after={"transfer_to": destination},
            reason=reason,
        )
        transaction.on_commit(
            lambda: notify.enterprise(req, "transferred", f"您的诉求已转{destination}办理:{req.title}")
        )
    return req


@guard_text
def request_classify(*, user: User | None, request: Request, urgency: str, reason: str) -> Request:
    """Change the class after acceptance: the due date is counted again from the day of acceptance."""
    access.require_office(user, request, "调整紧急程度")
    if urgency not in Urgency.values:
        raise ValidationFailed("请选择紧急程度:紧急、平急或疑难。", code=RequestError.URGENCY_MISSING)
    reason = _reason(reason, "调整理由")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "classify")
        before = snapshot(req, CLOCK_FIELDS)
        days, _ = limits_for(req.region)[urgency]
        req.urgency, req.limit_days = urgency, days
        req.due_on = _due(req)
        _save(req, ["urgency", "limit_days", "due_on"])
        record(
            actor=user,
            action=RequestEvent.CLASSIFIED,
            subject=req,
            before=before,
            after=snapshot(req, CLOCK_FIELDS),
            reason=reason,
        )
    return req


# --- routing ------------------------------------------------------------------------------------------------
@guard_text
def request_assign(
    *, user: User | None, request: Request, lead_unit: Unit, co_units: Sequence[Unit] = (), note: str = ""
) -> Request:
    """分办: the dispatcher confirms or changes the suggestion; the lead unit must sign within the working hours
    of the class."""
    access.require_office(user, request, "分办诉求")
    units = [lead_unit, *co_units]
    for u in units:
        if not region_contains(request.region, u.region) and not region_contains(u.region, request.region):
            raise ValidationFailed(f"单位“{u.name}”不在诉求所属区域,不能分办给它。", code=RequestError.UNIT_OUTSIDE_REGION)
        if not u.is_active:
            raise ValidationFailed(f"单位“{u.name}”已停用,不能分办给它。", code=RequestError.UNIT_INACTIVE)
    co = [u for u in co_units if u.pk != lead_unit.pk]
    with transaction.atomic():
        req = _locked(request)
        _check(req, "assign")
        before = snapshot(req, CLOCK_FIELDS)
        now = timezone.now()
        _days, hours = limits_for(req.region)[req.urgency or Urgency.NORMAL]
        suggested = (req.suggestion or {}).get("top") or []
        req.lead_unit = lead_unit
        req.assigned_at = now
        req.signin_due_at = deadlines.add_working_hours(calendar_for(req.region), timezone.localtime(now), hours)
        req.status = S.ASSIGNED
        req.suggestion = {
            **(req.suggestion or {}),
            "confirmed": lead_unit.pk,
            "followed": bool(suggested) and suggested[0].get("unit") == lead_unit.pk,
        }
        _save(req, ["lead_unit", "assigned_at", "signin_due_at", "status", "suggestion"])
        req.co_units.set(co)
        record(
            actor=user,
            action=RequestEvent.ASSIGNED,
            subject=req,
            before=before,
            after={**snapshot(req, CLOCK_FIELDS), "co_units": [u.pk for u in co]},
            reason=note,
        )

        def tell() -> None:
            notify.unit(req, lead_unit, "assigned", f"请签收诉求:{req.title}")
            for u in co:
                notify.unit(req, u, "co_assigned", f"请协办诉求:{req.title}")

        transaction.on_commit(tell)
    return req


# --- the unit's work ----------------------------------------------------------------------------------------
@guard_text
def request_sign(*, user: User | None, request: Request) -> Request:
    """签收 by the lead unit."""
    access.require_see(user, request)
    access.require_lead_unit(user, request, "签收")
    with transaction.atomic():
        req = _locked(request)
        access.require_lead_unit(user, req, "签收")
        _check(req, "sign")
        req.status, req.signed_at, req.signed_by = S.IN_PROGRESS, timezone.now(), user
        _save(req, ["status", "signed_at", "signed_by"])
        record(
            actor=user,
            action=RequestEvent.SIGNED,
            subject=req,
            after={
                "status": req.status,
                "on_time": req.signin_due_at is None or req.signed_at <= req.signin_due_at,
            },
        )
    return req


@guard_text
def request_return(*, user: User | None, request: Request, reason: str) -> Request:
    """退回 a misrouted request to the dispatcher, with a reason; counted against nobody."""
    access.require_see(user, request)
    access.require_lead_unit(user, request, "退回")
    reason = _reason(reason, "退回理由(说明为何不属于本单位职责)")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "return")
        before = snapshot(req, CLOCK_FIELDS)
        unit = req.lead_unit
        Note.objects.create(request=req, kind=NoteKind.RETURN, unit=unit, author=user, text=reason)
        req.status, req.lead_unit, req.signin_due_at, req.signed_at, req.signed_by = (
            S.ACCEPTED,
            None,
            None,
            None,
            None,
        )
        _save(req, ["status", "lead_unit", "signin_due_at", "signed_at", "signed_by"])
        req.co_units.clear()
        record(
            actor=user,
            action=RequestEvent.RETURNED,
            subject=req,
            before=before,
            after=snapshot(req, CLOCK_FIELDS),
            reason=reason,
        )
        transaction.on_commit(
            lambda: notify.office(
                req, req.region, "returned", f"诉求被{unit}退回,请重新分办:{req.title}", reason
            )
        )
    return req


@guard_text
def request_note(*, user: User | None, request: Request, text: str) -> Note:
    """A progress note from the lead unit, or a 协办 note from a co-unit."""
    access.require_see(user, request)
    text = _reason(text, "办理记录")
    if access.is_co_unit(user, request):
        kind = NoteKind.COOPERATION
    else:
        access.require_lead_unit(user, request, "填写办理进展")
        kind = NoteKind.PROGRESS
    with transaction.atomic():
        req = _locked(request)
        _check(req, "note")
        note = Note.objects.create(
            request=req, kind=kind, unit=user.unit if user is not None else None, author=user, text=text
        )
        record(actor=user, action=RequestEvent.NOTE_ADDED, subject=req, after={"kind": kind, "note": note.pk})
    return note


@guard_text
def request_pause(*, user: User | None, request: Request, reason: str) -> Pause:
    """补正: the clock stops until the enterprise supplies what is missing."""
    access.require_see(user, request)
    if not access.is_office(user):
        access.require_lead_unit(user, request, "发起补正")
    reason = _reason(reason, "需要企业补正的内容")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "pause")
        if req.paused_since is not None:
            raise InvalidTransition(f"该诉求自 {req.paused_since:%Y-%m-%d} 起已在等待补正,不能再次发起。", code=RequestError.ALREADY_PAUSED)
        today = _today()
        assert req.due_on is not None
        pause = Pause.objects.create(request=req, reason=reason, started_on=today, started_by=user)
        req.paused_since = today
        _save(req, ["paused_since"])
        record(
            actor=user,
            action=RequestEvent.PAUSED,
            subject=req,
            after={"paused_since": today, "due_on": req.due_on, "pause": pause.pk},
            reason=reason,
        )
        transaction.on_commit(lambda: notify.enterprise(req, "paused", f"请补正材料:{req.title}", reason))
    return pause


@guard_text
def request_resume(
    *,
    user: User | None,
    request: Request,
    text: str = "",
    files: Sequence[tuple[str, IO[bytes] | Any]] = (),
    on: dt.date | None = None,
) -> Request:
    """The enterprise supplied the material (or the handler records it did): the clock resumes and the due date
    moves by the working days the pause took."""
    access.require_see(user, request)
    if not (access.owns(user, request) or access.handles(user, request)):
        raise AccessDenied("只有提出诉求的企业或承办人员可以提交补正。", code=RequestError.SUPPLEMENT_NOT_ALLOWED)
    with transaction.atomic():
        req = _locked(request)
        _check(req, "resume")
        if req.paused_since is None:
            raise InvalidTransition("该诉求没有在等待补正。", code=RequestError.NOT_PAUSED)
        pause = req.pauses.filter(ended_on__isnull=True).order_by("-started_on").first()
        assert pause is not None and req.due_on is not None
        today = on or _today()
        if today < pause.started_on:
            raise ValidationFailed("补正日期不能早于发起补正的日期。", code=RequestError.SUPPLEMENT_DATE_INVALID)
        before = snapshot(req, CLOCK_FIELDS)
        pause.ended_on = today
        pause.save(update_fields=["ended_on"])
        req.due_on = _due(req, today)
        req.paused_since = None
        _save(req, ["due_on", "paused_since"])
        if text.strip():
            Note.objects.create(request=req, kind=NoteKind.SUPPLEMENT, author=user, text=text.strip())
        if files:
            from luoshi.requests.services.files import store_attachment

            for name, stream in files:
                store_attachment(request=req, name=name, stream=stream, user=user, purpose="supplement")
        record(
            actor=user,
            action=RequestEvent.RESUMED,
            subject=req,
            before=before,
            after=snapshot(req, CLOCK_FIELDS),
        )
    return req


@guard_text
def extension_request(*, user: User | None, request: Request, days: int, reason: str) -> Extension:
    """延期: the lead unit asks the office, before the due date."""
    access.require_see(user, request)
    access.require_lead_unit(user, request, "申请延期")
    reason = _reason(reason, "延期理由")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationFailed("延长的工作日数应为整数。", code=RequestError.EXTENSION_DAYS_INVALID) from None
    if not 1 <= days <= 30:
        raise ValidationFailed("延长的工作日数应为 1 至 30。", code=RequestError.EXTENSION_DAYS_INVALID)
    with transaction.atomic():
        req = _locked(request)
        _check(req, "extension_request")
        if req.due_on is not None and _today() > req.due_on:
            raise InvalidTransition(f"办结时限 {req.due_on:%Y-%m-%d} 已过,延期须在到期前申请。", code=RequestError.EXTENSION_TOO_LATE)
        if req.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise InvalidTransition("已有一项延期申请待审批,请等待营商办审批。", code=RequestError.EXTENSION_PENDING)
        ext = Extension.objects.create(request=req, days=days, reason=reason, requested_by=user)
        record(
            actor=user,
            action=RequestEvent.EXTENSION_REQUESTED,
            subject=req,
            after={"extension": ext.pk, "days": days},
            reason=reason,
        )
        transaction.on_commit(
            lambda: notify.office(req, req.region, "extension", f"延期申请待审批:{req.title}")
        )
    return ext


@guard_text
def extension_decide(*, user: User | None, extension: Extension, approve: bool, note: str = "") -> Extension:
    """The office approves (the due date moves by the working days asked) or refuses."""
    req0 = extension.request
    access.require_office(user, req0, "审批延期")
    if not approve:
        note = _reason(note, "不予延期的理由")
    with transaction.atomic():
        ext = Extension.objects.select_for_update().get(pk=extension.pk)
        if ext.status != ExtensionStatus.PENDING:
            raise InvalidTransition(f"该延期申请已{ext.get_status_display()},不能再次审批。", code=RequestError.EXTENSION_DECIDED)
        req = _locked(req0)
        before = snapshot(req, CLOCK_FIELDS)
        ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        ext.decided_at, ext.decided_by, ext.decision_note = timezone.now(), user, note
        ext.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        if approve:
            req.extension_days += ext.days
            req.due_on = _due(req)
            _save(req, ["extension_days", "due_on"])
        record(
            actor=user,
            action=RequestEvent.EXTENSION_DECIDED,
            subject=req,
            before=before,
            after={**snapshot(req, CLOCK_FIELDS), "extension": ext.pk, "approved": approve},
            reason=note,
        )
    return ext


@guard_text
def request_reply(
    *, user: User | None, request: Request, text: str, files: Sequence[tuple[str, IO[bytes] | Any]] = ()
) -> Request:
    """答复 (reply text + attachments) by the lead unit, only after it signed for the request."""
    access.require_see(user, request)
    access.require_lead_unit(user, request, "答复")
    text = _reason(text, "答复内容")
    with transaction.atomic():
        req = _locked(request)
        if req.status == S.ASSIGNED:
            raise InvalidTransition("请先签收该诉求,再答复。", code=RequestError.NOT_SIGNED)
        _check(req, "reply")
        if req.paused_since is not None:
            raise InvalidTransition("该诉求正在等待企业补正,补正结束后才能答复。", code=RequestError.PAUSED)
        now = timezone.now()
        req.status, req.reply_text, req.replied_at = S.REPLIED, text, now
        _save(req, ["status", "reply_text", "replied_at"])
        for name, stream in files:
            from luoshi.requests.services.files import store_attachment

            store_attachment(request=req, name=name, stream=stream, user=user, purpose="reply")
        record(
            actor=user,
            action=RequestEvent.REPLIED,
            subject=req,
            after={
                "status": req.status,
                "on_time": req.due_on is None or timezone.localdate(now) <= req.due_on,
            },
        )
        transaction.on_commit(lambda: notify.enterprise(req, "replied", f"您的诉求已答复:{req.title}"))
    return req


@guard_text
def request_complete(*, user: User | None, request: Request, resolved: bool) -> Request:
    """办结: the lead unit closes its work, saying whether the problem was solved; the revisit follows."""
    access.require_see(user, request)
    access.require_lead_unit(user, request, "办结")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "complete")
        req.status, req.completed_at, req.resolved = S.COMPLETED, timezone.now(), bool(resolved)
        _save(req, ["status", "completed_at", "resolved"])
        record(
            actor=user,
            action=RequestEvent.COMPLETED,
            subject=req,
            after={"status": req.status, "resolved": req.resolved},
        )
        transaction.on_commit(
            lambda: notify.enterprise(req, "completed", f"您的诉求已办结,请评价:{req.title}")
        )
    return req


# --- revisit ------------------------------------------------------------------------------------------------
@guard_text
def request_revisit(
    *, user: User | None, request: Request, satisfaction: str, comment: str = "", by_call: bool = False
) -> Request:
    """回访: 满意 / 基本满意 close the request; 不满意 reopens it (重办) to the same unit, counted; a second
    不满意 goes to the office (提级办理)."""
    access.require_see(user, request)
    if not (access.owns(user, request) or access.is_office(user)):
        raise AccessDenied("只有提出诉求的企业或营商办(电话回访后)可以评价。", code=RequestError.RATING_NOT_ALLOWED)
    if access.is_admin(user):
        access.require_office(user, request, "录入回访结果")
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed("请选择满意、基本满意或不满意。", code=RequestError.RATING_INVALID)
    if satisfaction == Satisfaction.UNSATISFIED:
        comment = _reason(comment, "不满意的原因")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "revisit")
        before = snapshot(req, [*CLOCK_FIELDS, "reopen_count", "satisfaction"])
        now = timezone.now()
        rnd = req.revisits.count() + 1
        Revisit.objects.create(
            request=req,
            round=rnd,
            satisfaction=satisfaction,
            comment=comment.strip(),
            by=user,
            by_call=by_call or access.is_admin(user),
            unit=req.lead_unit,
        )
        req.satisfaction = satisfaction
        action = RequestEvent.REVISITED
        if satisfaction != Satisfaction.UNSATISFIED:
            req.status, req.closed_at = S.CLOSED, now
        elif req.reopen_count == 0:
            action = RequestEvent.REOPENED
            days, hours = limits_for(req.region)[req.urgency or Urgency.NORMAL]
            req.reopen_count += 1
            req.status = S.ASSIGNED
            req.assigned_at = now
            req.signin_due_at = deadlines.add_working_hours(calendar_for(req.region), timezone.localtime(now), hours)
            req.clock_start, req.limit_days, req.extension_days = timezone.localdate(now), days, 0
            req.due_on = _due(req)
            req.signed_at = req.signed_by = req.replied_at = req.completed_at = None  # type: ignore[assignment]
            req.resolved = None
        else:
            action = RequestEvent.ESCALATED
            req.status = S.ESCALATED
        _save(
            req,
            [
                "satisfaction",
                "status",
                "closed_at",
                "reopen_count",
                "assigned_at",
                "signin_due_at",
                "due_on",
                "signed_at",
                "signed_by",
                "replied_at",
                "completed_at",
                "resolved",
                "clock_start",
                "limit_days",
                "extension_days",
            ],
        )
        record(
            actor=user,
            action=action,
            subject=req,
            before=before,
            after={**snapshot(req, [*CLOCK_FIELDS, "reopen_count", "satisfaction"]), "round": rnd},
            reason=comment,
        )
        if action == RequestEvent.REOPENED and req.lead_unit is not None:
            unit = req.lead_unit
            transaction.on_commit(
                lambda: notify.unit(req, unit, "reopened", f"企业不满意,请重办:{req.title}", comment)
            )
        elif action == RequestEvent.ESCALATED:
            transaction.on_commit(
                lambda: notify.office(
                    req, req.region, "escalated", f"重办后企业仍不满意,请营商办提级办理:{req.title}"
                )
            )
    return req


@guard_text
def request_close(*, user: User | None, request: Request, reason: str) -> Request:
    """The office files away an escalated request after handling it itself (or a completed one nobody rated)."""
    access.require_office(user, request, "归档诉求")
    reason = _reason(reason, "归档说明")
    with transaction.atomic():
        req = _locked(request)
        _check(req, "close")
        req.status, req.closed_at = S.CLOSED, timezone.now()
        _save(req, ["status", "closed_at"])
        record(
            actor=user, action=RequestEvent.CLOSED, subject=req, after={"status": req.status}, reason=reason
        )
    return req
