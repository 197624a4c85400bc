"""In a real browser, the annual-plan case of issue 8: a plan with no deadlines and no units is imported, the review
page says so, the year-end default is applied, publishing is confirmed, units are assigned on a task, the unit
reports, a later sweep proposes 督办, the office issues it, and the leader sees it first and writes a 批示.

The server runs in this process, so ``time_machine`` moves its clock (the browser's is untouched): the walk starts on
2 December 2026 and the sweeps run in January 2027, after the year-end deadline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PLAN_TEXT = """荆门市优化营商环境行动方案(2026年)

为深入贯彻落实省委省政府关于优化营商环境的决策部署,持续打造市场化法治化国际化一流营商环境,制定本方案。

一、提升政务服务效能
1.推行企业开办“一网通办”,企业开办时间压缩至1个工作日以内。
2.深化“高效办成一件事”改革,推出一批集成服务事项。

二、优化要素保障
3.完善重大项目审批绿色通道,实行容缺受理。
"""


def _beijing(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_annual_plan_from_import_to_leader_instruction(
    login: Any, live_server: Any, users: dict[str, Any], units: dict[str, Any], tmp_path: Path
) -> None:
    from luoshi.plans.models import Plan, PlanStatus
    from luoshi.supervision import services
    from luoshi.supervision.models import Instruction, SupervisionNotice, Task

    ARTIFACTS.mkdir(exist_ok=True)
    source = tmp_path / "荆门市优化营商环境行动方案(2026年).txt"
    source.write_text(PLAN_TEXT, encoding="utf-8")
    fgw = units["jm_fgw"]
    fgw.leader = users["leader"]  # 分管领导 of 市发改委, as the org directory keeps it
    fgw.save()

    with time_machine.travel(_beijing(2026, 12, 2), tick=True):
        page = login(users["admin"])
        page.goto(f"{live_server.url}/plans/upload/")
        page.set_input_files("#id_file", str(source))
        with page.expect_navigation(url=f"{live_server.url}/plans/*/", timeout=120_000):
            page.click("main form.stack button[type=submit]")
        plan = Plan.objects.get()
        assert plan.title == "荆门市优化营商环境行动方案(2026年)" and plan.measures.count() == 3

        # the review page says so, and offers the year-end default
        notice = page.locator("#undated")
        assert "3 条未写明完成时限" in notice.inner_text()
        assert page.locator("#publish").is_disabled()
        page.screenshot(path=str(ARTIFACTS / "annual-1-review-undated.png"), full_page=True)
        with page.expect_navigation():
            page.click("#apply-period-default")
        assert "已将 3 条未写明时限的举措的完成时限设为方案期限 2026年12月31日" in page.inner_text("body")
        assert page.locator("#undated").count() == 0

        # no unit is named: publishing asks for confirmation
        assert page.locator("#publish").is_enabled()
        page.check("#confirm-unassigned")
        page.screenshot(path=str(ARTIFACTS / "annual-2-publish-confirm.png"), full_page=True)
        with page.expect_navigation(timeout=60_000):
            page.click("#publish")
        assert "已发布" in page.inner_text("body") and "3 项尚未指定责任单位" in page.inner_text("body")
        plan.refresh_from_db()
        assert plan.status == PlanStatus.PUBLISHED
        task = Task.objects.get(plan=plan, seq=1)
        assert task.deadline == dt.date(2026, 12, 31) and task.colour == "yellow"  # unassigned: never green

        # the office home lists the unassigned tasks as a work list
        page.goto(f"{live_server.url}/")
        assert "未指定责任单位" in page.inner_text("body")

        # assign 市发改委 on the task page
        page.goto(f"{live_server.url}/supervision/tasks/{task.pk}/")
        page.select_option("#id_lead", [str(fgw.pk)])
        with page.expect_navigation():
            page.click("#assign-form button[type=submit]")
        body = page.inner_text("body")
        assert "已指定" in body and "荆门市发展和改革委员会" in body
        page.screenshot(path=str(ARTIFACTS / "annual-3-assigned.png"), full_page=True)

        # the unit reports (its form defaults to the period that is due)
        page.context.clear_cookies()
        page = login(users["staff"])
        page.goto(f"{live_server.url}/supervision/tasks/{task.pk}/")
        page.fill("#id_percent", "60")
        page.fill("#id_narrative", "已完成系统改造,正在试运行。")
        with page.expect_navigation():
            page.click("#report-form button[type=submit]")
        assert task.reports.count() == 1

    # later sweeps: past the year-end deadline, red for 6 working days -> 督办 proposed by the plan's rule
    for day in (dt.date(2027, 1, 4), dt.date(2027, 1, 12)):
        with time_machine.travel(_beijing(day.year, day.month, day.day, 1), tick=False):
            services.sweep(day)
    task.refresh_from_db()
    assert task.colour == "red" and "已超过完成时限" in task.colour_reason

    with time_machine.travel(_beijing(2027, 1, 12), tick=True):
        page.context.clear_cookies()
        page = login(users["admin"])
        page.goto(f"{live_server.url}/supervision/proposals/")
        section = page.locator(f"#proposal-{fgw.pk}")
        assert task.title[:10] in section.inner_text() and "已持续红灯" in section.inner_text()
        page.screenshot(path=str(ARTIFACTS / "annual-4-proposals.png"), full_page=True)
        with page.expect_navigation():
            section.locator("button[type=submit]").click()
        assert "已向荆门市发展和改革委员会发出督办单 荆门市营商督〔2027〕1号" in page.inner_text("body")
        issued = SupervisionNotice.objects.get()
        assert issued.reply_deadline == dt.date(2027, 1, 19)

    # still red after the notice's limit: 通报, and the leader in charge is told
    with time_machine.travel(_beijing(2027, 1, 20, 1), tick=False):
        services.sweep(dt.date(2027, 1, 20))
    issued.refresh_from_db()
    assert issued.escalated_on == dt.date(2027, 1, 20)

    with time_machine.travel(_beijing(2027, 1, 20), tick=True):
        page.context.clear_cookies()
        page = login(users["leader"])
        assert "需要您协调的事项" in page.inner_text("main")
        page.goto(f"{live_server.url}/supervision/overview/")
        first = page.locator("main section").first
        assert first.get_attribute("id") == "escalated" and issued.number in first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "annual-5-leader-first-screen.png"), full_page=True)
        first.locator("input[name=text]").first.fill("请市发改委三日内拿出整改方案,报我审定。")
        with page.expect_navigation():
            first.locator("form.instruct button[type=submit]").first.click()
        assert "已对" in page.inner_text("body") and "批示" in page.inner_text("body")
        instruction = Instruction.objects.get()
        assert instruction.task_id == task.pk and instruction.by_id == users["leader"].pk
        page.goto(f"{live_server.url}/supervision/tasks/{task.pk}/")
        assert "请市发改委三日内拿出整改方案" in page.inner_text("#instructions")
        page.screenshot(path=str(ARTIFACTS / "annual-6-instruction.png"), full_page=True)
