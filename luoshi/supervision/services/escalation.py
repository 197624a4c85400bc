"""Escalation that reaches leaders: 督办 proposals by per-plan rule, one-click issue, 通报 of notices still red after
their time limit (told to the unit's leader in charge), 领导批示, and the per-plan warning/督办 rules.

- Proposal rule (``WarningThresholds``): a live task red for ``notice_red_workdays`` working days (since its colour
  last changed) or with ``notice_missed_reports`` missed reports is proposed, unless a 督办单 on it is still open.
  0 turns a rule off. Proposals are grouped by the task's lead unit; the office issues each group in one click.
- Escalation: a 督办单 not closed by its reply deadline whose tasks are still red is escalated once (``escalated_on``):
  audited, the unit, its 包保/分管领导 (``Unit.leader``) and the office are told; the 通报 .docx is on the notice page.
- 批示: a leader writes an instruction on a task in their region; recorded on the task, audited, sent to its units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts import access as kernel_access
from luoshi.accounts.access import region_contains, require_can_change
from luoshi.accounts.models import User
from luoshi.audit.services import changed_fields, record, snapshot
from luoshi.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from luoshi.core.limits import guard_text
from luoshi.notifications import services as notifications
from luoshi.orgs.models import Unit
from luoshi.supervision.access import require_office, require_see_task
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import (
    LIVE_STATUSES,
    Assignment,
    Colour,
    Instruction,
    NoticeStatus,
    NotificationKind,
    SupervisionNotice,
    Task,
    WarningThresholds,
)
from luoshi.supervision.services.common import add_workdays, calendar_for, plan_thresholds

OPEN_NOTICE = (NoticeStatus.ISSUED, NoticeStatus.ANSWERED)


@dataclass
class Proposal:
    """督办 proposed for one unit: its tasks that meet the plan's rule, each with why."""

    unit: Unit
    tasks: list[Task] = field(default_factory=list)
    why: dict[int, str] = field(default_factory=dict)


def _rule_filter(user: User | None, today: dt.date) -> tuple[Q, dict[int, WarningThresholds]]:
    """A filter on Task selecting what the plans' 督办 rules propose, one clause per (region, rule) group: red
    since on or before the day N working days ago (from the region's calendar), or M missed reports."""
    from luoshi.orgs.models import Region
    from luoshi.supervision.access import task_scope_q

    rules = {r.plan_id: r for r in WarningThresholds.objects.all()}
    default = WarningThresholds()
    groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for region_id, plan_id in (
        Task.objects.filter(task_scope_q(user), status__in=LIVE_STATUSES)
        .filter(Q(colour=Colour.RED) | Q(missed_count__gt=0))
        .values_list("region_id", "plan_id")
        .order_by()
        .distinct()
    ):
        r = rules.get(plan_id, default)
        groups[(region_id, r.notice_red_workdays, r.notice_missed_reports)].append(plan_id)
    regions = {r.pk: r for r in Region.objects.filter(pk__in={g[0] for g in groups})}
    q = Q(pk__in=[])
    for (region_id, red_days, missed), plan_ids in groups.items():
        rule = Q(pk__in=[])
        if red_days:
            cutoff = add_workdays(regions[region_id], today, -red_days)
            rule |= Q(colour=Colour.RED, colour_changed_on__lte=cutoff)
        if missed:
            rule |= Q(missed_count__gte=missed)
        q |= Q(region_id=region_id, plan_id__in=plan_ids) & rule
    return q, rules


def _proposed(user: User | None, today: dt.date) -> Any:
    from luoshi.supervision.access import task_scope_q

    rule_q, _ = _rule_filter(user, today)
    in_open_notice = SupervisionNotice.objects.filter(status__in=OPEN_NOTICE).values("tasks")
    return (
        Task.objects.filter(task_scope_q(user), status__in=LIVE_STATUSES)
        .filter(rule_q)
        .exclude(pk__in=in_open_notice)
        .filter(models.Exists(Assignment.objects.filter(task=models.OuterRef("pk"), active=True)))
    )


