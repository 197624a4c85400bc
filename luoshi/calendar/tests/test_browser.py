"""The calendar page in the real Chromium: month view, calculator, an administrator adding a correction."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.calendar.models import HolidayCorrection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calendar_page_in_a_browser(
    users: dict[str, Any], login: Any, live_server: Any, tmp_path: Any, national_admin: Any
) -> None:
    page = login(national_admin)  # the owner of national data (luoshi/calendar/access.py)
    page.goto(f"{live_server.url}/calendar/?year=2026&month=10")
    assert page.locator('td[data-date="2026-10-10"]').get_attribute("data-kind") == "makeup"
    assert "国庆节" in page.locator('td[data-date="2026-10-01"]').inner_text()

    page.fill("#calc-deadline input[name=start]", "2026-09-30")
    page.fill("#calc-deadline input[name=n]", "3")
    page.click("#calc-deadline button[type=submit]")
    assert "2026-10-10" in page.locator("#deadline-result").inner_text()

    page.fill("#calc-deadline input[name=start]", "2026-12-30")
    page.fill("#calc-deadline input[name=n]", "5")
    page.click("#calc-deadline button[type=submit]")
    result = page.locator("#deadline-result").inner_text()
    assert "2027-01-07" in result and "临时" in result

    page.fill("#correction-add input[name=date]", "2026-10-12")
    page.select_option("#correction-add select[name=kind]", "holiday")
    page.fill("#correction-add input[name=name]", "浏览器测试")
    page.click("#correction-add button[type=submit]")
    page.wait_for_selector("text=已添加更正")
    assert HolidayCorrection.objects.filter(name="浏览器测试").exists()
    page.goto(f"{live_server.url}/calendar/?year=2026&month=10")
    assert page.locator('td[data-date="2026-10-12"]').get_attribute("data-kind") == "holiday"
    page.screenshot(path=str(tmp_path / "calendar.png"), full_page=True)
