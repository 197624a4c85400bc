"""In the real Chromium: the office writes a rule from a policy's text, checks its cases live, previews the firms it
reaches and publishes; the enterprise sees the policy with its reason in 我的政策; the 免申即享 list is checked by one
person, confirmed by a second and paid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.policies.models import Payout, Push

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

RULE = """all:
  - {id: 高企, field: tags, op: has_tag, tag: 高新技术企业, clause: 第三条}
  - {id: 注册地, field: region, op: prefix_in, codes: ["4208"], clause: 第二条}
  - not: {id: 失信, field: credit_status, op: in, values: [失信], clause: 第九条}
"""
CASES = """- name: 荆门的高新技术企业
  profile: {tags: [高新技术企业], region: "420802", credit_status: 良好}
  expect: 符合
- name: 失信企业不予奖励
  profile: {tags: [高新技术企业], region: "420802", credit_status: 失信}
  expect: 不符合
  failing: [失信]
"""


def test_rule_from_text_preview_publish_push_and_four_eyes_payment(
    policy_setup: dict[str, Any], users: dict[str, Any], login: Any, live_server: Any
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    item = policy_setup["auto"]
    page = login(users["admin"])
    page.goto(f"{live_server.url}/policies/p/{policy_setup['policy'].pk}/")
    page.click(f"text={item.title}")
    page.click("text=编写 / 修改规则")
    assert "对新认定的高新技术企业给予20万元奖励" in page.locator(".source-pane").inner_text()
    page.fill("#id_rule", RULE)
    page.fill("#id_cases", CASES)
    page.click("button[value=check]")
    page.wait_for_selector("#check >> text=全部通过")
    assert "【条件注册地】注册地区属于 4208(依据第二条)" in page.locator("#check").inner_text()
    page.screenshot(path=str(ARTIFACTS / "policies-rule-editor.png"), full_page=True)
    page.click("button[value=save]")
    page.wait_for_selector("text=发布前预览")
    gained = page.locator("#gained").inner_text()
    assert "荆门甲科技有限公司" in gained and "200000.00" in gained
    assert "荆门乙制造有限公司" not in gained
    page.screenshot(path=str(ARTIFACTS / "policies-preview.png"), full_page=True)
    page.click("text=发布第 1 版并推送给企业")
    page.wait_for_selector("text=已发布第 1 版规则")
    assert Push.objects.filter(item=item).count() == 2  # one qualifying firm, one near miss

    page.context.clear_cookies()
    page = login(users["enterprise"])
    page.goto(f"{live_server.url}/policies/mine/")
    card = page.locator("article.push").first
    text = card.inner_text()
    assert "高新技术企业认定奖励" in text and "贵企业符合「高新技术企业认定奖励」" in text
    assert "满足「注册地区属于 4208」(依据第二条):贵企业为 420802" in text
    card.locator("button[value=useful]").click()
    page.wait_for_selector("text=感谢您的评价")
    page.screenshot(path=str(ARTIFACTS / "policies-mine.png"), full_page=True)

    page.context.clear_cookies()
    page = login(users["staff"])
    page.goto(f"{live_server.url}/policies/items/{item.pk}/")
    page.click("text=生成免申即享清单")
    page.wait_for_selector("text=已生成免申即享清单")
    batch_url = page.url
    page.click("button[value=check]")
    page.wait_for_selector("#batch-status >> text=已初核,待第二人确认")

    page.context.clear_cookies()
    page = login(users["admin"])
    page.goto(batch_url)
    page.click("button[value=confirm]")
    page.wait_for_selector("#batch-status >> text=已双人确认,待兑现")

    page.context.clear_cookies()
    page = login(users["staff"])
    page.goto(batch_url)
    page.click("button[value=pay]")
    page.wait_for_selector("#batch-status >> text=已兑现")
    page.screenshot(path=str(ARTIFACTS / "policies-paid.png"), full_page=True)
    paid = Payout.objects.get(batch__item=item)
    assert (paid.enterprise_id, paid.state, str(paid.amount)) == (policy_setup["a"].pk, "paid", "200000.00")