def notice_proposals(user: User | None, today: dt.date | None = None, limit: int = 500) -> list[Proposal]:
    """The tasks the rules propose for 督办, by lead unit (scoped to what `user` may see). Tasks nobody holds
    are on the unassigned work list instead."""
    today = today or timezone.localdate()
    _, rules = _rule_filter(user, today)
    default = WarningThresholds()
    chosen = list(_proposed(user, today).select_related("region").order_by("deadline", "id")[:limit])
    if not chosen:
        return []
    calendars: dict[int, Any] = {}
    lead_of: dict[int, list[int]] = defaultdict(list)
    for task_id, unit_id in (
        Assignment.objects.filter(task__in=chosen, active=True)
        .order_by("-is_lead", "id")
        .values_list("task_id", "unit_id")
    ):
        lead_of[task_id].append(unit_id)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={us[0] for us in lead_of.values()})}
    by_unit: dict[int, Proposal] = {}
    for t in chosen:
        r = rules.get(t.plan_id, default)
        reasons = []
        if r.notice_red_workdays and t.colour == Colour.RED and t.colour_changed_on is not None:
            cal = calendars.setdefault(t.region_id, calendar_for(t.region))
            result = cal.workdays_between(t.colour_changed_on, today)
            days = int(getattr(result, "count", getattr(result, "value", result)))
            if days >= r.notice_red_workdays:
                reasons.append(f"已持续红灯{days}个工作日(规则:{r.notice_red_workdays}个工作日)")
        if r.notice_missed_reports and t.missed_count >= r.notice_missed_reports:
            reasons.append(f"{t.missed_count}次未按期报送(规则:{r.notice_missed_reports}次)")
        if not reasons or not lead_of.get(t.pk):
            continue
        unit = units[lead_of[t.pk][0]]
        p = by_unit.setdefault(unit.pk, Proposal(unit))
        p.tasks.append(t)
        p.why[t.pk] = ";".join(reasons)
    return sorted(by_unit.values(), key=lambda p: (-len(p.tasks), p.unit.name))


def notice_issue_proposed(
    *, user: User | None, unit: Unit, task_ids: Sequence[int], today: dt.date | None = None
) -> SupervisionNotice:
    """Issue the proposed 督办单 for one unit in one click: the reply limit from the plan's rule."""
    from luoshi.supervision.services.notices import notice_issue

    today = today or timezone.localdate()
    proposals = {p.unit.pk: p for p in notice_proposals(user, today)}
    p = proposals.get(unit.pk)
    tasks = (
        [t for t in (p.tasks if p else []) if t.pk in set(task_ids)] if task_ids else (p.tasks if p else [])
    )
    if not tasks:
        raise ValidationFailed(f"{unit.name}当前没有建议督办的任务(可能已下发督办单或已好转),请刷新页面。", code=SupervisionError.NO_ESCALATION_CANDIDATES)
    reply_workdays = max((plan_thresholds(t.plan_id).notice_reply_workdays for t in tasks), default=5)
    reply = add_workdays(unit.region, today, reply_workdays)
    requirement = "；".join(f"“{t.title[:30]}”{p.why[t.pk]}" for t in tasks if p) if p else ""
    return notice_issue(
        user=user,
        unit=unit,
        tasks=tasks,
        reply_deadline=reply,
        requirement=f"请对以下情况限期整改并书面回复:{requirement}。",
        today=today,
    )


