"""The audit trail in plain Chinese: "2026-12-02 05:23 营商办管理员 同意销号(材料齐全)", and each change as
"字段: 旧值 → 新值" with the model's Chinese field names and the choices' Chinese labels (status, colour ...).

Action labels: `ACTION_LABELS` below, overridden by any app that registers its own (an events enum with labels);
an unknown action falls back to its code so nothing is hidden.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from luoshi.audit.models import AuditEvent

ACTION_LABELS: dict[str, str] = {
    "api_token.created": "创建接口令牌",
    "assignment.changed": "调整责任分工",
    "assignment.created": "分配责任单位",
    "assignment.removed": "移除责任单位",
    "assignment.weight_changed": "调整分工权重",
    "attachment.uploaded": "上传佐证材料",
    "calendar.correction_added": "新增节假日调整",
    "calendar.correction_changed": "修改节假日调整",
    "calendar.correction_removed": "删除节假日调整",
    "calendar.notice_loaded": "导入放假通知",
    "calendar.notice_removed": "删除放假通知",
    "calendar.regional_holiday_added": "新增地方假日",
    "calendar.regional_holiday_removed": "删除地方假日",
    "notice.answered": "答复督办单",
    "notice.closed": "办结督办单",
    "notice.issued": "发出督办单",
    "plan.archived": "归档方案",
    "plan.imported": "导入方案",
    "plan.measure_created": "新增举措",
    "plan.measure_deleted": "删除举措",
    "plan.measure_merged": "合并举措",
    "plan.measure_split": "拆分举措",
    "plan.measure_unit_assigned": "指定举措责任单位",
    "plan.measure_updated": "修改举措",
    "plan.published": "发布方案",
    "plan.unit_confirmed": "确认责任单位",
    "plan.units_resolved": "识别责任单位",
    "project.colour_changed": "项目预警变化",
    "project.created": "新建项目",
    "project.milestone_planned": "计划节点",
    "project.milestone_recorded": "记录节点完成",
    "project.problem_raised": "提出项目问题",
    "project.problem_resolved": "解决项目问题",
    "project.rule_set": "设置节点时限",
    "project.updated": "修改项目",
    "region.created": "新建区域",
    "region.updated": "修改区域",
    "report.filed": "填报进展",
    "report.revised": "修改填报",
    "task.carried_over": "任务结转",
    "task.colour_changed": "预警颜色变化",
    "task.created": "生成任务",
    "task.cycle_changed": "调整填报周期",
    "task.in_progress": "开始推进",
    "task.revised": "修订任务",
    "task.sign_off_requested": "申请销号",
    "task.sign_off_first_approved": "初审同意销号",
    "task.signed_off": "同意销号",
    "task.returned": "退回",
    "task.cancelled": "撤销任务",
    "task.not_started": "恢复任务",
    "task.supervised": "督办",
    "unit.alias_added": "新增单位简称",
    "unit.alias_removed": "删除单位简称",
    "unit.created": "新建单位",
    "unit.merged": "合并单位",
    "unit.merged_into": "并入单位",
    "unit.renamed": "单位更名",
    "unit.updated": "修改单位",
    "unit.verified": "核实单位",
    "user.created": "创建账号",
    "user.updated": "修改账号",
    "user.deactivated": "停用账号",
    "user.activated": "启用账号",
    "user.unlocked": "解除登录锁定",
    "user.password_reset": "重置密码",
    "user.role_changed": "调整角色与单位",
}
INTERFACE_LABELS = {"page": "网页", "api": "接口", "command": "命令行", "job": "后台任务"}


def register_labels(labels: dict[str, str]) -> None:
    """Apps add the Chinese labels of their actions (e.g. from an events enum's choices)."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """The Chinese label of a stored action: the audit page's own wording above when it has one, else the
    declaring app's event enum (``luoshi.core.events``); the action itself when nobody labels it."""
    from luoshi.core.events import all_events

    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    declared = all_events().get(action)
    return declared.label if declared is not None and declared.label else action


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"


@dataclass(frozen=True)
class EventView:
    id: int
    when: str
    who: str
    what: str
    reason: str
    interface: str
    subject_kind: str
    subject: str
    changes: list[Change] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        tail = f"({self.reason})" if self.reason else ""
        return f"{self.when} {self.who} {self.what}{tail}"


def _model(subject_type: str) -> Any:
    try:
        return apps.get_model(subject_type)
    except (LookupError, ValueError):
        return None


# Keys that services record but that are not a field of the subject's model (or are named differently there).
EXTRA_FIELD_LABELS: dict[str, str] = {
    "lead_units": "牵头单位",
    "co_units": "配合单位",
    "units": "责任单位",
    "instruction": "批示",
    "notice": "督办单",
    "attempts_cleared": "清除的错误登录记录(条)",
    "cycle_overridden": "单独设置填报周期",
    "escalated_on": "通报日期",
    "size": "大小(字节)",
    "name": "名称",
    "sign_off_requested_by": "申请销号人",
}


# Bookkeeping that services record beside a change but that says nothing to a reader (the optimistic-concurrency
# counter, row stamps): kept in the stored event, left out of the sentence people read.
HIDDEN_KEYS = frozenset({"version", "updated_at", "created_at"})


def _field_label(model: Any, key: str) -> tuple[str, dict[Any, str], Any]:
    if model is None:
        return EXTRA_FIELD_LABELS.get(key, key), {}, None
    try:
        f = model._meta.get_field(key)
    except FieldDoesNotExist:
        return EXTRA_FIELD_LABELS.get(key, key), {}, None
    choices = {k: str(v) for k, v in (getattr(f, "choices", None) or [])}
    label = str(getattr(f, "verbose_name", key))
    if label == key.replace("_", " "):  # Django's default: the field was given no name of its own
        label = EXTRA_FIELD_LABELS.get(key, label)
    return label, choices, f


_EMPTY = "(空)"
_BOOL = {True: "是", False: "否"}


def _moment(value: str) -> str | None:
    """A stored moment ("2026-12-03T12:19:16.627374+00:00") as people read it: Asia/Shanghai, to the minute."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def _value(value: Any, choices: dict[Any, str], field_: Any = None) -> str:
    if value is None or value == "" or value == []:
        return _EMPTY
    if isinstance(value, bool):
        return _BOOL[value]
    if value in choices if isinstance(value, str | int) else False:
        return choices[value]
    if isinstance(value, str) and isinstance(field_, models.DateTimeField):
        shown = _moment(value)
        if shown is not None:
            return shown
    if isinstance(value, dt.datetime):
        return _moment(value.isoformat()) or str(value)
    if isinstance(value, list):
        return "、".join(_value(v, choices) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}: {_value(v, {})}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def changes_of(event: AuditEvent) -> list[Change]:
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    model = _model(event.subject_type)
    out = []
    for key in dict.fromkeys([*before, *after]):
        if key in HIDDEN_KEYS:
            continue
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        label, choices, field_ = _field_label(model, key)
        shown_old = _value(old, choices, field_) if key in before else _EMPTY
        shown_new = _value(new, choices, field_) if key in after else _EMPTY
        if shown_old == shown_new:  # e.g. a key recorded on one side only, empty on both: nothing changed
            continue
        out.append(Change(label, shown_old, shown_new))
    return out


def who(event: AuditEvent) -> str:
    actor = event.actor
    if actor is None:
        return event.actor_label or "系统"
    name = (getattr(actor, "display_name", "") or actor.get_full_name()).strip()
    return name or event.actor_label


def present(event: AuditEvent) -> EventView:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    model = _model(event.subject_type)
    kind = str(model._meta.verbose_name) if model is not None else event.subject_type
    return EventView(
        id=event.pk,
        when=event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        who=who(event),
        what=action_label(event.action),
        reason=event.reason,
        interface=INTERFACE_LABELS.get(event.interface, event.interface),
        subject_kind=kind,
        subject=event.subject_label,
        changes=changes_of(event),
    )


def action_choices() -> list[tuple[str, str]]:
    from luoshi.core.events import all_events

    labels = {value: event.label for value, event in all_events().items() if event.label}
    labels.update(ACTION_LABELS)
    return sorted(labels.items(), key=lambda kv: kv[1])


def subject_type_choices() -> list[tuple[str, str]]:
    from luoshi.audit.scopes import scopes

    out = []
    for label in scopes():
        model = _model(label)
        out.append((label, str(model._meta.verbose_name) if model is not None else label))
    return out
