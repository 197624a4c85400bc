"""The loop after intake: review, routing, the unit's work, revisit and reopen, with every refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, InvalidTransition, NotFound, ValidationFailed
from luoshi.requests import selectors, services
from luoshi.requests.models import Note, RequestStatus

pytestmark = pytest.mark.django_db


def actions_of(req: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(subject_id=str(req.pk), subject_type="enterprise_requests.request")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_accept_reject_transfer(users: dict[str, Any], file_request: Callable[..., Any]) -> None:
    a = services.request_accept(user=users["admin"], request=file_request(), urgency="urgent")
    assert a.status == RequestStatus.ACCEPTED and a.limit_days == 3 and a.due_on and a.first_response_at
    b = file_request(title="b")
    with pytest.raises(ValidationFailed, match="不予受理的理由"):
        services.request_reject(user=users["admin"], request=b, reason=" ")
    b = services.request_reject(user=users["admin"], request=b, reason="属于司法程序事项")
    assert b.status == RequestStatus.REJECTED and b.review_reason == "属于司法程序事项"
    c = file_request(title="c")
    with pytest.raises(ValidationFailed, match="转办去向"):
        services.request_transfer(user=users["admin"], request=c, destination="")
    c = services.request_transfer(user=users["admin"], request=c, destination="市中级人民法院")
    assert c.status == RequestStatus.TRANSFERRED and c.transfer_to == "市中级人民法院"
    with pytest.raises(InvalidTransition, match="不能受理"):
        services.request_accept(user=users["admin"], request=c, urgency="normal")


def test_only_the_office_of_the_region_reviews(
    users: dict[str, Any], file_request: Callable[..., Any]
) -> None:
    req = file_request()
    for who in ("staff", "leader", "enterprise", "admin_jz"):
        with pytest.raises(AccessDenied):
            services.request_accept(user=users[who], request=req, urgency="normal")


def test_full_loop_with_reopen_and_escalation(
    users: dict[str, Any], units: dict[str, Any], assigned: Callable[..., Any]
) -> None:
    req = assigned()
    assert req.status == RequestStatus.ASSIGNED and req.signin_due_at is not None
    with pytest.raises(InvalidTransition, match="请先签收"):
        services.request_reply(user=users["staff"], request=req, text="已处理")
    req = services.request_sign(user=users["staff"], request=req)
    services.request_note(user=users["staff"], request=req, text="已联系消防大队")
    req = services.request_reply(user=users["staff"], request=req, text="已安排下周现场验收")
    req = services.request_complete(user=users["staff"], request=req, resolved=True)
    req = services.request_revisit(
        user=users["enterprise"], request=req, satisfaction="unsatisfied", comment="验收仍未安排"
    )
    assert req.status == RequestStatus.ASSIGNED and req.reopen_count == 1 and req.lead_unit == units["jm_fgw"]
    req = services.request_sign(user=users["staff"], request=req)
    req = services.request_reply(user=users["staff"], request=req, text="已验收")
    req = services.request_complete(user=users["staff"], request=req, resolved=True)
    req = services.request_revisit(
        user=users["enterprise"], request=req, satisfaction="unsatisfied", comment="仍不满意"
    )
    assert req.status == RequestStatus.ESCALATED and req.reopen_count == 1
    req = services.request_close(user=users["admin"], request=req, reason="营商办协调后已解决")
    assert req.status == RequestStatus.CLOSED
    assert "request.reopened" in actions_of(req) and "request.escalated" in actions_of(req)
    assert actions_of(req)[0] == "request.filed" and actions_of(req)[-1] == "request.closed"


def test_satisfied_closes(users: dict[str, Any], signed: Callable[..., Any]) -> None:
    req = signed()
    req = services.request_reply(user=users["staff"], request=req, text="已办")
    req = services.request_complete(user=users["staff"], request=req, resolved=True)
    with pytest.raises(ValidationFailed, match="不满意的原因"):
        services.request_revisit(user=users["enterprise"], request=req, satisfaction="unsatisfied")
    req = services.request_revisit(user=users["admin"], request=req, satisfaction="basic", by_call=True)
    assert req.status == RequestStatus.CLOSED and req.revisits.get().by_call


def test_another_unit_cannot_sign_reply_or_complete(
    users: dict[str, Any], assigned: Callable[..., Any]
) -> None:
    req = assigned()
    with pytest.raises(NotFound):  # it does not even see it
        services.request_sign(user=users["staff_other"], request=req)
    req.co_units.add(users["staff_other"].unit)
    with pytest.raises(AccessDenied, match="不是分办给本单位"):
        services.request_sign(user=users["staff_other"], request=req)
    req = services.request_sign(user=users["staff"], request=req)
    note = services.request_note(user=users["staff_other"], request=req, text="协办意见:土地指标已落实")
    assert note.kind == "cooperation"
    with pytest.raises(AccessDenied):
        services.request_reply(user=users["staff_other"], request=req, text="x")


def test_return_to_dispatcher_counts_against_nobody(
    users: dict[str, Any], assigned: Callable[..., Any]
) -> None:
    req = assigned()
    with pytest.raises(ValidationFailed, match="退回理由"):
        services.request_return(user=users["staff"], request=req, reason="")
    req = services.request_return(user=users["staff"], request=req, reason="属于经信局职责")
    assert req.status == RequestStatus.ACCEPTED and req.lead_unit is None and req.signin_due_at is None
    assert Note.objects.filter(request=req, kind="return").exists()
    with pytest.raises(NotFound):
        selectors.request_get(users["staff"], req.pk)


def test_extension_only_with_approval_and_before_due(
    users: dict[str, Any], signed: Callable[..., Any], at: Callable[[dt.datetime], None]
) -> None:
    at(dt.datetime(2025, 9, 26, 10, 0))  # Friday before 国庆
    req = signed()
    assert req.due_on == dt.date(2025, 10, 10)  # 5 working days: 9-28 (调休), 9-29, 9-30, 10-9, 10-10
    ext = services.extension_request(user=users["staff"], request=req, days=3, reason="需现场勘验")
    req.refresh_from_db()
    assert req.due_on == dt.date(2025, 10, 10)  # not before approval
    with pytest.raises(AccessDenied):
        services.extension_decide(user=users["staff"], extension=ext, approve=True)
    with pytest.raises(InvalidTransition, match="待审批"):
        services.extension_request(user=users["staff"], request=req, days=1, reason="再延")
    services.extension_decide(user=users["admin"], extension=ext, approve=True)
    req.refresh_from_db()
    assert req.due_on == dt.date(2025, 10, 14)  # +3: 10-11 (调休 Saturday), 10-13, 10-14
    at(dt.datetime(2025, 10, 16, 9, 0))
    with pytest.raises(InvalidTransition, match="到期前申请"):
        services.extension_request(user=users["staff"], request=req, days=2, reason="来不及")


def test_refused_extension_needs_a_reason(users: dict[str, Any], signed: Callable[..., Any]) -> None:
    req = signed()
    ext = services.extension_request(user=users["staff"], request=req, days=2, reason="x")
    with pytest.raises(ValidationFailed):
        services.extension_decide(user=users["admin"], extension=ext, approve=False)
    ext = services.extension_decide(user=users["admin"], extension=ext, approve=False, note="理由不充分")
    assert ext.status == "refused"


def test_pause_spanning_national_day_moves_the_due_date(
    users: dict[str, Any], signed: Callable[..., Any], at: Callable[[dt.datetime], None]
) -> None:
    at(dt.datetime(2025, 9, 26, 10, 0))
    req = signed()
    at(dt.datetime(2025, 9, 29, 10, 0))
    services.request_pause(user=users["staff"], request=req, reason="请补充验收图纸")
    with pytest.raises(InvalidTransition, match="等待企业补正"):
        services.request_reply(user=users["staff"], request=req, text="x")
    with pytest.raises(NotFound):
        services.request_resume(user=users["enterprise_other"], request=req)
    with pytest.raises(AccessDenied):
        services.request_resume(user=users["leader"], request=req)
    at(dt.datetime(2025, 10, 9, 10, 0))
    req = services.request_resume(user=users["enterprise"], request=req, text="已补充图纸")
    # paused working days [9-29, 10-9): 9-29, 9-30 → 2 more: 10-11 (调休 Saturday) and 10-13
    assert req.due_on == dt.date(2025, 10, 13)
    pause = req.pauses.get()
    assert pause.started_on == dt.date(2025, 9, 29) and pause.ended_on == dt.date(2025, 10, 9)
    assert {"request.paused", "request.resumed"} <= set(actions_of(req))


def test_urgent_class_across_a_make_up_sunday(
    users: dict[str, Any], file_request: Callable[..., Any], at: Callable[[dt.datetime], None]
) -> None:
    at(dt.datetime(2025, 9, 26, 16, 0))
    req = services.request_accept(user=users["admin"], request=file_request(), urgency="urgent")
    assert req.due_on == dt.date(2025, 9, 30)  # 9-28 is a 调休 working Sunday


def test_time_limits_per_class_and_region(
    users: dict[str, Any],
    regions: dict[str, Any],
    file_request: Callable[..., Any],
    at: Callable[[dt.datetime], None],
) -> None:
    services.time_limit_set(user=users["admin"], region=regions["jingmen"], urgency="complex", days=10)
    with pytest.raises(AccessDenied):
        services.time_limit_set(user=users["admin_jz"], region=regions["jingmen"], urgency="complex", days=9)
    with pytest.raises(ValidationFailed):
        services.time_limit_set(user=users["admin"], region=regions["jingmen"], urgency="complex", days=0)
    assert services.limits_for(regions["jingmen"])["complex"][0] == 10
    assert services.limits_for(regions["jingzhou"])["complex"][0] == 15
    at(dt.datetime(2025, 9, 26, 10, 0))
    req = services.request_accept(user=users["admin"], request=file_request(), urgency="complex")
    assert req.limit_days == 10


def test_sign_in_limit_in_working_hours(
    users: dict[str, Any],
    file_request: Callable[..., Any],
    units: dict[str, Any],
    at: Callable[[dt.datetime], None],
) -> None:
    at(dt.datetime(2025, 9, 30, 15, 0))  # Tuesday 15:00, the day before 国庆
    req = services.request_accept(user=users["admin"], request=file_request(), urgency="normal")
    req = services.request_assign(user=users["admin"], request=req, lead_unit=units["jm_fgw"])
    # 2 office hours on 9-30, the remaining 6 on 10-9 (first working day after the holiday) → 15:00
    assert req.signin_due_at is not None
    assert req.signin_due_at.astimezone(dt.UTC) == dt.datetime(2025, 10, 9, 7, 0, tzinfo=dt.UTC)


def test_enterprise_sees_only_its_own(users: dict[str, Any], file_request: Callable[..., Any]) -> None:
    req = file_request()
    assert selectors.request_get(users["enterprise"], req.pk) == req
    for who in ("enterprise_other", "staff", "admin_jz", "observer"):
        with pytest.raises(NotFound):
            selectors.request_get(users[who], req.pk)
    assert list(selectors.request_list(users["enterprise_other"])) == []
    assert list(selectors.request_list(users["leader"])) == [req]