def escalate_overdue_notices(today: dt.date) -> int:
    """Notices past their reply deadline whose tasks are still red: 通报, once each. Returns how many."""
    due = list(
        SupervisionNotice.objects.filter(
            status__in=OPEN_NOTICE, reply_deadline__lt=today, escalated_on__isnull=True
        ).select_related("unit", "unit__leader", "region")
    )
    n = 0
    for notice in due:
        red = list(notice.tasks.filter(colour=Colour.RED, status__in=LIVE_STATUSES))
        if not red:
            continue
        with transaction.atomic():
            if not SupervisionNotice.objects.filter(pk=notice.pk, escalated_on__isnull=True).update(
                escalated_on=today, version=F("version") + 1
            ):
                continue
            notice.escalated_on = today
            leader = notice.unit.leader
            record(
                actor=None,
                action=SupervisionEvent.NOTICE_ESCALATED,
                subject=notice,
                before={"escalated_on": None},
                after={
                    "escalated_on": today,
                    "leader": leader.pk if leader else None,
                    "tasks": [t.pk for t in red],
                },
                reason=f"回复期限{notice.reply_deadline:%Y-%m-%d}已过,仍有{len(red)}项红灯任务,予以通报",
            )
            url = reverse("supervision:notice_detail", args=[notice.pk])
            title = f"通报:{notice.unit.name}督办单{notice.number}到期仍有{len(red)}项红灯任务"
            body = ";".join(f"{t.title[:40]}:{t.colour_reason}" for t in red[:5])
            notifications.notify(
                units=[notice.unit_id],
                kind=NotificationKind.ESCALATED,
                kind_label=NotificationKind.ESCALATED.label,
                subject=notice,
                key=f"escalated:{notice.pk}",
                title=title,
                body=body,
                url=url,
                sms=True,
            )
            people = list(kernel_access.office_admins_over(notice.region).values_list("pk", flat=True))
            if leader is not None and leader.is_active:
                people.append(leader.pk)
            notifications.notify(
                users=people,
                kind=NotificationKind.ESCALATED,
                kind_label=NotificationKind.ESCALATED.label,
                subject=notice,
                key=f"escalated:{notice.pk}:lead",
                title=title,
                body=body,
                url=url,
                sms=True,
            )
            n += 1
    return n


def notify_proposals(today: dt.date) -> int:
    """Tell each office how many tasks the rules propose for 督办 today (one message a day)."""
    from luoshi.orgs.models import Region

    created = 0
    by_region = dict(
        _proposed(None, today).values("region_id").annotate(n=models.Count("id")).values_list("region_id", "n")
    )
    for region in Region.objects.filter(pk__in=list(by_region)):
        created += notifications.create(
            notifications.rows_for(
                notifications.office_recipients(region),
                kind=NotificationKind.PROPOSAL,
                kind_label=NotificationKind.PROPOSAL.label,
                key=f"proposal:{region.pk}:{today}",
                title=f"建议督办:{by_region[region.pk]}项任务达到督办规则,请确认下发督办单",
                url=reverse("supervision:proposals"),
            )
        )
    return created


# --- 领导批示 ---------------------------------------------------------------------------------------------------
@guard_text
@transaction.atomic
def instruction_add(*, task: Task, user: User, text: str) -> Instruction:
    """A leader's 批示 on a task: recorded on the task, audited, sent to the task's units. Leaders change no task
    (read-only elsewhere); an instruction is the one thing they write."""
    if not user.is_active:
        raise AccessDenied("您的账号已停用。", code=SupervisionError.ACCOUNT_DISABLED)
    if not (user.is_superuser or kernel_access.is_leader(user)):
        raise AccessDenied(f"只有领导可以作出批示;您的角色为{user.get_role_display()}。", code=SupervisionError.LEADERS_ONLY)
    require_see_task(user, task)
    if not user.is_superuser and not region_contains(user.region, task.region):
        raise AccessDenied("该任务不在您分管的区域内,不能批示。", code=SupervisionError.TASK_OUTSIDE_LEADERS_REGION)
    text = text.strip()
    if not text:
        raise ValidationFailed("请填写批示内容。", code=SupervisionError.INSTRUCTION_MISSING)
    if len(text) > 2000:
        raise ValidationFailed("批示内容过长(不超过2000字),请精简后再提交。", code=SupervisionError.INSTRUCTION_TOO_LONG)
    row = Instruction.objects.create(task=task, text=text, by=user)
    record(actor=user, action=SupervisionEvent.TASK_INSTRUCTION, subject=task, after={"instruction": row.pk}, reason=text)
    unit_ids = list(Assignment.objects.filter(task=task, active=True).values_list("unit_id", flat=True))
    who = user.get_full_name() or user.username
    notifications.notify(
        units=unit_ids,
        kind=NotificationKind.INSTRUCTION,
        kind_label=NotificationKind.INSTRUCTION.label,
        key=f"instruction:{row.pk}",
        title=f"领导批示:{who}对“{task.title[:40]}”作出批示",
        body=text,
        url=reverse("supervision:task_detail", args=[task.pk]),
        subject=task,
        sms=True,
    )
    return row


