"""The real browser: a unit files a report with an attachment, the office signs the task off, the leader
sees it green."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_sign_off_and_leader_sees_green(
    login: Any, page: Any, live_server: Any, users: dict[str, Any], make_plan: Any, tmp_path: Path
) -> None:
    from luoshi.supervision.models import Attachment, Task, TaskStatus
    from luoshi.supervision.services import tasks_sync_from_plan

    plan = make_plan(
        [
            {
                "text": "建设企业服务专区,年底前上线。",
                "deadline": dt.date(2027, 6, 30),
                "lead": ["jm_fgw"],
                "co": [],
            }
        ],
        issued_on=dt.date(2026, 9, 1),
    )
    [task] = tasks_sync_from_plan(plan=plan, actor=users["admin"])
    evidence = tmp_path / "上线截图.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    url = f"{live_server.url}/supervision/tasks/{task.pk}/"

    # the unit files its report with an attachment, then asks for sign-off
    login(users["staff"])
    page.goto(url)
    page.fill("#id_percent", "100")
    page.fill("#id_narrative", "企业服务专区已上线运行。")
    page.set_input_files("#id_files", str(evidence))
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("text=一期的进展")
    assert "上线截图.pdf" in page.locator("table.reports").inner_text()
    page.fill("#id_evidence", "专区已上线,见佐证材料。")
    page.click("#request-form button[value=request]")
    page.wait_for_selector("#task-status:has-text('申请销号')")
    assert Attachment.objects.filter(report__task=task).count() == 1

    # the office signs it off
    page.context.clear_cookies()
    login(users["admin"])
    page.goto(url)
    page.click("#review-form button[value=sign_off]")
    page.wait_for_selector("#task-status:has-text('已销号')")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.SIGNED_OFF

    # the leader sees it green, read-only
    page.context.clear_cookies()
    login(users["leader"])
    page.goto(f"{live_server.url}/supervision/overview/")
    item = page.locator("#recent-signed-off li", has_text="企业服务专区")
    assert item.locator(".badge.green").inner_text() == "绿灯"
    page.goto(url)
    assert page.locator("#review-form").count() == 0 and page.locator("#report-form").count() == 0
    assert "已销号" in page.locator("#colour-reason").inner_text()
