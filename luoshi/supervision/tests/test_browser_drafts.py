"""In a real browser: what a unit typed into the progress report survives a stale security token (CSRF) and an
expired session — kept as a draft in this browser (static/luoshi/drafts.js, localStorage) and restored on the next
load of the same form, cleared once the report went through. Also screenshots of the platform's error pages and of
the office's account page (test-artifacts/, looked at by the developer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
SLOW_MACHINE_MS = 90_000  # a shared machine under load: waiting longer costs nothing when it is fast
TYPED = "已完成返乡创业政策宣讲十二场,新增创业主体三百余户"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_draft_survives_a_stale_token_and_an_expired_session(
    page: Any, login: Any, live_server: Any, users: dict[str, Any], tasks: list[Any]
) -> None:
    from luoshi.supervision.models import ProgressReport

    page.set_default_timeout(SLOW_MACHINE_MS)

    ARTIFACTS.mkdir(exist_ok=True)
    task = tasks[0]
    url = f"{live_server.url}/supervision/tasks/{task.pk}/"
    page = login(users["staff"])
    page.goto(url)
    page.fill("#id_narrative", TYPED)
    page.fill("#id_problems", "场地补贴资金尚未到位")
    page.fill("#id_percent", "35")

    # the security token went stale (e.g. signed out in another window and in again): the post is refused
    page.evaluate("document.querySelector('#report-form [name=csrfmiddlewaretoken]').value = 'stale'")
    page.context.clear_cookies(name="csrftoken")
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    assert "页面已过期" in page.inner_text("main") and "暂存在本浏览器中" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "error-csrf.png"), full_page=True)
    assert not ProgressReport.objects.filter(task=task).exists()

    # back on the form: what was typed is restored, and the page says so
    page.goto(url)
    assert page.input_value("#id_narrative") == TYPED
    assert page.input_value("#id_problems") == "场地补贴资金尚未到位"
    assert page.input_value("#id_percent") == "35"
    assert "已恢复您上次在本浏览器中未提交成功的内容" in page.inner_text("#report-form")
    page.locator("#report-form").screenshot(path=str(ARTIFACTS / "draft-restored.png"))

    # the session expires while the form is open (the session cookie is gone, the CSRF cookie lives on): the post
    # goes to the login page, the draft stays
    page.context.clear_cookies(name="sessionid")
    page.fill("#id_narrative", TYPED + "(第二次)")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", users["staff"].username)
    page.fill("#id_password", "Test-password-2025")
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_url(url)  # sent back to the task page, not to a bare 405
    assert page.input_value("#id_narrative") == TYPED + "(第二次)"

    # submitted for real: the report is filed and the draft is gone
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    assert "已报送" in page.inner_text(".messages")
    assert ProgressReport.objects.filter(task=task, narrative=TYPED + "(第二次)").exists()
    assert page.evaluate(f"localStorage.getItem('luoshi:draft:report-{task.pk}')") is None
    page.goto(url)
    assert page.input_value("#id_narrative") == ""
    assert page.locator(".draft-note").count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_error_pages_and_account_page_screenshots(
    page: Any, login: Any, live_server: Any, users: dict[str, Any], tasks: list[Any]
) -> None:
    page.set_default_timeout(SLOW_MACHINE_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page = login(users["staff"])
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response is not None and response.status == 404
    assert "页面不存在" in page.inner_text("main") and "回到首页" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "error-404.png"), full_page=True)
    response = page.goto(f"{live_server.url}/accounts/users/")
    assert response is not None and response.status == 403
    page.screenshot(path=str(ARTIFACTS / "error-403-accounts-for-staff.png"), full_page=True)

    page.context.clear_cookies()
    page = login(users["admin"])
    page.goto(f"{live_server.url}/accounts/users/")
    page.fill("#id_username", "wang_wu")
    page.fill("#id_display_name", "王五")
    page.select_option("#id_unit", label=f"{tasks[0].assignments.first().unit.name}(荆门市)")
    with page.expect_navigation():
        page.click("#create-form button[type=submit]")
    assert "只显示这一次" in page.inner_text("#created")
    assert page.locator(".draft-note").count() == 0  # created: the form's draft is dropped, not restored
    page.screenshot(path=str(ARTIFACTS / "accounts-list-created.png"), full_page=True)
    page.click("#accounts a:text-is('wang_wu')")
    page.wait_for_url("**/accounts/users/*/")
    with page.expect_navigation():
        page.click("button[value=reset_password]")
    assert page.locator("#new-password").inner_text()
    page.screenshot(path=str(ARTIFACTS / "accounts-detail-reset.png"), full_page=True)
