"""Audit event types of the policies app (stored values ``policy.*``)."""

from __future__ import annotations

from enum import StrEnum


class PolicyEvent(StrEnum):
    POLICY_CREATED = "policy.created"
    POLICY_UPDATED = "policy.updated"
    ITEM_SAVED = "policy.item_saved"
    RULE_DRAFTED = "policy.rule_drafted"
    RULE_PUBLISHED = "policy.rule_published"
    PARAMETER_SAVED = "policy.parameter_saved"
    PROFILE_SAVED = "policy.profile_saved"
    PROFILES_IMPORTED = "policy.profiles_imported"
    PUSHED = "policy.pushed"
    PUSH_FEEDBACK = "policy.push_feedback"
    BATCH_DRAWN = "policy.batch_drawn"
    BATCH_CHECKED = "policy.batch_checked"
    BATCH_CONFIRMED = "policy.batch_confirmed"
    BATCH_PAID = "policy.batch_paid"
    APPLIED = "policy.applied"


LABELS = {
    PolicyEvent.POLICY_CREATED: "录入政策",
    PolicyEvent.POLICY_UPDATED: "修改政策",
    PolicyEvent.ITEM_SAVED: "保存兑现事项",
    PolicyEvent.RULE_DRAFTED: "起草规则版本",
    PolicyEvent.RULE_PUBLISHED: "发布规则版本",
    PolicyEvent.PARAMETER_SAVED: "保存政策参数",
    PolicyEvent.PROFILE_SAVED: "更新企业画像",
    PolicyEvent.PROFILES_IMPORTED: "导入企业画像",
    PolicyEvent.PUSHED: "推送政策",
    PolicyEvent.PUSH_FEEDBACK: "企业评价推送",
    PolicyEvent.BATCH_DRAWN: "生成免申即享清单",
    PolicyEvent.BATCH_CHECKED: "初核清单",
    PolicyEvent.BATCH_CONFIRMED: "第二人确认清单",
    PolicyEvent.BATCH_PAID: "兑现清单",
    PolicyEvent.APPLIED: "企业申报",
}
