"""The real browser on the demo data: the cockpit, a drill-down to a unit, the indicator tree and the big
screen, each screenshotted to test-artifacts/ (looked at by a person), with the numbers on the page checked
against a direct database count in the same test."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _login(page: Any, live_server: Any, username: str) -> None:
    from luoshi.core.demo import demo_password

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo_password(username))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _charts_drawn(page: Any) -> int:
    page.wait_for_selector("body[data-charts-drawn='1']")
    # a drawn ECharts chart holds a canvas with pixels: count the chart boxes that have one
    return int(page.evaluate("document.querySelectorAll('[data-chart][data-drawn] canvas').length"))


def test_cockpit_drill_down_tree_and_big_screen_on_demo_data(page: Any, live_server: Any) -> None:
    from django.db.models import F
    from django.utils import timezone

    from luoshi.core.demo import DEMO_REGION_CODE, DemoOptions, run_demo
    from luoshi.dashboard.models import Indicator
    from luoshi.orgs.models import Region, Unit
    from luoshi.projects.models import Project
    from luoshi.supervision.models import OPEN_STATUSES, Assignment, Task

    run_demo(DemoOptions(enterprises=30, requests=10, projects=12, seed=11), io.StringIO())
    ARTIFACTS.mkdir(exist_ok=True)
    today = timezone.localdate()
    city = Region.objects.get(code=DEMO_REGION_CODE)
    in_city = Task.objects.filter(region__path__startswith=city.path).exclude(status="cancelled")
    overdue = in_city.filter(ongoing=False, deadline__lt=today, status__in=OPEN_STATUSES).count()
    signed_off = in_city.filter(status="signed_off", signed_off_on__lte=today).count()
    due = in_city.filter(ongoing=False, deadline__lte=today)
    on_time = due.filter(status="signed_off", signed_off_on__lte=F("deadline")).count()
    projects = Project.objects.filter(
        region__path__startswith=city.path, status__in=("active", "operating")
    ).count()

    _login(page, live_server, "lingdao")
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "荆门市营商环境监测驾驶舱"
    assert _charts_drawn(page) >= 5
    card = page.locator("[data-figure='supervision.overdue'] .num").inner_text()
    assert card.startswith(f"{overdue:,}")
    assert (
        page.locator("[data-figure='supervision.signed_off'] .num").inner_text().startswith(f"{signed_off:,}")
    )
    assert (
        page.locator("[data-figure='supervision.on_time_rate'] .sub")
        .inner_text()
        .startswith(f"{on_time} / {due.count()}")
    )
    assert page.locator("[data-figure='projects.by_stage'] .num").inner_text().startswith(str(projects))
    from luoshi.policies.models import Push

    pushes = Push.objects.filter(enterprise__region__path__startswith=city.path).count()
    assert pushes > 0
    assert page.locator("[data-figure='policies.reach'] .num").inner_text().startswith(f"{pushes:,}")
    page.screenshot(path=str(ARTIFACTS / "dashboard-cockpit.png"), full_page=True)

    # every figure links to the records it counts
    page.click("[data-figure='supervision.overdue']")
    page.wait_for_selector("#records-total")
    assert page.locator("#records-total").inner_text() == str(overdue)

    # drill down to the unit with most assignments
    busiest = (
        Assignment.objects.filter(active=True, task__region=city)
        .values("unit_id")
        .annotate(n=F("id"))
        .order_by("unit_id")
        .first()
    )
    assert busiest is not None
    unit = Unit.objects.get(pk=busiest["unit_id"])
    page.goto(f"{live_server.url}/dashboard/")
    page.click(f"#units a:text-is('{unit.name}')")
    page.wait_for_selector("#unit-figures")
    assert unit.name in page.locator("h1").inner_text()
    held = Task.objects.filter(assignments__unit=unit, assignments__active=True).exclude(status="cancelled")
    unit_overdue = held.filter(ongoing=False, deadline__lt=today, status__in=OPEN_STATUSES).distinct().count()
    cell = page.locator("#unit-figures a[data-figure='supervision.overdue']").inner_text()
    assert cell.startswith(str(unit_overdue))
    page.screenshot(path=str(ARTIFACTS / "dashboard-unit.png"), full_page=True)

    # the indicator tree
    page.goto(f"{live_server.url}/dashboard/indicators/")
    rows = page.locator("#indicator-tree tbody tr")
    assert rows.count() == Indicator.objects.filter(region=city).count() == 11
    assert "企业开办时间" in page.locator("#indicator-tree").inner_text()
    assert page.locator("#tree-score").inner_text() not in ("", "—")
    page.screenshot(path=str(ARTIFACTS / "dashboard-indicators.png"), full_page=True)

    # the big screen: dark, no controls, charts drawn, the same figures
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/dashboard/screen/")
    assert _charts_drawn(page) >= 5
    assert page.locator("a, button, input, select, nav").count() == 0
    assert page.locator("[data-figure='supervision.overdue'] .v").inner_text().startswith(f"{overdue:,}")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 18, 32)"
    assert page.locator("body").get_attribute("data-refresh") == "300"
    page.screenshot(path=str(ARTIFACTS / "dashboard-screen.png"))
