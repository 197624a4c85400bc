"""Progress reports: unit scoping, targets, roll-up, attachments, bulk filing from the exported workbook."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client

from luoshi.core.errors import AccessDenied, Conflict, ImportFailed, InvalidTransition, ValidationFailed
from luoshi.supervision import services
from luoshi.supervision.models import Assignment, Attachment, MissedReport, ProgressReport, Task, TaskStatus
from luoshi.supervision.services import exports

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 3, 20)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _assignment(task: Task, unit: Any) -> Assignment:
    return Assignment.objects.get(task=task, unit=unit)


def file(task: Task, unit: Any, user: Any, **kw: Any) -> ProgressReport:
    args: dict[str, Any] = {"period_start": MARCH, "narrative": "本月推进情况", "percent": 30, "today": TODAY}
    args.update(kw)
    return services.report_file(assignment=_assignment(task, unit), user=user, **args)


def test_target_actual_shows_share(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    report = file(tasks[0], units["jm_fgw"], users["staff"], actuals={"新增返乡创业": "1,800"})
    assert report.actuals[0]["achieved"] == 72.0
    progress = services.task_target_progress(tasks[0])
    assert progress[0]["actual"] == 1800 and progress[0]["achieved"] == 72.0
    assert services.target_achievement({"value": 3, "op": "<="}, 2) == 100.0


def test_refusals_other_unit_leader_office(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    for who in ("staff_other", "leader", "admin", "observer"):
        with pytest.raises(AccessDenied):
            file(tasks[0], units["jm_fgw"], users[who])
    assert not ProgressReport.objects.exists()


def test_validation(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="0 到 100"):
        file(tasks[0], units["jm_fgw"], users["staff"], percent=120)
    with pytest.raises(ValidationFailed, match="不是数字"):
        file(tasks[0], units["jm_fgw"], users["staff"], actuals={"新增返乡创业": "很多"})
    with pytest.raises(ValidationFailed, match="不是"):
        file(tasks[0], units["jm_fgw"], users["staff"], period_start=dt.date(2026, 3, 2))
    with pytest.raises(ValidationFailed, match="尚未开始"):
        file(tasks[0], units["jm_fgw"], users["staff"], period_start=dt.date(2026, 4, 1))


def test_roll_up_weighted_and_status(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    task = tasks[0]
    services.assignment_set_weights(
        task=task,
        user=users["admin"],
        weights={_assignment(task, units["jm_fgw"]).pk: 3, _assignment(task, units["jm_jxj"]).pk: 1},
    )
    file(task, units["jm_fgw"], users["staff"], percent=40)
    file(task, units["jm_jxj"], users["staff_other"], percent=80)
    task.refresh_from_db()
    assert task.percent == pytest.approx((3 * 40 + 80) / 4)
    assert task.status == TaskStatus.IN_PROGRESS


def test_revision_needs_current_version(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    first = file(tasks[0], units["jm_fgw"], users["staff"], percent=30)
    second = file(tasks[0], units["jm_fgw"], users["staff"], percent=35, expected_version=first.version)
    assert second.pk == first.pk and second.version == 2 and second.percent == 35
    with pytest.raises(Conflict):
        file(tasks[0], units["jm_fgw"], users["staff"], percent=50, expected_version=first.version)


def test_no_report_once_sign_off_requested(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    Task.objects.filter(pk=tasks[0].pk).update(status=TaskStatus.SIGN_OFF_REQUESTED)
    with pytest.raises(InvalidTransition):
        file(tasks[0], units["jm_fgw"], users["staff"])


def test_late_report_resolves_missed(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    services.sweep(dt.date(2026, 5, 20))
    a = _assignment(tasks[0], units["jm_fgw"])
    assert MissedReport.objects.filter(
        assignment=a, period_start=dt.date(2026, 3, 1), resolved_at=None
    ).exists()
    report = file(tasks[0], units["jm_fgw"], users["staff"], today=dt.date(2026, 5, 20))
    assert report.late
    assert MissedReport.objects.get(assignment=a, period_start=MARCH).resolved_at is not None


# --- attachments -----------------------------------------------------------------------------------------------
def test_attachment_checks(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any], settings: Any
) -> None:
    ok = file(tasks[0], units["jm_fgw"], users["staff"], files=[("佐证.pdf", io.BytesIO(PDF))])
    row = ok.attachments.get()
    assert row.content_type == "application/pdf" and row.size == len(PDF)
    from luoshi.supervision.services.reports import attachment_path

    path = attachment_path(row)
    assert path.read_bytes() == PDF and str(path).startswith(str(settings.FILES_DIR))
    with pytest.raises(ValidationFailed, match="类型不允许"):
        file(tasks[0], units["jm_fgw"], users["staff"], files=[("脚本.html", io.BytesIO(b"<script>"))])
    with pytest.raises(ValidationFailed, match="不符"):
        file(
            tasks[0],
            units["jm_fgw"],
            users["staff"],
            files=[("假的.pdf", io.BytesIO(b"MZ\x90\x00 not a pdf"))],
        )
    settings.LUOSHI_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationFailed, match="大小上限"):
        file(tasks[0], units["jm_fgw"], users["staff"], files=[("大.pdf", io.BytesIO(PDF))])
    assert Attachment.objects.count() == 1
    stored = list((settings.FILES_DIR / "supervision").rglob("*.*"))
    assert len(stored) == 1  # refused uploads leave no file behind


def test_attachment_download_is_scoped(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    report = file(tasks[1], units["jm_jxj"], users["staff_other"], files=[("佐证.pdf", io.BytesIO(PDF))])
    att = report.attachments.get()
    url = f"/supervision/attachments/{att.pk}/"
    for who, status in (
        ("staff_other", 200),
        ("admin", 200),
        ("leader", 200),
        ("staff", 404),
        ("admin_jz", 404),
        ("enterprise", 404),
    ):
        c = Client()
        c.force_login(users[who])
        r = c.get(url)
        assert r.status_code == status, who
        if status == 200:
            assert b"".join(r.streaming_content) == PDF  # type: ignore[attr-defined]
            assert r["X-Content-Type-Options"] == "nosniff"


def test_report_page_refuses_other_unit(
    tasks: list[Task], users: dict[str, Any], units: dict[str, Any]
) -> None:
    c = Client()
    c.force_login(users["staff"])  # 发改委 is not on the ongoing task
    a = _assignment(tasks[1], units["jm_jxj"])
    r = c.post(
        f"/supervision/tasks/{tasks[1].pk}/report/",
        {"assignment": a.pk, "period_start": "2026-03-01", "narrative": "冒名", "percent": "50"},
    )
    assert r.status_code == 404
    c.force_login(users["staff_other"])
    r = c.post(
        f"/supervision/tasks/{tasks[0].pk}/report/",
        {
            "assignment": _assignment(tasks[0], units["jm_fgw"]).pk,
            "period_start": "2026-03-01",
            "narrative": "冒名",
            "percent": "50",
        },
    )
    assert r.status_code == 404
    assert not ProgressReport.objects.exists()


def test_api_refusals(tasks: list[Task], users: dict[str, Any], units: dict[str, Any]) -> None:
    c = Client()
    c.force_login(users["staff_other"])
    body = {
        "assignment_id": _assignment(tasks[0], units["jm_fgw"]).pk,
        "period_start": "2026-03-01",
        "narrative": "冒名",
        "percent": 50,
    }
    r = c.post(f"/api/supervision/tasks/{tasks[0].pk}/reports", body, content_type="application/json")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    c.force_login(users["leader"])
    r = c.post(
        f"/api/supervision/tasks/{tasks[0].pk}/transition",
        {"to": "in_progress", "version": 1},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    c.force_login(users["enterprise"])
    assert c.get(f"/api/supervision/tasks/{tasks[0].pk}").status_code == 404
    assert c.get("/api/supervision/tasks").json()["count"] == 0
    report = file(tasks[0], units["jm_fgw"], users["staff"])
    c.force_login(users["staff_other"])
    r = c.post(f"/api/supervision/reports/{report.pk}/attachments", {"file": io.BytesIO(PDF)})
    # the co-unit's staff see the task but may not attach to the lead unit's report: refused, not invalid
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert not Attachment.objects.filter(report=report).exists()


# --- bulk filing ------------------------------------------------------------------------------------------------
def _fill(data: bytes, rows: dict[int, dict[int, Any]]) -> io.BytesIO:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb[exports.FILING_SHEET]
    for r, cols in rows.items():
        for c, v in cols.items():
            ws.cell(row=r, column=c, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_workbook_round_trip(tasks: list[Task], users: dict[str, Any], settings: Any) -> None:
    data = exports.unit_workbook(users["staff"], today=TODAY)
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data))[exports.FILING_SHEET]
    assert ws.freeze_panes == "A2" and ws.max_row == 2  # one open assignment for 发改委
    assert ws.cell(row=2, column=8).value == "新增返乡创业"
    period_start: Any = ws.cell(row=2, column=3).value
    filled = _fill(data, {2: {5: 45, 6: "已开展招聘对接", 10: 1800}})
    reports = exports.unit_workbook_import(user=users["staff"], stream=filled, today=TODAY)
    assert len(reports) == 1 and reports[0].percent == 45 and reports[0].actuals[0]["achieved"] == 72.0
    assert reports[0].period_start == period_start.date()


def test_workbook_errors_by_row_and_column_and_nothing_written(
    tasks: list[Task], users: dict[str, Any]
) -> None:
    data = exports.unit_workbook(users["staff"], today=TODAY)
    bad = _fill(data, {2: {5: 150, 6: "进展"}})
    with pytest.raises(ImportFailed) as info:
        exports.unit_workbook_import(user=users["staff"], stream=bad, today=TODAY)
    assert info.value.details[0]["row"] == 2 and info.value.details[0]["column"] == "完成进度(%)"
    assert not ProgressReport.objects.exists()
    with pytest.raises(ImportFailed, match="其他单位"):  # exported for 发改委, imported by 经信局
        exports.unit_workbook_import(
            user=users["staff_other"], stream=_fill(data, {2: {5: 10, 6: "x"}}), today=TODAY
        )
    tampered = _fill(data, {2: {1: 999999, 5: 10, 6: "x"}})
    with pytest.raises(ImportFailed) as info:
        exports.unit_workbook_import(user=users["staff"], stream=tampered, today=TODAY)
    assert any(d["column"] == "分工编号" for d in info.value.details)
    with pytest.raises(ImportFailed):
        exports.unit_workbook_import(user=users["staff"], stream=io.BytesIO(b"not a workbook"), today=TODAY)
