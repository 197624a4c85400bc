"""The real browser pages through 我的任务: 50 rows a page, 下一页 / 上一页, the 只看待报送 filter kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.supervision.tests.test_my_tasks_pages import MINE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
ROWS = "table.mine tbody tr[data-assignment]"


def test_paging_through_my_tasks(login: Any, live_server: Any, users: dict[str, Any], many: dict[str, Any]) -> None:
    page = login(users["staff"])
    page.goto(f"{live_server.url}/supervision/mine/")
    seen = []
    for n in (1, 2, 3):
        page.wait_for_selector(f"text=第 {n} / 3 页")
        rows = page.locator(ROWS)
        assert rows.count() == (50 if n < 3 else MINE - 100)
        seen += [int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.assignment)")]
        if n == 2:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "my-tasks-page-2.png"), full_page=True)
        if n < 3:
            page.click("text=下一页")
    assert len(seen) == len(set(seen)) and set(seen) == many["mine"]
    assert page.locator("text=下一页").count() == 0
    page.click("text=上一页")
    page.wait_for_selector("text=第 2 / 3 页")
    assert [int(x) for x in page.locator(ROWS).evaluate_all("rs => rs.map(r => r.dataset.assignment)")] == seen[
        50:100
    ]
    # the filter, then paging: the pager's link keeps it
    page.check("input[name=pending]")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("text=第 1 / 2 页")
    page.click("text=下一页")
    page.wait_for_selector("text=第 2 / 2 页")
    assert "pending=1" in page.url and page.is_checked("input[name=pending]")
    assert not page.locator(ROWS).filter(has_text="已报送").count()
