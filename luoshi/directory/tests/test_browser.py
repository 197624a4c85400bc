"""The directory pages in the real Chromium: tree, unknown name confirmed, alias added, bad import listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.directory.tests.conftest import csv_bytes
from luoshi.orgs.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_directory_in_a_browser(
    users: dict[str, Any], units: dict[str, Any], login: Any, live_server: Any, tmp_path: Path
) -> None:
    page = login(users["admin"])
    page.goto(f"{live_server.url}/orgs/")
    assert "荆门市发展和改革委员会" in page.locator("#units").inner_text()

    # An unknown name from a plan, confirmed with its full name.
    page.goto(f"{live_server.url}/orgs/resolve/?name=市审批局&region=t420800")
    assert "未知" in page.locator("#resolution").inner_text()
    page.fill("#full_name", "荆门市行政审批局")
    page.click("#resolution button[type=submit]")
    page.wait_for_selector("text=已确认为")
    unit = Unit.objects.get(name="荆门市行政审批局")
    assert unit.verified

    # An alias added on the unit page shows in its history.
    page.fill("#alias", "市行政审批局")
    page.click("#alias-add button[type=submit]")
    page.wait_for_selector("text=已添加别名")
    assert "市行政审批局" in page.locator("#aliases").inner_text()
    assert "新增单位简称" in page.inner_text("body")  # the history speaks Chinese (audit presentation)

    # A bad GBK file: problems listed by row and column, nothing written.
    bad = tmp_path / "目录.csv"
    bad.write_bytes(
        csv_bytes(
            [["t420800", "荆门市", "", "市", "t420000", "荆门市财政局", "乱填", "", "是", ""]], encoding="gbk"
        )
    )
    page.goto(f"{live_server.url}/orgs/import/")
    page.set_input_files("#file", str(bad))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#problems")
    assert "单位类别" in page.locator("#problems").inner_text()
    assert not Unit.objects.filter(name="荆门市财政局").exists()
