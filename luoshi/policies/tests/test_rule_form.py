"""The structured rule form (policies/forms.py and the rule editor page): a condition tree written without YAML —
groups and leaves, operators that fit the field, values or dated parameters, the clause each leaf cites — read back
as plain Chinese beside the form with the item's test cases and the firms gained or lost, on every change."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client

from luoshi.audit.models import AuditEvent
from luoshi.policies import forms
from luoshi.policies.engine.params import ParameterSet
from luoshi.policies.models import RuleStatus, RuleVersion
from luoshi.policies.tests.conftest import HIGH_TECH_RULE

STAFF_RULE = {"all": [
    {"id": "用工", "field": "employees", "op": ">=", "value": 50, "clause": "第八条第一款"},
    {"id": "初创", "field": "founded", "op": "founded_within_years", "years": 6, "as_of": "2026-01-01",
     "clause": "第八条第二款"},
    {"any": [
        {"id": "工业", "field": "industry", "op": "prefix_in", "codes": ["C"], "clause": "第八条第三款"},
        {"id": "研发", "field": "rd_ratio", "op": ">=", "param": "rd.ratio_min", "clause": "第八条第三款"},
    ]},
    {"not": {"id": "失信", "field": "credit_status", "op": "in", "values": ["失信"], "clause": "第九条"}},
]}
CASES = """- name: 荆门的初创工业企业
  profile: {employees: 80, founded: "2022-03-01", industry: C3911, credit_status: 良好}
  expect: 符合
- name: 人数不足
  profile: {employees: 20, founded: "2022-03-01", industry: C3911, credit_status: 良好}
  expect: 不符合
  failing: [用工]
