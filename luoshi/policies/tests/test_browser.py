"""In the real Chromium: the office writes a rule from a policy's text in the structured form (no YAML) — leaves
added, their fields, operators and values chosen, an exclusion group nested, each citing its clause — sees it read
back as plain Chinese with its cases passing and the firms it reaches, previews and publishes; the enterprise sees the policy with its reason in 我的政策; the 免申即享 list is checked by one
person, confirmed by a second and paid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from luoshi.policies.models import Payout, Push

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

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
    form = page.locator("#rule-form")
    # the first leaf (资质标签 · 具有资质) is there; name it and cite the clause
    form.locator("[name='r.0.id']").fill("高企")
    form.locator("[name='r.0.tag']").fill("高新技术企业")
    form.locator("[name='r.0.clause']").fill("第三条")
    # + 条件 → a second leaf; choosing 注册地区 redraws it with the code-prefix operator and a code input
    with page.expect_response(_tree_redrawn):
        form.locator("button[value='add_leaf:r']").click()
    _settled(page)
    with page.expect_response(_tree_redrawn):
        form.locator("[name='r.1.field']").select_option("region")
    _settled(page)
    page.wait_for_selector("[name='r.1.codes']")
    assert form.locator("[name='r.1.op'] option").all_inner_texts() == ["代码属于(按前缀,任意层级)"]
    form.locator("[name='r.1.id']").fill("注册地")
    form.locator("[name='r.1.codes']").fill("4208")
    form.locator("[name='r.1.clause']").fill("第二条")
    # + 不属于 → a nested exclusion group; its leaf reads 信用状况 in a list of values
    with page.expect_response(_tree_redrawn):
        form.locator("button[value='add_not:r']").click()
    _settled(page)
    with page.expect_response(_tree_redrawn):
        form.locator("[name='r.2.0.field']").select_option("credit_status")
    _settled(page)
    page.wait_for_selector("[name='r.2.0.values']")
    form.locator("[name='r.2.0.id']").fill("失信")
    form.locator("[name='r.2.0.values'][value='失信']").check()
    form.locator("[name='r.2.0.clause']").fill("第九条")
    assert form.locator("fieldset.rule-group.not").count() == 1
    page.fill("#id_cases", CASES)
    live = page.locator("#live")
    live.locator("text=【条件失信】信用状况为失信(依据第九条)").wait_for()
    live.locator("text=全部通过").wait_for()
    text = live.inner_text()
    assert "【条件注册地】注册地区属于 4208(依据第二条)" in text and "不属于以下情形" in text
    assert "新增 1 户" in text and "荆门甲科技有限公司" in text, text
    page.screenshot(path=str(ARTIFACTS / "policies-rule-form.png"), full_page=True)
    # the same rule in the advanced view is the YAML it is exported as — not used to write it
    assert page.locator("#id_rule").count() == 0
    page.click("button[value=save]")
    page.wait_for_selector("text=发布前预览")
    saved = item.versions.get()
    assert saved.rule["all"][1] == {"id": "注册地", "field": "region", "op": "prefix_in", "codes": ["4208"],
                                    "clause": "第二条"}
    assert saved.rule["all"][2] == {"not": {"id": "失信", "field": "credit_status", "op": "in", "values": ["失信"],
                                            "clause": "第九条"}}
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


def _tree_redrawn(response: Any) -> bool:
    """The answer of a structural edit (add, remove, a field or operator changed): it redraws the tree."""
    return response.request.method == "POST" and "edit=" in (response.request.post_data or "")


def _settled(page: Any) -> None:
    """htmx has swapped the answer in and processed it (its new elements answer clicks and changes)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
