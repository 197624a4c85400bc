"""Policy services: versioned rules, preview, pushes once per version, 免申即享 with four eyes, payments, profiles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.core.errors import AccessDenied, InvalidTransition, ValidationFailed
from luoshi.policies import selectors, services
from luoshi.policies.engine.profile import Status
from luoshi.policies.models import BatchStatus, Push, PushKind, RuleStatus
from luoshi.policies.tests.conftest import HIGH_TECH_CASES, HIGH_TECH_RULE


def test_editing_a_published_rule_makes_a_new_version(published: dict[str, Any], users: dict[str, Any]) -> None:
    v1 = published["version"]
    assert v1.status == RuleStatus.PUBLISHED and published["auto"].published_version == v1
    wider = {"all": HIGH_TECH_RULE["all"][:2]}
    v2 = services.rule_draft(actor=users["admin"], item=published["auto"], rule=wider, cases=[])
    assert v2.number == 2 and v2.pk != v1.pk
    v1.refresh_from_db()
    assert v1.rule == HIGH_TECH_RULE and v1.status == RuleStatus.PUBLISHED  # a published version is never changed
    again = services.rule_draft(actor=users["admin"], item=published["auto"], rule=wider, cases=HIGH_TECH_CASES[:1])
    assert again.pk == v2.pk  # a draft is edited in place
    services.rule_publish(actor=users["admin"], version=v2, push=False)
    v1.refresh_from_db()
    assert v1.status == RuleStatus.SUPERSEDED
    with pytest.raises(InvalidTransition, match="不能再次发布"):
        services.rule_publish(actor=users["admin"], version=v2, push=False)
    assert AuditEvent.objects.filter(action="policy.rule_published").count() == 2


def test_publishing_refuses_failing_cases(policy_setup: dict[str, Any], users: dict[str, Any]) -> None:
    bad_cases = [dict(HIGH_TECH_CASES[0], expect="不符合")]
    v = services.rule_draft(actor=users["admin"], item=policy_setup["auto"], rule=HIGH_TECH_RULE, cases=bad_cases)
    with pytest.raises(ValidationFailed, match="测试用例未全部通过"):
        services.rule_publish(actor=users["admin"], version=v)


def test_rule_errors_are_refused_in_chinese(policy_setup: dict[str, Any], users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="未定义的参数「nope」"):
        services.rule_draft(actor=users["admin"], item=policy_setup["auto"],
                            rule={"all": [{"field": "rd_ratio", "op": ">=", "param": "nope"}]})


def test_preview_shows_gained_and_lost_firms_and_money(published: dict[str, Any], users: dict[str, Any]) -> None:
    industry_rule = {"all": [{"id": "制造", "field": "industry", "op": "prefix_in", "codes": ["C34"]}]}
    v2 = services.rule_draft(actor=users["admin"], item=published["auto"], rule=industry_rule)
    preview = services.rule_preview(actor=users["admin"], version=v2)
    assert [c.enterprise_id for c in preview.gained] == [published["b"].pk]
    assert [c.enterprise_id for c in preview.lost] == [published["a"].pk]
    assert preview.money_before == preview.money_after == Decimal("200000.00")
    with pytest.raises(AccessDenied):
        services.rule_preview(actor=users["staff"], version=v2)


def test_pushes_go_once_per_version_to_qualifying_and_near_miss_firms(
    published: dict[str, Any], users: dict[str, Any]
) -> None:
    b = published["b"]
    services.profile_save(actor=users["admin"], enterprise=b, values={"tags": ["规上工业企业"]}, source="科技局",
                          authoritative=True)
    item = published["auto"]
    first = services.push_item(item_id=item.pk)
    assert first == 2
    assert services.push_item(item_id=item.pk) == 0  # never twice for the same version
    kinds = dict(Push.objects.values_list("enterprise_id", "kind"))
    assert kinds == {published["a"].pk: PushKind.QUALIFYING, b.pk: PushKind.NEAR_MISS}
    near = Push.objects.get(enterprise=b)
    assert near.missing_leaf == "高企" and "不满足「具有「高新技术企业」资质」" in near.reason
    v2 = services.rule_draft(actor=users["admin"], item=item, rule=HIGH_TECH_RULE, cases=[])
    services.rule_publish(actor=users["admin"], version=v2, push=False)
    assert services.push_item(item_id=item.pk) == 2  # a new version is pushed again
    assert Push.objects.filter(version=v2).count() == 2


def test_my_policies_shows_own_results_only(published: dict[str, Any], users: dict[str, Any]) -> None:
    services.push_item(item_id=published["auto"].pk)
    mine = selectors.my_results(users["enterprise"])
    assert [(r.item.code, r.outcome.status) for r in mine] == [("JM-KJ-01", Status.ELIGIBLE)]
    assert "贵企业符合「高新技术企业认定奖励」" in mine[0].reason[0]
    pushes = selectors.my_pushes(users["enterprise"])
    assert [p.enterprise_id for p in pushes] == [published["a"].pk]
    other_push = Push.objects.get(enterprise=published["a"])
    with pytest.raises(AccessDenied):
        selectors.push(users["enterprise_other"], other_push.pk)
    with pytest.raises(AccessDenied):
        services.push_feedback(actor=users["enterprise_other"], push=other_push, useful=True)
    with pytest.raises(AccessDenied):
        selectors.my_results(users["staff"])
    services.push_feedback(actor=users["enterprise"], push=other_push, useful=True)
    other_push.refresh_from_db()
    assert other_push.feedback == "useful" and other_push.opened_at is not None


def test_automatic_list_four_eyes_and_payment(published: dict[str, Any], users: dict[str, Any]) -> None:
    item = published["auto"]
    batch = services.batch_draw(actor=users["staff"], item=item)
    lines = list(batch.payouts.all())
    assert [(p.enterprise_id, p.amount, p.version_id) for p in lines] == [
        (published["a"].pk, Decimal("200000.00"), published["version"].pk)]
    assert batch.total == Decimal("200000.00")
    with pytest.raises(InvalidTransition, match="两人确认"):
        services.batch_pay(actor=users["staff"], batch=batch)
    services.batch_check(actor=users["staff"], batch=batch)
    with pytest.raises(InvalidTransition, match="不能与初核人为同一人"):
        services.batch_confirm(actor=users["staff"], batch=batch)
    services.batch_confirm(actor=users["admin"], batch=batch)
    paid = services.batch_pay(actor=users["staff"], batch=batch)
    assert paid.status == BatchStatus.PAID
    assert set(paid.payouts.values_list("state", flat=True)) == {"paid"}
    actions = list(AuditEvent.objects.filter(subject_type="policies.payoutbatch").values_list("action", flat=True))
    assert {"policy.batch_drawn", "policy.batch_checked", "policy.batch_confirmed", "policy.batch_paid"} <= set(
        actions)
    again = services.batch_draw(actor=users["staff"], item=item)
    assert again.payouts.count() == 0  # a firm already paid for this item is not listed again


def test_departments_see_and_pay_only_their_own_items(published: dict[str, Any], users: dict[str, Any]) -> None:
    item = published["auto"]
    other = users["staff_other"]
    assert list(selectors.items(other).values_list("code", flat=True)) == ["JM-JX-01"]
    assert list(selectors.items(users["staff"]).values_list("code", flat=True)) == ["JM-KJ-01"]
    with pytest.raises(AccessDenied, match="本部门"):
        selectors.item(other, item.pk)
    with pytest.raises(AccessDenied):
        services.batch_draw(actor=other, item=item)
    batch = services.batch_draw(actor=users["staff"], item=item)
    with pytest.raises(AccessDenied):
        selectors.batch(other, batch.pk)
    with pytest.raises(AccessDenied):
        services.batch_check(actor=other, batch=batch)
    services.batch_check(actor=users["staff"], batch=batch)
    with pytest.raises(AccessDenied):
        services.batch_confirm(actor=other, batch=batch)
    with pytest.raises(AccessDenied):
        services.batch_confirm(actor=users["leader"], batch=batch)
    with pytest.raises(AccessDenied):
        services.batch_draw(actor=users["admin_jz"], item=item)
    with pytest.raises(AccessDenied):
        services.rule_draft(actor=users["staff"], item=item, rule=HIGH_TECH_RULE)


def test_automatic_needs_authoritative_data(published: dict[str, Any], users: dict[str, Any]) -> None:
    # the firm declares its own tag: it still qualifies, but is no longer on the 免申即享 list
    services.profile_save(actor=users["enterprise"], enterprise=published["a"], values={"tags": ["高新技术企业"]},
                          source="", authoritative=True)
    profile = selectors.my_profile(users["enterprise"])
    assert profile is not None and profile.provenance["tags"]["authoritative"] is False
    assert profile.provenance["tags"]["source"] == "企业自报"
    batch = services.batch_draw(actor=users["staff"], item=published["auto"])
    assert batch.payouts.count() == 0
    with pytest.raises(AccessDenied):
        services.profile_save(actor=users["enterprise"], enterprise=published["b"], values={"employees": 3},
                              source="", authoritative=False)


def test_exclusive_group_keeps_the_higher_item_in_the_list(published: dict[str, Any], users: dict[str, Any],
                                                           units: dict[str, Any]) -> None:
    from luoshi.policies.models import Mode

    big = services.item_save(actor=users["admin"], policy=published["policy"], code="JM-KJ-02",
                             department=units["jm_fgw"], title="高企培育奖励", mode=Mode.AUTOMATIC,
                             benefit_fixed=Decimal("300000"), exclusive_group="科技奖励")
    v = services.rule_draft(actor=users["admin"], item=big, rule=HIGH_TECH_RULE)
    services.rule_publish(actor=users["admin"], version=v, push=False)
    batch = services.batch_draw(actor=users["staff"], item=published["auto"])
    line = batch.payouts.get()
    assert line.state == "excluded" and line.excluded_reason == "同类政策就高享受"


def test_profile_keeps_provenance_flags_bad_credit_codes_and_derives_size(
    policy_setup: dict[str, Any], users: dict[str, Any]
) -> None:
    profile = selectors.profile(users["admin"], policy_setup["a"].pk)
    assert profile.provenance["employees"] == {"source": "科技局", "as_of": "2026-06-01", "authoritative": True}
    assert profile.data["size"] == "小型"  # 工业: 80 人 (< 300) and 5000 万元 reach only 小型's bounds
    assert profile.provenance["size"]["source"].startswith("按工信部联企业〔2011〕300号")
    assert "校验" in profile.credit_code_problem or "字符" in profile.credit_code_problem
    with pytest.raises(AccessDenied):
        selectors.profile(users["enterprise_other"], policy_setup["a"].pk)
    with pytest.raises(ValidationFailed, match="从业人数"):
        services.profile_save(actor=users["admin"], enterprise=policy_setup["a"], values={"employees": "很多"},
                              source="人社局", authoritative=True)


def test_calculator_tries_a_hypothetical_profile(published: dict[str, Any]) -> None:
    outcomes = services.calculator(data={"tags": ["高新技术企业"], "region": "420801", "credit_status": "良好"})
    assert [(o.item.code, o.status) for o in outcomes] == [("JM-KJ-01", Status.ELIGIBLE)]
    outcomes = services.calculator(data={"region": "420801"})
    assert outcomes[0].status == Status.UNKNOWN and outcomes[0].unknown == ("高企", "失信")


def test_reach_per_department(published: dict[str, Any], users: dict[str, Any]) -> None:
    services.push_item(item_id=published["auto"].pk)
    batch = services.batch_draw(actor=users["staff"], item=published["auto"])
    services.batch_check(actor=users["staff"], batch=batch)
    services.batch_confirm(actor=users["admin"], batch=batch)
    services.batch_pay(actor=users["staff"], batch=batch)
    rows = {r.department: r for r in selectors.reach(users["admin"])}
    fgw = rows["荆门市发展和改革委员会"]
    assert (fgw.pushed, fgw.granted, fgw.amount) == (2, 1, Decimal("200000.00"))  # a qualifies, b is a near miss
    assert [r.department for r in selectors.reach(users["staff_other"])] == ["荆门市经济和信息化局"]
    with pytest.raises(AccessDenied):
        selectors.reach(users["enterprise"])
