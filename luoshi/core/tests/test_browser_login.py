"""The real browser: Debian's Chromium through Playwright signs in and sees the Chinese layout."""

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def test_staff_logs_in_and_sees_navigation(login: Any, users: dict[str, Any], live_server: Any) -> None:
    page = login(users["staff"])
    assert page.locator("h1").inner_text() == "部门工作台"
    nav = page.locator("nav.sidenav").inner_text()
    assert "督查督办" in nav and "组织机构" not in nav
    # static files (CSS from the app, htmx from npm) are served
    assert page.evaluate("typeof window.htmx") == "object"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-staff.png"), full_page=True)


def test_wrong_password_shows_a_chinese_message(page: Any, users: dict[str, Any], live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator("[role=alert]").inner_text()
