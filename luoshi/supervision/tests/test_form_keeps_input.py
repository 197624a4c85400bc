"""A form refused for a bad attachment keeps what was typed (the page comes back with it, saying why); a POST form
reached again after the session expired lands on the task page (where the browser's draft is restored), never on
a bare 405; a form that went through tells the browser to drop its draft."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from luoshi.supervision.models import ProgressReport, Task

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _report_post(task: Task, staff: Any, files: list[Any]) -> dict[str, Any]:
    assignment = task.assignments.get(unit_id=staff.unit_id)
    detail = client_for(staff).get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert 'id="report-form"' in detail and 'data-draft="report-' in detail
    return {
        "assignment": assignment.pk,
        "period_start": "2026-11-01",
        "percent": "42",
        "narrative": "已完成返乡创业政策宣讲十二场,新增创业主体三百余户",
        "problems": "场地补贴资金尚未到位",
        "actual_0": "1800",
        "files": files,
    }


def test_bad_attachment_re_renders_what_was_typed(tasks: list[Task], users: dict[str, Any]) -> None:
    task, staff = tasks[0], users["staff"]
    data = _report_post(task, staff, [SimpleUploadedFile("证明.exe", b"MZ\x90\x00 not a document")])
    r = client_for(staff).post(f"/supervision/tasks/{task.pk}/report/", data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "未能报送" in html and "证明.exe" in html and "类型不允许" in html
    assert "重新选择佐证材料" in html  # files are not kept by browsers: say so
    assert data["narrative"] in html and data["problems"] in html
    assert 'value="42"' in html and 'value="1800"' in html
    assert '<option value="2026-11-01" selected>' in html
    assert not ProgressReport.objects.filter(task=task).exists()  # nothing half-written


def test_a_filed_report_clears_the_browser_draft(tasks: list[Task], users: dict[str, Any]) -> None:
    task, staff = tasks[0], users["staff"]
    data = _report_post(task, staff, [])
    c = client_for(staff)
    r = c.post(f"/supervision/tasks/{task.pk}/report/", data, follow=True)
    html = r.content.decode()
    assert f"draft-done-report-{task.pk}" in html  # drafts.js drops luoshi:draft:report-<pk>
    assert "已报送" in html


def test_post_form_after_expired_session_lands_on_the_task_page(tasks: list[Task], users: dict[str, Any]) -> None:
    task = tasks[0]
    anonymous = Client()
    r = anonymous.post(f"/supervision/tasks/{task.pk}/report/", {"narrative": "写了很多"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    # after signing in again, the login page sends the user to that address with a GET
    staff = client_for(users["staff"])
    for suffix in ("report/", "action/", "notice/", "assign/", "instruct/"):
        r = staff.get(f"/supervision/tasks/{task.pk}/{suffix}")
        assert r.status_code == 302 and r["Location"] == f"/supervision/tasks/{task.pk}/", suffix


def test_drafts_script_is_local_and_loaded_on_every_page(tasks: list[Task], users: dict[str, Any]) -> None:
    html = client_for(users["staff"]).get("/").content.decode()
    assert '<script src="/static/luoshi/drafts.js" defer></script>' in html
    assert client_for(users["staff"]).get("/static/luoshi/drafts.js").status_code == 200
