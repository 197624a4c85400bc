"""Accountability sweep, metrics, arrears, privacy retention, hotspots."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, NotFound, ValidationFailed
from luoshi.requests import hooks, services
from luoshi.requests.models import METRIC_COUNTERS, AccountabilityEntry, ArrearsClaim, Request
from luoshi.requests.services import arrears, hotspots, metrics, privacy
from luoshi.requests.services.sweep import sweep

pytestmark = pytest.mark.django_db


def test_overdue_sign_in_reply_and_completion(
    users: dict[str, Any],
    assigned: Callable[..., Any],
    signed: Callable[..., Any],
    at: Callable[[dt.datetime], None],
) -> None:
    at(dt.datetime(2025, 9, 26, 10, 0))
    late_sign = assigned(title="未签收")
    late_reply = signed(title="未答复")
    at(dt.datetime(2025, 10, 20, 10, 0))
    result = sweep()
    kinds = dict(AccountabilityEntry.objects.values_list("request_id", "kind"))
    assert kinds == {late_sign.pk: "signin", late_reply.pk: "reply"}
    entry = AccountabilityEntry.objects.get(request=late_reply)
    assert entry.person == users["staff"] and entry.unit == users["staff"].unit
    assert result.summary()["total_new"] == 2
    sweep()  # a second run adds nothing
    assert AccountabilityEntry.objects.count() == 2
    at(dt.datetime(2026, 1, 5, 10, 0))
    sweep()
    assert AccountabilityEntry.objects.filter(request=late_reply, kind="completion").exists()


def test_paused_request_is_not_late_for_reply(
    users: dict[str, Any], signed: Callable[..., Any], at: Callable[[dt.datetime], None]
) -> None:
    at(dt.datetime(2025, 9, 26, 10, 0))
    req = signed()
    services.request_pause(user=users["staff"], request=req, reason="补图纸")
    at(dt.datetime(2025, 10, 20, 10, 0))
    sweep()
    assert not AccountabilityEntry.objects.filter(kind="reply").exists()


def test_metrics_per_unit_and_export(
    users: dict[str, Any],
    regions: dict[str, Any],
    signed: Callable[..., Any],
    file_request: Callable[..., Any],
) -> None:
    req = signed()
    req = services.request_reply(user=users["staff"], request=req, text="已办")
    req = services.request_complete(user=users["staff"], request=req, resolved=True)
    services.request_revisit(user=users["enterprise"], request=req, satisfaction="satisfied")
    services.request_reject(user=users["admin"], request=file_request(title="x"), reason="非本平台受理范围")
    period = f"{req.received_at:%Y-%m}"
    rows, total = metrics.unit_metrics(user=users["admin"], region=regions["jingmen"], period=period)
    fgw = next(r for r in rows if r.unit_id == users["staff"].unit_id)
    assert fgw.values["signin_on_time"] == 100.0 and fgw.values["satisfaction"] == 100.0
    assert fgw.values["resolution"] == 100.0 and fgw.values["good"] == 1
    assert total.values["total"] == 2 and total.values["acceptance"] == 50.0
    assert total.values["procedural_7d"] == 100.0
    wb = load_workbook(io.BytesIO(metrics.metrics_xlsx(rows, total, period)))
    assert wb.active is not None and wb.active["A1"].value == "单位"
    _other_rows, other_total = metrics.unit_metrics(
        user=users["admin_jz"], region=regions["jingmen"], period=period
    )
    assert other_total.values["total"] == 0


def _live(period: str) -> dict[int, dict[str, int]]:
    """The figures straight from the requests (what the page computed before the roll-up)."""
    start, end = hotspots.period_bounds(period)
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in Request.objects.filter(received_at__gte=start, received_at__lt=end)
        .values("lead_unit_id")
        .annotate(**metrics._aggregate())
        .order_by()
    ]
    return {r["lead_unit_id"] or 0: {c: r[c] for c in METRIC_COUNTERS} for r in rows}


def _rolled(users: dict[str, Any], regions: dict[str, Any], period: str) -> dict[int, dict[str, Any]]:
    rows, _total = metrics.unit_metrics(user=users["admin"], region=regions["jingmen"], period=period)
    return {r.unit_id or 0: r.values for r in rows}


def test_metrics_roll_up_follows_every_state_change_without_scanning_requests(
    users: dict[str, Any],
    units: dict[str, Any],
    regions: dict[str, Any],
    assigned: Callable[..., Any],
    file_request: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    """The page's figures equal a scan of the requests after every kind of change (filing, review, routing,
    退回 and re-routing to another unit, sign-in, reply, completion, 不满意 → 重办), before and after the deltas
    are folded and after a rebuild; the page itself reads only the roll-up."""
    from luoshi.requests.models import MetricsDelta, MetricsSummary

    rng = random.Random(5)
    reqs = [assigned(title=f"指标{i}") for i in range(6)]
    services.request_reject(user=users["admin"], request=file_request(title="不受理"), reason="非本平台受理范围")
    file_request(title="待审查")
    period = metrics.period_of(reqs[0].received_at)

    def check() -> None:
        live = _live(period)
        rolled = _rolled(users, regions, period)
        assert set(rolled) == {k for k, v in live.items() if v["total"]}
        for key, counts in live.items():
            assert rolled[key] == metrics._values(counts), key

    check()
    moved = services.request_return(user=users["staff"], request=reqs[0], reason="不属于本单位职责")
    services.request_assign(user=users["admin"], request=moved, lead_unit=units["jm_jxj"])
    check()
    for req in reqs[1:]:
        req = services.request_sign(user=users["staff"], request=req)
        req = services.request_reply(user=users["staff"], request=req, text="已办理")
        req = services.request_complete(user=users["staff"], request=req, resolved=rng.random() < 0.7)
        sat = rng.choice(["satisfied", "basic", "unsatisfied"])
        services.request_revisit(user=users["enterprise"], request=req, satisfaction=sat, comment="仍未解决")
    check()
    assert MetricsDelta.objects.exists()
    metrics.metrics_fold(batch=7)  # several batches
    assert not MetricsDelta.objects.exists() and MetricsSummary.objects.exists()
    check()
    before = _rolled(users, regions, period)
    assert metrics.metrics_rebuild([period])["rows"] >= 2
    assert _rolled(users, regions, period) == before
    assert metrics.metrics_rebuild()["periods"] == 1  # everything in one pass, as after a bulk load
    assert _rolled(users, regions, period) == before
    # the page's read: the roll-up rows and the unit names, never the requests table
    with django_assert_max_num_queries(8) as captured:
        metrics.unit_metrics(user=users["admin"], region=regions["jingmen"], period=period)
    assert not any('"enterprise_requests_request"' in q["sql"] for q in captured.captured_queries)
    # a unit's staff see their own unit's row only; another region's office sees nothing of this one
    rows, _ = metrics.unit_metrics(user=users["staff"], region=regions["jingmen"], period=period)
    assert {r.unit_id for r in rows} == {units["jm_fgw"].pk}
    _rows, other = metrics.unit_metrics(user=users["admin_jz"], region=regions["jingmen"], period=period)
    assert other.values["total"] == 0


def test_arrears_until_cleared(users: dict[str, Any], assigned: Callable[..., Any]) -> None:
    req = assigned(category="arrears", debtor_name="某区城投公司", amount_claimed="100000")
    claim = ArrearsClaim.objects.get(request=req)
    with pytest.raises(NotFound):
        arrears.arrears_pay(user=users["staff_other"], claim=claim, amount="1", on=dt.date(2026, 1, 1))
    with pytest.raises(AccessDenied):
        arrears.arrears_pay(user=users["enterprise"], claim=claim, amount="1", on=dt.date(2026, 1, 1))
    arrears.arrears_confirm(user=users["admin"], claim=claim, amount="80000", on=dt.date(2026, 1, 5))
    arrears.arrears_pay(user=users["staff"], claim=claim, amount="50000", on=dt.date(2026, 2, 1))
    with pytest.raises(ValidationFailed, match="超过应付金额"):
        arrears.arrears_pay(user=users["staff"], claim=claim, amount="40000", on=dt.date(2026, 3, 1))
    arrears.arrears_pay(user=users["staff"], claim=claim, amount="30000", on=dt.date(2026, 3, 1))
    claim.refresh_from_db()
    assert claim.status == "cleared" and claim.closed_on == dt.date(2026, 3, 1)
    with pytest.raises(InvalidTransition):
        arrears.arrears_pay(user=users["staff"], claim=claim, amount="1", on=dt.date(2026, 3, 2))
    (row,) = list(arrears.ledger(users["admin"]))
    assert row["debtor_name"] == "某区城投公司" and row["confirmed"] == Decimal("80000")
    wb = load_workbook(io.BytesIO(arrears.ledger_xlsx(users["admin"])))
    assert wb.active is not None and wb.active["A2"].value == "某区城投公司"
    assert list(arrears.ledger(users["enterprise_other"])) == []


def test_arrears_settlement_needs_the_agreement(users: dict[str, Any], assigned: Callable[..., Any]) -> None:
    claim = ArrearsClaim.objects.get(
        request=assigned(category="arrears", debtor_name="某局", amount_claimed="9")
    )
    with pytest.raises(ValidationFailed, match="化解协议"):
        arrears.arrears_settle(user=users["admin"], claim=claim, note="", on=dt.date(2026, 1, 1))
    claim = arrears.arrears_settle(
        user=users["admin"], claim=claim, note="协议2026-01号,分两期支付", on=dt.date(2026, 1, 1)
    )
    assert claim.status == "settled"


def test_contact_retention_erases_closed_requests(
    users: dict[str, Any], regions: dict[str, Any], file_request: Callable[..., Any]
) -> None:
    req = services.request_reject(user=users["admin"], request=file_request(), reason="不属于受理范围")
    privacy.retention_set(user=users["admin"], region=regions["jingmen"], days=30)
    with pytest.raises(AccessDenied):
        privacy.retention_set(user=users["staff"], region=regions["jingmen"], days=30)
    assert req.closed_at is not None
    assert privacy.erase_expired_contacts(now=req.closed_at + dt.timedelta(days=10)) == 0
    assert privacy.erase_expired_contacts(now=req.closed_at + dt.timedelta(days=31)) == 1
    req.refresh_from_db()
    assert req.contact_phone == "" and req.contact_name == privacy.ERASED


def test_contact_reveal_refusals(users: dict[str, Any], assigned: Callable[..., Any]) -> None:
    req = assigned()
    assert privacy.contact_reveal(user=users["enterprise"], request=req)[1] == "13800138000"
    with pytest.raises(NotFound):
        privacy.contact_reveal(user=users["enterprise_other"], request=req)
    with pytest.raises(AccessDenied):
        privacy.contact_reveal(user=users["leader"], request=req)
    with pytest.raises(NotFound):
        privacy.contact_reveal(user=users["admin_jz"], request=req)


def test_hotspots_group_similar_requests_and_become_a_supervised_task(
    users: dict[str, Any],
    units: dict[str, Any],
    regions: dict[str, Any],
    file_request: Callable[..., Any],
    client: Any,
) -> None:
    from luoshi.audit.models import AuditEvent
    from luoshi.calendar.services import calendar_for
    from luoshi.notifications.models import Notification
    from luoshi.supervision.models import Assignment, Task
    from luoshi.supervision.services.hotspots import on_supervised_task_requested

    reqs = []
    for i in range(4):
        req = file_request(
            title=f"园区道路积水严重{i}",
            text=f"工业园区纬三路雨后积水严重,货车无法通行,影响企业生产第{i}次反映。",
        )
        req = services.request_accept(user=users["admin"], request=req, urgency="normal")
        lead = units["jm_fgw"] if i < 3 else units["jm_jxj"]  # 发改委 leads three of four: it leads the task
        reqs.append(services.request_assign(user=users["admin"], request=req, lead_unit=lead))
    file_request(title="社保补贴申请", text="稳岗补贴申请材料提交后一直没有审批结果。")
    period = f"{Request.objects.first().received_at:%Y-%m}"  # type: ignore[union-attr]
    found = hotspots.clusters(user=users["admin"], region=regions["jingmen"], period=period)
    assert len(found) == 1 and found[0].size == 4

    # without a receiver the office is told, and nothing is written
    hooks.supervised_task_requested.disconnect(dispatch_uid="supervision.task_from_hotspot")
    try:
        with pytest.raises(ValidationFailed, match="没有可承接督办任务"):
            hotspots.hotspot_to_task(
                user=users["admin"],
                region=regions["jingmen"],
                period=period,
                request_ids=found[0].request_ids,
                label=found[0].label,
            )
    finally:
        hooks.supervised_task_requested.connect(
            on_supervised_task_requested, dispatch_uid="supervision.task_from_hotspot"
        )
    assert not Task.objects.exists()

    with pytest.raises(AccessDenied):
        hotspots.hotspot_to_task(
            user=users["staff"],
            region=regions["jingmen"],
            period=period,
            request_ids=found[0].request_ids,
            label="x",
        )
    spot = hotspots.hotspot_to_task(
        user=users["admin"],
        region=regions["jingmen"],
        period=period,
        request_ids=found[0].request_ids,
        label=found[0].label,
    )
    # a real supervised task: the cluster's requests quoted, the most frequent lead unit leads, the other
    # co-operates, the deadline 15 working days on the region's calendar, audited, the units notified
    task = Task.objects.get()
    assert spot.task_ref == f"supervision.task:{task.pk}" and spot.task_url == f"/supervision/tasks/{task.pk}/"
    assert spot.requests.count() == 4 and task.region == regions["jingmen"]
    assert all(r.number in task.text for r in reqs)
    assert task.plan.title.startswith("企业诉求热点问题整改") and task.plan.status == "published"
    leads = dict(Assignment.objects.filter(task=task).values_list("unit_id", "is_lead"))
    assert leads == {units["jm_fgw"].pk: True, units["jm_jxj"].pk: False}
    assert task.lead_units_text == units["jm_fgw"].name
    due = calendar_for(regions["jingmen"]).add_workdays(task.start_date, 15)
    assert task.deadline == getattr(due, "date", due)
    assert AuditEvent.objects.filter(action="task.created", subject_id=str(task.pk)).exists()
    assert AuditEvent.objects.filter(action="request.hotspot_task").exists()
    notified = set(Notification.objects.filter(url=spot.task_url).values_list("user__unit_id", flat=True))
    assert units["jm_fgw"].pk in notified
    again = hotspots.clusters(user=users["admin"], region=regions["jingmen"], period=period)
    assert again[0].task_ref == spot.task_ref and again[0].task_url == spot.task_url
    with pytest.raises(Conflict):
        hotspots.hotspot_to_task(
            user=users["admin"],
            region=regions["jingmen"],
            period=period,
            request_ids=found[0].request_ids,
            label=found[0].label,
        )
    assert Task.objects.count() == 1
    # the request page links the task for the unit handling it; the enterprise sees no supervision link
    client.force_login(users["staff"])
    page = client.get(f"/requests/{reqs[0].pk}/").content.decode()
    assert f'href="{spot.task_url}"' in page
    assert client.get(spot.task_url).status_code == 200
    client.force_login(users["enterprise"])
    page = client.get(f"/requests/{reqs[0].pk}/").content.decode()
    assert "已转为督办任务" in page and spot.task_url not in page


def test_office_issues_a_duban_notice_from_the_accountability_list(
    users: dict[str, Any],
    units: dict[str, Any],
    assigned: Callable[..., Any],
    at: Callable[[dt.datetime], None],
    client: Any,
) -> None:
    """A 督办单 for a unit's overdue requests: numbered like supervision's, a GB/T 9704 公文 with the Beijing
    date, downloaded with a Chinese file name; the unit and its leader in charge are told; refusals."""
    from urllib.parse import unquote

    from docx import Document
    from docx.shared import Mm

    from luoshi.audit.models import AuditEvent
    from luoshi.notifications.models import Notification
    from luoshi.requests.models import OverdueNotice
    from luoshi.requests.services import notices

    fgw = units["jm_fgw"]
    fgw.leader = users["leader"]
    fgw.save(update_fields=["leader"])
    at(dt.datetime(2026, 12, 1, 10, 0))
    late = [assigned(title=f"未签收{i}") for i in range(2)]
    at(dt.datetime(2026, 12, 28, 10, 0))
    sweep()
    entries = list(AccountabilityEntry.objects.filter(request__in=late).order_by("pk"))
    assert len(entries) == 2 and {e.unit_id for e in entries} == {fgw.pk}
    # 00:30 on 1 January in Beijing is still 31 December in UTC: the document is dated in Beijing
    at(dt.datetime(2027, 1, 1, 0, 30))
    with pytest.raises(AccessDenied):
        notices.notice_issue(user=users["staff"], unit=fgw, entries=entries, reply_deadline=dt.date(2027, 1, 8))
    with pytest.raises(AccessDenied):
        notices.notice_issue(
            user=users["admin_jz"], unit=fgw, entries=entries, reply_deadline=dt.date(2027, 1, 8)
        )
    with pytest.raises(ValidationFailed, match="责任单位不是"):
        notices.notice_issue(
            user=users["admin"], unit=units["jm_jxj"], entries=entries, reply_deadline=dt.date(2027, 1, 8)
        )
    with pytest.raises(ValidationFailed, match="早于今天"):
        notices.notice_issue(user=users["admin"], unit=fgw, entries=entries, reply_deadline=dt.date(2026, 12, 31))
    assert not OverdueNotice.objects.exists()

    client.force_login(users["admin"])
    page = client.get("/requests/accountability/").content.decode()
    assert 'name="entries"' in page
    response = client.post(
        "/requests/accountability/notice/",
        {"entries": [e.pk for e in entries], "reply_deadline": "2027-01-08", "requirement": "限期签收办理"},
        follow=True,
    )
    notice = OverdueNotice.objects.get()
    assert notice.number == "荆门市营商诉督〔2027〕1号" and "已向" in response.content.decode()
    assert AuditEvent.objects.filter(action="request.notice_issued", subject_id=str(notice.pk)).exists()
    told = set(Notification.objects.filter(kind="request.notice").values_list("user_id", flat=True))
    assert users["staff"].pk in told and users["leader"].pk in told
    again = notices.notice_issue(user=users["admin"], unit=fgw, entries=entries[:1], reply_deadline=dt.date(2027, 1, 8))
    assert again.number == "荆门市营商诉督〔2027〕2号"

    download = client.get(f"/requests/notices/{notice.pk}/docx/")
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "督办单荆门市营商诉督〔2027〕1号.docx"
    doc = Document(io.BytesIO(download.content))
    section = doc.sections[0]
    size = [section.page_width, section.page_height, section.top_margin, section.left_margin]
    assert [round((x or 0) / Mm(1)) for x in size] == [210, 297, 37, 28]
    east = doc.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east == "仿宋_GB2312"
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )
    assert "督办单" in text and notice.number in text and fgw.name in text
    assert all(r.number in text for r in late) and "超时未签收" in text
    assert "2027年1月1日" in text and "2026年12月31日" not in text
    assert "2027年1月8日" in text and "限期签收办理" in text
    # the unit downloads its own notice; another unit and an enterprise cannot
    client.force_login(users["staff"])
    assert client.get(f"/requests/notices/{notice.pk}/docx/").status_code == 200
    client.force_login(users["staff_other"])
    assert client.get(f"/requests/notices/{notice.pk}/docx/").status_code == 404
    client.force_login(users["enterprise"])
    assert client.get(f"/requests/notices/{notice.pk}/docx/").status_code in (403, 404)
