"""In a real browser, the major-project ledger (重大项目): the office creates a project, records its signing date
(开工 is then planned by the seeded default rule 签约6个月内开工, and is overdue), the project turns red on the
ledger, a problem goes to 市发改委, a refusal is shown in Chinese, and the unit's staff member resolves the
problem. Screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"projects-{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_major_project_from_creation_to_a_resolved_problem(
    login: Any, live_server: Any, users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    from luoshi.projects.models import Project, ProjectProblem

    ARTIFACTS.mkdir(exist_ok=True)
    today = timezone.localdate()
    signed = today - dt.timedelta(days=240)  # 签约 eight months ago: 开工 (6 months) is overdue

    import urllib.request

    # the live server's first answer loads every app (slow on a loaded machine): wait for it before the browser
    urllib.request.urlopen(f"{live_server.url}/healthz", timeout=180).read()  # noqa: S310 - the test's own server
    page = login(users["admin"])
    page.goto(f"{live_server.url}/projects/new/")
    page.fill("#id_code", "JM-B-001")
    page.fill("#id_name", "荆门新能源电池产业园")
    page.select_option("#id_level", "city")
    page.select_option("#id_region", str(regions["jingmen"].pk))
    page.fill("#id_investment", "86000")
    page.fill("#id_owner_name", "荆门甲科技有限公司")
    page.select_option("#id_units", [str(units["jm_fgw"].pk)])
    _shot(page, "1-new")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    project = Project.objects.get(code="JM-B-001")
    assert page.url.endswith(f"/projects/{project.pk}/")
    assert "已新建项目“荆门新能源电池产业园”" in page.inner_text("body")

    # the signing date: 开工 and 入库 are planned from the default rules seeded in every database
    actual = page.locator("form[action$='/milestones/actual/']")
    actual.locator("select[name=kind]").select_option("signed")
    actual.locator("input[name=actual_date]").fill(signed.isoformat())
    with page.expect_navigation():
        actual.locator("button[type=submit]").click()
    body = page.inner_text("body")
    assert "已保存签约实际日期" in body
    started = page.locator("tr", has_text="开工").first
    assert "按时限规则" in started.inner_text() and "已逾期" in started.inner_text()
    assert "项目签约6个月内开工" in body or "签约后6个月内开工" in body
    project.refresh_from_db()
    assert project.colour == "red", project.colour_reason
    _shot(page, "2-detail-red")

    # a problem for 市发改委, with a due date
    form = page.locator("form[action$='/problems/']")
    form.locator("textarea[name=description]").fill("用地指标未落实,需协调自然资源部门。")
    form.locator("select[name=unit]").select_option(str(units["jm_fgw"].pk))
    form.locator("input[name=due]").fill((today + dt.timedelta(days=10)).isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert f"已登记项目“荆门新能源电池产业园”的问题,并通知{units['jm_fgw'].name}" in page.inner_text("body")
    problem = ProjectProblem.objects.get(project=project)

    # the ledger shows it red
    page.goto(f"{live_server.url}/projects/")
    row = page.locator("tr", has_text="荆门新能源电池产业园")
    assert row.locator(".badge.red").count() == 1
    _shot(page, "3-ledger")

    # a refusal, in Chinese: a problem due in the past
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    form = page.locator("form[action$='/problems/']")
    form.locator("textarea[name=description]").fill("补充问题")
    form.locator("select[name=unit]").select_option(str(units["jm_fgw"].pk))
    form.locator("input[name=due]").fill((today - dt.timedelta(days=1)).isoformat())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "解决时限不能早于今天" in page.inner_text("body")
    assert ProjectProblem.objects.filter(project=project).count() == 1
    _shot(page, "4-refused")

    # the unit's staff member resolves the problem
    page.context.clear_cookies()
    page = login(users["staff"])
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    assert page.locator("form[action$='/milestones/actual/']").count() == 0  # staff record no milestones
    page.fill(f"#res-{problem.pk}", "已协调市自然资源和规划局落实用地指标。")
    with page.expect_navigation():
        page.click(f"form[action$='/problems/{problem.pk}/resolve/'] button[type=submit]")
    assert "的问题“用地指标未落实,需协调自然资源部门。”已办结" in page.inner_text("body")
    problem.refresh_from_db()
    assert problem.status == "resolved" and problem.resolved_by == users["staff"]
    _shot(page, "5-resolved")
