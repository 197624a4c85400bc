"""The real browser through the loop: an enterprise files a request; the office accepts it and routes it with the
suggestion; the unit signs for it and replies; the enterprise rates it 不满意 and it reopens; a hotspot cluster
becomes a supervised task. Screenshots go to var/screenshots/requests (looked at when the test was written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots" / "requests"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _history(users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]) -> None:
    """Past confirmed assignments to learn from, and three similar requests this month (a hotspot)."""
    from luoshi.requests import services
    from luoshi.requests.services.routing import routing_train
    from luoshi.requests.tests.conftest import form

    past = [
        (units["jm_fgw"], "项目立项备案迟迟没有批复", "我公司投资项目立项备案提交两个月没有批复。"),
        (units["jm_fgw"], "企业投资项目核准慢", "企业投资项目核准要求重复提交材料。"),
        (units["jm_jxj"], "技改专项资金未拨付", "技改专项资金申报通过后一直未拨付到位。"),
        (units["jm_jxj"], "专精特新认定结果未公示", "专精特新企业认定申报后结果没有公示。"),
    ]
    for i in range(3):
        for unit, title, text in past:
            req, _ = services.request_file(
                user=users["admin"],
                data=form(title=f"{title}{i}", text=text, region_code="t420800", channel="hotline"),
            )
            req = services.request_accept(user=None, request=req, urgency="normal")
            req = services.request_assign(user=None, request=req, lead_unit=unit)
            services.request_sign(user=None, request=req)
    assert routing_train(region=regions["jingmen"]) is not None


def test_request_loop_in_the_browser(
    browser: Any, live_server: Any, users: dict[str, Any], units: dict[str, Any], regions: dict[str, Any]
) -> None:
    from conftest import TEST_PASSWORD
    from luoshi.requests.models import Hotspot, Request

    _history(users, units, regions)

    def session(user: Any) -> Any:
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
        pg = ctx.new_page()
        pg.set_default_timeout(20000)
        pg.goto(f"{live_server.url}/accounts/login/")
        pg.fill("#id_username", user.username)
        pg.fill("#id_password", TEST_PASSWORD)
        pg.click("button[type=submit]")
        pg.wait_for_url(f"{live_server.url}/")
        return pg

    # 1. the enterprise files a request
    ent = session(users["enterprise"])
    ent.goto(f"{live_server.url}/requests/new/")
    ent.fill("#id_title", "技改专项资金申报后迟迟未拨付")
    ent.fill("#id_text", "我公司去年申报的技改专项资金已公示通过,至今未拨付到位,请协调。")
    ent.fill("#id_contact_name", "张三")
    ent.fill("#id_contact_phone", "13800138000")
    shot(ent, "01-enterprise-form")
    ent.click("#request-form button[type=submit]")
    ent.wait_for_selector("text=诉求已提交")
    req = Request.objects.get(title="技改专项资金申报后迟迟未拨付")
    url = f"{live_server.url}/requests/{req.pk}/"
    shot(ent, "02-enterprise-filed")

    # 2. the office accepts it and routes it with the suggestion
    office = session(users["admin"])
    office.goto(url)
    office.select_option("#id_urgency", "normal")
    office.click("#review-form button[value=accept]")
    office.wait_for_selector("#suggestion")
    first = office.locator("#suggestion ol li").first.inner_text()
    assert units["jm_jxj"].name in first
    assert office.locator("#id_lead_unit").input_value() == str(units["jm_jxj"].pk)
    shot(office, "03-office-suggestion")
    office.click("#assign-form button[value=assign]")
    office.wait_for_selector("#request-status:has-text('待签收')")

    # 3. the unit signs for it and replies
    unit = session(users["staff_other"])
    unit.goto(url)
    assert "138****8000" in unit.inner_text("#contact")
    unit.click("#sign-btn")
    unit.wait_for_selector("#request-status:has-text('办理中')")
    unit.fill("#id_reply", "已与财政局对接,资金将于本月内拨付。")
    unit.click("#reply-form button[value=reply]")
    unit.wait_for_selector("#request-status:has-text('已答复')")
    unit.click("#complete-form button[value=complete]")
    unit.wait_for_selector("#request-status:has-text('已办结')")
    shot(unit, "04-unit-completed")

    # 4. the enterprise rates it 不满意: it reopens to the same unit
    ent.goto(url)
    ent.check("#revisit-form input[value=unsatisfied]")
    ent.fill("#id_comment", "资金仍未到账")
    ent.click("#revisit-form button[value=revisit]")
    ent.wait_for_selector("#request-status:has-text('待签收')")
    assert "重办 1 次" in ent.inner_text(".cards")
    shot(ent, "05-enterprise-reopened")
    req.refresh_from_db()
    assert req.reopen_count == 1 and req.lead_unit == units["jm_jxj"] and req.status == "assigned"

    # 5. a hotspot cluster becomes a supervised task: supervision answers the hook with a real task
    from luoshi.supervision.models import Assignment, Task

    office.goto(f"{live_server.url}/requests/hotspots/")
    shot(office, "06-hotspots")
    row = office.locator("#hotspots tbody tr").filter(has_text="技改专项资金").first
    row.locator("button").click()
    office.wait_for_selector("text=已转为督办任务")
    assert "已转督办" in office.inner_text("#hotspots")
    shot(office, "07-hotspot-task")
    spot = Hotspot.objects.get()
    task = Task.objects.get(pk=int(spot.task_ref.rsplit(":", 1)[1]))
    assert task.title.startswith("热点问题整改") and task.deadline is not None
    assert Assignment.objects.filter(task=task, unit=units["jm_jxj"], is_lead=True).exists()
    office.locator("#hotspots a", has_text="查看任务").first.click()
    office.wait_for_selector(f"h1:has-text('{task.title[:10]}')")
    shot(office, "08-supervised-task")
    # the unit sees the task link on the request page
    first = spot.requests.order_by("pk").first()
    assert first is not None
    unit.goto(f"{live_server.url}/requests/{first.pk}/")
    assert unit.locator("#hotspot-tasks a").count() == 1