"""


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(tree: dict[str, Any], **extra: str) -> QueryDict:
    q = QueryDict(mutable=True)
    for k, v in forms.flatten(tree):
        q.appendlist(k, v)
    q["view"] = "form"
    for k, v in extra.items():
        q[k] = v
    return q


def test_flat_fields_round_trip_every_kind_of_leaf() -> None:
    assert forms.tree_from_post(post(STAFF_RULE)) == STAFF_RULE
    assert forms.tree_from_post(post(HIGH_TECH_RULE)) == HIGH_TECH_RULE


def test_edits_add_nest_and_remove_nodes() -> None:
    tree: dict[str, Any] = copy.deepcopy(HIGH_TECH_RULE)
    forms.apply_edit(tree, "add_leaf:r")
    assert tree["all"][-1]["id"] == "条件1" and len(tree["all"]) == 4
    forms.apply_edit(tree, "add_any:r")
    forms.apply_edit(tree, "add_leaf:r.4")
    assert [c["id"] for c in tree["all"][4]["any"]] == ["条件2", "条件3"]
    forms.apply_edit(tree, "add_not:r.4")
    assert "not" in tree["all"][4]["any"][2]
    forms.apply_edit(tree, "remove:r.4.2.0")  # the only leaf of a 'not' takes the 'not' with it
    assert len(tree["all"][4]["any"]) == 2
    forms.apply_edit(tree, "remove:r.4")
    forms.apply_edit(tree, "remove:r.3")
    assert tree == HIGH_TECH_RULE
    with pytest.raises(forms.FormEditError, match="不能删除最外层条件组"):
        forms.apply_edit(tree, "remove:r")
    with pytest.raises(forms.FormEditError, match="至少保留一个条件"):
        forms.apply_edit({"all": [{"id": "a", "field": "tags", "op": "has_tag", "tag": "x"}]}, "remove:r.0")
    with pytest.raises(forms.FormEditError, match="已不存在"):
        forms.apply_edit(tree, "remove:r.9")


def test_operators_and_inputs_follow_the_field_type() -> None:
    node = forms.render_tree(STAFF_RULE, ParameterSet())
    employees, founded, group, excluded = node.children
    assert [o.value for o in employees.ops] == [">=", ">", "<=", "<", "==", "!="]
    assert (employees.field_kind, employees.unit, employees.value_text) == ("number", "人", "50")
    assert [o.label for o in founded.ops] == ["成立不满 K 年", "成立满 K 年"] and founded.data["as_of"] == "2026-01-01"
    assert [o.value for o in group.children[0].ops] == ["prefix_in"] and group.children[0].codes_text == "C"
    assert group.children[1].source == "param"
    assert excluded.kind == "not" and [c.value for c in excluded.children[0].choices if c.selected] == ["失信"]
    # changing a leaf's field to one of another kind resets the operator to one that fits it
    q = post(STAFF_RULE)
    q["r.0.field"] = "region"
    assert forms.tree_from_post(q)["all"][0]["op"] == "prefix_in"


def test_office_writes_a_rule_in_the_form_with_live_sentences_cases_and_preview(
    published: dict[str, Any], users: dict[str, Any]
) -> None:
    c = client_for(users["admin"])
    item = published["other"]  # 规上工业企业稳岗奖励: no rule yet
    url = f"/policies/items/{item.pk}/rule/"
    page = c.get(url).content.decode()
    assert 'name="r.0.field"' in page and "同时满足以下全部条件" in page and "高级:YAML" in page
    live = c.post(url, post(STAFF_RULE, cases=CASES), HTTP_HX_REQUEST="true").content.decode()
    assert live.startswith('<aside id="live"')
    assert "【条件用工】从业人数不低于 50人(依据第八条第一款)" in live
    assert "【条件初创】成立不满 6 年(截至 2026-01-01)(依据第八条第二款)" in live
    assert "研发费用占营业收入比例不低于 4%(研发费用占比下限)" in live  # the dated parameter as of 2026-06-01
    assert "全部通过" in live
    assert "符合条件的企业 0 → <strong>1</strong> 户;新增 <strong>1</strong> 户" in live  # a: 80 人, 2020-05-01
    assert "荆门甲科技有限公司" in live
    # a structural edit redraws the tree and, out of band, the live panel
    tree = c.post(url, post(STAFF_RULE, cases=CASES, edit="add_leaf:r.2"), HTTP_HX_REQUEST="true").content.decode()
    assert tree.startswith('<div id="tree">') and 'name="r.2.2.field"' in tree and 'hx-swap-oob="true"' in tree
    # a half-typed number: the form keeps it, the check names it, nothing is saved
    bad = post(STAFF_RULE, cases=CASES)
    bad["r.0.value"] = "五十"
    live = c.post(url, bad, HTTP_HX_REQUEST="true").content.decode()
    assert "条件「用工」缺少数字 value(数值) 或参数 param" in live
    bad["action"] = "save"
    c.post(url, bad)
    assert not RuleVersion.objects.filter(item=item).exists()

    saved = c.post(url, post(STAFF_RULE, cases=CASES, action="save"))
    v1 = RuleVersion.objects.get(item=item)
    assert saved.status_code == 302 and saved["Location"] == f"/policies/versions/{v1.pk}/preview/"
    assert v1.rule == STAFF_RULE and v1.cases[1]["failing"] == ["用工"]
    assert AuditEvent.objects.filter(action="policy.rule_drafted", subject_id=str(v1.pk)).exists()


def test_saving_a_published_rule_from_the_form_makes_a_new_version(published: dict[str, Any],
                                                                   users: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    item, v1 = published["auto"], published["version"]
    page = c.get(f"/policies/items/{item.pk}/rule/").content.decode()
    assert "另存为第 2 版草稿" in page and 'value="注册地"' in page and 'value="4208"' in page
    changed: dict[str, Any] = copy.deepcopy(HIGH_TECH_RULE)
    changed["all"][1]["codes"] = ["420802"]
    changed["all"].append({"id": "", "field": "employees", "op": ">=", "value": 10})  # no 编号: numbered on save
    c.post(f"/policies/items/{item.pk}/rule/", post(changed, cases="[]", action="save"))
    v1.refresh_from_db()
    v2 = RuleVersion.objects.get(item=item, number=2)
    assert v1.status == RuleStatus.PUBLISHED and v1.rule == HIGH_TECH_RULE  # never edited
    assert v2.status == RuleStatus.DRAFT and v2.rule["all"][1]["codes"] == ["420802"]
    assert v2.rule["all"][3] == {"id": "条件1", "field": "employees", "op": ">=", "value": 10}


def test_yaml_stays_the_import_and_export_view(published: dict[str, Any], users: dict[str, Any]) -> None:
    c = client_for(users["admin"])
    item = published["auto"]
    page = c.get(f"/policies/items/{item.pk}/rule/?view=yaml").content.decode()
    assert 'id="id_rule"' in page and "op: prefix_in" in page
    imported = c.post(f"/policies/items/{item.pk}/rule/", {
        "view": "yaml", "action": "to_form", "cases": "[]",
        "rule": "all:\n  - {id: 新设, field: founded, op: founded_within_years, years: 3, as_of: 2026-01-01}\n",
    }).content.decode()
    assert 'name="r.0.as_of" value="2026-01-01"' in imported and 'value="新设"' in imported


def test_only_the_policy_office_opens_the_rule_form(published: dict[str, Any], users: dict[str, Any]) -> None:
    item = published["auto"]
    for who in ("staff", "enterprise"):
        response = client_for(users[who]).post(f"/policies/items/{item.pk}/rule/", post(STAFF_RULE, action="save"))
        assert response.status_code in (403, 404)
    assert RuleVersion.objects.filter(item=item).count() == 1