# --- per-plan rules ---------------------------------------------------------------------------------------------
RULE_FIELDS: dict[str, tuple[str, int, int]] = {
    # field: (label, min, max)
    "yellow_window_workdays": ("黄灯预警期(工作日)", 1, 120),
    "yellow_missed_reports": ("黄灯:未按期报送次数", 1, 20),
    "red_missed_reports": ("红灯:未按期报送次数", 1, 20),
    "red_returns": ("红灯:退回次数", 1, 20),
    "report_grace_workdays": ("周期结束后报送期限(工作日)", 0, 30),
    "remind_before_workdays": ("提前催报(工作日)", 0, 30),
    "notice_red_workdays": ("建议督办:持续红灯(工作日,0为不启用)", 0, 250),
    "notice_missed_reports": ("建议督办:未按期报送次数(0为不启用)", 0, 50),
    "notice_reply_workdays": ("督办单回复期限(工作日)", 1, 60),
}


@transaction.atomic
def thresholds_update(
    *, plan_id: int, user: User | None, version: int, changes: Mapping[str, Any]
) -> WarningThresholds:
    """Edit a plan's warning thresholds and 督办 rules (office of the plan's region only), audited."""
    from luoshi.plans.models import Plan

    require_can_change(user)
    plan = Plan.objects.select_related("region").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("该方案不存在。", code=SupervisionError.SCHEME_NOT_FOUND)
    require_office(user, action="设置预警阈值与督办规则")
    if user is not None and not user.is_superuser and not region_contains(user.region, plan.region):
        raise AccessDenied("该方案不在您的管辖区域内,不能设置其预警规则。", code=SupervisionError.SCHEME_OUTSIDE_REGION)
    plan_thresholds(plan.pk)
    row = WarningThresholds.objects.select_for_update().get(plan_id=plan.pk)
    if row.version != version:
        raise Conflict("预警规则已被他人修改,请刷新页面后重试。", code=SupervisionError.RULES_EDITED_ELSEWHERE)
    cleaned: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "lag_tolerance":
            try:
                number = float(value)
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(f"允许落后序时进度“{value}”不是数字。", code=SupervisionError.RULE_VALUE_INVALID) from exc
            if not 0 <= number <= 100:
                raise ValidationFailed("允许落后序时进度应在 0 到 100 个百分点之间。", code=SupervisionError.RULE_VALUE_INVALID)
            cleaned[key] = number
        elif key == "require_second_signoff":
            cleaned[key] = bool(value) and value not in ("0", "false", "off")
        elif key in RULE_FIELDS:
            label, lo, hi = RULE_FIELDS[key]
            try:
                number_i = int(str(value).strip())
            except (TypeError, ValueError) as exc:
                raise ValidationFailed(f"“{label}”应为整数,您填写的是“{value}”。", code=SupervisionError.RULE_VALUE_INVALID) from exc
            if not lo <= number_i <= hi:
                raise ValidationFailed(f"“{label}”应在 {lo} 到 {hi} 之间,您填写的是 {number_i}。", code=SupervisionError.RULE_VALUE_INVALID)
            cleaned[key] = number_i
        else:
            raise ValidationFailed(f"不能修改字段:{key}。", code=SupervisionError.RULE_FIELD_NOT_EDITABLE)
    red_missed = cleaned.get("red_missed_reports", row.red_missed_reports)
    yellow_missed = cleaned.get("yellow_missed_reports", row.yellow_missed_reports)
    if yellow_missed > red_missed:
        raise ValidationFailed("黄灯的未按期报送次数不能多于红灯的次数。", code=SupervisionError.RULE_THRESHOLDS_ORDER)
    fields = list(cleaned)
    before = snapshot(row, fields)
    for key, value in cleaned.items():
        setattr(row, key, value)
    row.version = version + 1
    row.save(update_fields=[*fields, "version"])
    b, a = changed_fields(before, snapshot(row, fields))
    if a:
        record(
            actor=user,
            action=SupervisionEvent.PLAN_THRESHOLDS_UPDATED,
            subject=row,
            before=b,
            after=a,
            reason=f"方案《{plan.title}》",
        )
    return row
