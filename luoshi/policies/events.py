"""Audit event types of the policies app (stored values ``policy.*``), with their Chinese labels (shown in the
audit trail)."""

from __future__ import annotations

from luoshi.core.events import Event


class PolicyEvent(Event):
    POLICY_CREATED = "policy.created", "录入政策"
    POLICY_UPDATED = "policy.updated", "修改政策"
    ITEM_SAVED = "policy.item_saved", "保存兑现事项"
    RULE_DRAFTED = "policy.rule_drafted", "起草规则版本"
    RULE_PUBLISHED = "policy.rule_published", "发布规则版本"
    PARAMETER_SAVED = "policy.parameter_saved", "保存政策参数"
    PROFILE_SAVED = "policy.profile_saved", "更新企业画像"
    PROFILES_IMPORTED = "policy.profiles_imported", "导入企业画像"
    PUSHED = "policy.pushed", "推送政策"
    PUSH_FEEDBACK = "policy.push_feedback", "企业评价推送"
    BATCH_DRAWN = "policy.batch_drawn", "生成免申即享清单"
    BATCH_CHECKED = "policy.batch_checked", "初核清单"
    BATCH_CONFIRMED = "policy.batch_confirmed", "第二人确认清单"
    BATCH_PAID = "policy.batch_paid", "兑现清单"
    APPLIED = "policy.applied", "企业申报"
    GRANTED = "policy.granted", "部门兑现申报"
