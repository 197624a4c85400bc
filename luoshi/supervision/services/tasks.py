"""Tasks: made from a published plan, moved through the status machine by units and the office.

Status machine (逾期 is derived from the deadline, never stored):

    未启动 not_started ──(first report / unit starts)──▶ 推进中 in_progress
    推进中 in_progress ──(lead unit requests, with evidence)──▶ 申请销号 sign_off_requested
    申请销号 ──(office accepts; a second office person too when the plan requires it)──▶ 已销号 signed_off
    申请销号 ──(office returns, with a reason)──▶ 退回 returned ──(new report / unit resumes)──▶ 推进中
    any live status ──(office; or the measure was removed from the plan)──▶ 已撤销 cancelled

Ongoing tasks (长期坚持) never sign off: they report every cycle and are reviewed each cycle.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from luoshi.accounts import access
from luoshi.accounts.access import is_unit_staff, require_can_change, require_region
from luoshi.accounts.models import User
from luoshi.audit.services import changed_fields, record, snapshot
from luoshi.core.bounds import expected_or_current
from luoshi.core.errors import AccessDenied, Conflict, InvalidTransition, ValidationFailed
from luoshi.core.limits import guard_text
from luoshi.notifications import services as notifications
from luoshi.plans.models import Measure, Plan
from luoshi.supervision.access import TRANSITIONS, require_office
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import (
    Assignment,
    NotificationKind,
    Review,
    ReviewDecision,
    Task,
    TaskStatus,
)
from luoshi.supervision.services.common import plan_thresholds, recolour

S = TaskStatus

# The status machine and who may make each move live in the access module (the task page's buttons come from it).

TASK_FIELDS = [
    "title",
    "text",
    "seq",
    "path",
    "deadline",
    "ongoing",
    "targets",
    "lead_units_text",
    "co_units_text",
    "reporting_cycle",
    "start_date",
]


def allowed_next(status: str) -> list[str]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm == status and who != "system"]


def _label(status: str) -> str:
    return str(TaskStatus(status).label)


# --- sync from a published plan --------------------------------------------------------------------------
def _measure_fields(plan: Plan, measure: Measure, start: dt.date) -> dict[str, Any]:
    title = (measure.title or measure.text.replace("\n", " ")[:80]).strip() or f"举措{measure.seq}"
    return {
        "title": title[:300],
        "text": measure.text,
        "seq": measure.seq,
        "path": list(measure.path or []),
        "deadline": None if measure.ongoing else measure.deadline,
        "ongoing": bool(measure.ongoing or measure.deadline is None),
        "targets": [dict(t) for t in (measure.targets or [])],
        "lead_units_text": "、".join(measure.lead_units_text or [])[:500],
        "co_units_text": "、".join(measure.co_units_text or [])[:500],
        "start_date": start,
    }


def _plan_start(plan: Plan) -> dt.date:
    if plan.issued_on:
        return plan.issued_on
    if plan.year and plan.published_at and plan.year <= timezone.localdate(plan.published_at).year:
        return dt.date(plan.year, 1, 1)  # a plan "for 2025" runs from the start of 2025
    if plan.published_at:
        return timezone.localdate(plan.published_at)
    return timezone.localdate()


@transaction.atomic
def tasks_sync_from_plan(
    *,
    plan: Plan,
    actor: User | None,
    today: dt.date | None = None,
    matches: dict[int, int] | None = None,
) -> list[Task]:
    """One task per measure of `plan`, one assignment per resolved lead/co unit. Idempotent: re-running
    changes nothing; a revised measure updates its task; a removed measure's task is cancelled. Tasks of the
    previous revision (plan.previous) carry over to the measure the revision diff matched them to
    (`matches`: {measure id: previous measure id}, sent by the publish hook; computed by the same
    `plans.hooks.revision_matches` when not given), so their reports and history stay."""
    require_can_change(actor)
    require_office(actor, action="发布方案生成任务")
    require_region(actor, plan.region, action="为该区域的方案生成任务")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    plan_thresholds(plan.pk)
    start = _plan_start(plan)
    measures = list(plan.measures.prefetch_related("lead_units", "co_units").order_by("seq"))
    by_measure = {t.measure_id: t for t in Task.objects.filter(plan=plan, measure__isnull=False)}
    # carry-over candidates from the previous revision
    previous: list[Task] = []
    if plan.previous_id:
        previous = list(
            Task.objects.filter(plan_id=plan.previous_id)
            .exclude(status=S.CANCELLED)
            .select_related("measure")
        )
    if previous and matches is None:
        from luoshi.plans.hooks import revision_matches

        matches = revision_matches(plan)
    prev_by_measure = {t.measure_id: t for t in previous if t.measure_id is not None}
    used_prev: set[int] = set()
    out: list[Task] = []
    for measure in measures:
        fields = _measure_fields(plan, measure, start)
        task = by_measure.get(measure.pk)
        if task is None and previous:
            cand = prev_by_measure.get((matches or {}).get(measure.pk, -1))
            if cand is not None and cand.pk not in used_prev:
                used_prev.add(cand.pk)
                task = cand
                Task.objects.filter(pk=task.pk).update(plan=plan, measure=measure)
                record(
                    actor=actor,
                    action=SupervisionEvent.TASK_CARRIED_OVER,
                    subject=task,
                    before={"plan": plan.previous_id},
                    after={"plan": plan.pk, "measure": measure.pk},
                    reason=f"方案修订为第{plan.revision}版,任务延续",
                )
                task.plan, task.measure = plan, measure
                fields["start_date"] = task.start_date  # the schedule keeps its original start
        if task is None:
            task = Task.objects.create(
                plan=plan,
                measure=measure,
                region=plan.region,
                reporting_cycle=plan.reporting_cycle,
                reports_from=max(start, today or timezone.localdate()),
                **fields,
            )
            record(
                actor=actor,
                action=SupervisionEvent.TASK_CREATED,
                subject=task,
                after=snapshot(task, TASK_FIELDS),
                reason=f"方案《{plan.title}》发布",
            )
        else:
            if task.status == S.CANCELLED:
                _set_status(task, S.NOT_STARTED, actor=actor, reason="举措恢复", extra={})
            if not task.cycle_overridden:
                fields["reporting_cycle"] = plan.reporting_cycle
            if task.pk in used_prev or task.start_date != start:
                fields["start_date"] = task.start_date
            before = snapshot(task, TASK_FIELDS)
            after = {**before, **{k: v for k, v in fields.items()}}
            after = {k: snapshot_value(v) for k, v in after.items()}
            b, a = changed_fields(before, after)
            if a:
                for key, value in fields.items():
                    setattr(task, key, value)
                task.version += 1
                task.updated_at = timezone.now()
                task.save(update_fields=[*fields.keys(), "version", "updated_at"])
                record(
                    actor=actor, action=SupervisionEvent.TASK_REVISED, subject=task, before=b, after=a, reason="举措内容修订"
                )
        _sync_assignments(task, measure, actor)
        out.append(task)
    # tasks whose measure is gone (deleted measure, or a previous revision's task with no counterpart)
    keep = {t.pk for t in out}
    gone = Task.objects.filter(plan=plan).exclude(pk__in=keep).exclude(status__in=[S.CANCELLED, S.SIGNED_OFF])
    stale_prev = [t for t in previous if t.pk not in used_prev and t.status != S.SIGNED_OFF]
    for task in [*gone, *stale_prev]:
        _set_status(task, S.CANCELLED, actor=actor, reason="方案中已删除该举措,任务撤销", extra={})
    # each new task gets its first colour now, so no sweep recolours a whole fresh ledger at once
    from luoshi.supervision.services.sweep import colour_new_tasks

    uncoloured = list(Task.objects.filter(pk__in=[t.pk for t in out], colour="").values_list("pk", flat=True))
    if uncoloured:
        colour_new_tasks(uncoloured, actor, today=today)
        fresh = {t.pk: t for t in Task.objects.filter(pk__in=uncoloured)}
        out = [fresh.get(t.pk, t) for t in out]
    return out


def snapshot_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sync_assignments(task: Task, measure: Measure, actor: User | None) -> None:
    leads = list(measure.lead_units.all())
    cos = [u for u in measure.co_units.all() if u.pk not in {x.pk for x in leads}]
    wanted = {u.pk: True for u in leads} | {u.pk: False for u in cos}
    existing = {a.unit_id: a for a in Assignment.objects.filter(task=task)}
    for unit_id, is_lead in wanted.items():
        row = existing.get(unit_id)
        if row is None:
            row = Assignment.objects.create(task=task, unit_id=unit_id, is_lead=is_lead)
            record(
                actor=actor,
                action=SupervisionEvent.ASSIGNMENT_CREATED,
                subject=row,
                after={"task": task.pk, "unit": unit_id, "is_lead": is_lead},
            )
        elif row.is_lead != is_lead or not row.active:
            before = {"is_lead": row.is_lead, "active": row.active}
            Assignment.objects.filter(pk=row.pk).update(is_lead=is_lead, active=True)
            record(
                actor=actor,
                action=SupervisionEvent.ASSIGNMENT_CHANGED,
                subject=row,
                before=before,
                after={"is_lead": is_lead, "active": True},
            )
    for unit_id, row in existing.items():
        if unit_id not in wanted and row.active:
            Assignment.objects.filter(pk=row.pk).update(active=False)
            record(
                actor=actor,
                action=SupervisionEvent.ASSIGNMENT_REMOVED,
                subject=row,
                before={"active": True},
                after={"active": False},
                reason="举措中已不再列出该单位",
            )


# --- the status machine ----------------------------------------------------------------------------------
def _set_status(
    task: Task,
    to: str,
    *,
    actor: User | None,
    reason: str,
    extra: dict[str, Any],
    expected_version: int | None = None,
) -> Task:
    """Conditional update on `version`: if someone saved in between, refuse (Conflict), never overwrite."""
    version = task.version if expected_version is None else expected_version
    before = {"status": task.status, "version": version}
    now = timezone.now()
    n = Task.objects.filter(pk=task.pk, version=version).update(
        status=to, version=F("version") + 1, updated_at=now, **extra
    )
    if n == 0:
        raise Conflict("该任务已被他人修改,请刷新页面后重试。", code=SupervisionError.TASK_EDITED_ELSEWHERE)
    task.refresh_from_db()
    record(
        actor=actor,
        action=SupervisionEvent(f"task.{to}"),
        subject=task,
        before=before,
        after={
            "status": to,
            **{k: snapshot_value(v) for k, v in extra.items() if not hasattr(v, "resolve_expression")},
        },
        reason=reason,
    )
    return task


def _require_unit_member(user: User | None, task: Task, *, lead_only: bool, action: str) -> None:
    if user is None:
        return
    if not is_unit_staff(user) or user.unit_id is None:
        raise AccessDenied(f"只有任务责任单位的工作人员可以{action};您的角色为{user.get_role_display()}。", code=SupervisionError.UNIT_STAFF_ONLY)
    qs = Assignment.objects.filter(task=task, unit_id=user.unit_id, active=True)
    if lead_only:
        qs = qs.filter(is_lead=True)
    if not qs.exists():
        who = "牵头单位" if lead_only else "责任单位"
        raise AccessDenied(f"您所在单位不是该任务的{who},不能{action}。", code=SupervisionError.NOT_YOUR_UNIT)


@guard_text
@transaction.atomic
def task_transition(
    *,
    task: Task,
    to: str,
    user: User | None,
    reason: str = "",
    evidence: str = "",
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Task:
    """Move `task` to status `to`, checking the machine, the role and the version. Returns the fresh task.
    With four-eyes sign-off, the first office approval keeps the task in 申请销号 until a second,
    different office person accepts."""
    require_can_change(user)
    current = Task.objects.select_for_update().get(pk=task.pk)
    if expected_or_current(expected_version, task.version) != current.version:
        raise Conflict("该任务已被他人修改,请刷新页面后重试。", code=SupervisionError.TASK_EDITED_ELSEWHERE)
    frm = current.status
    try:
        target = TaskStatus(to)
    except ValueError as exc:
        raise InvalidTransition(f"未知的任务状态“{to}”。", code=SupervisionError.UNKNOWN_STATUS) from exc
    who = TRANSITIONS.get((frm, target))
    if who is None or who == "system":
        nexts = "、".join(_label(s) for s in allowed_next(frm)) or "无"
        raise InvalidTransition(
            f"任务当前状态为“{_label(frm)}”,不能变更为“{target.label}”。当前可进行的操作:{nexts}。",
            code=SupervisionError.TRANSITION_NOT_ALLOWED,
        )
    if current.ongoing and target in (S.SIGN_OFF_REQUESTED, S.SIGNED_OFF):
        raise InvalidTransition("该任务为长期坚持类任务,不办理销号;请按周期报送进展,营商办每个周期审阅。", code=SupervisionError.STANDING_TASK_NO_SIGN_OFF)
    if who == "office":
        require_office(user, current, action="审核任务")
    else:
        _require_unit_member(user, current, lead_only=(who == "lead"), action="变更任务状态")
    extra: dict[str, Any] = {}
    reason = reason.strip()
    if target == S.SIGN_OFF_REQUESTED:
        if not evidence.strip():
            raise ValidationFailed("申请销号须填写完成情况说明(佐证),请补充后再提交。", code=SupervisionError.SIGN_OFF_EVIDENCE_MISSING)
        extra = {
            "sign_off_evidence": evidence.strip(),
            "sign_off_requested_at": timezone.now(),
            "sign_off_requested_by": user,
            "first_approved_by": None,
        }
    elif target == S.RETURNED:
        if not reason:
            raise ValidationFailed("退回须填写原因,告知责任单位需要补充或整改的内容。", code=SupervisionError.RETURN_REASON_MISSING)
        extra = {
            "returns_count": F("returns_count") + 1,
            "last_return_reason": reason,
            "first_approved_by": None,
        }
    elif target == S.SIGNED_OFF:
        thresholds = plan_thresholds(current.plan_id)
        if thresholds.require_second_signoff:
            if current.first_approved_by_id is None:
                return _first_approval(current, user, reason)
            if user is not None and current.first_approved_by_id == user.pk:
                raise InvalidTransition("该方案要求两人审核销号:您已完成初审,请由另一位营商办工作人员复核。", code=SupervisionError.SECOND_REVIEWER_NEEDED)
        extra = {
            "signed_off_by": user,
            "signed_off_at": timezone.now(),
            "signed_off_on": today or timezone.localdate(),
            # signed off is 100%; the last reported figure stays in the reports (and the audit's before)
            "percent": 100.0,
        }
    elif target == S.CANCELLED and not reason:
        raise ValidationFailed("撤销任务须填写原因。", code=SupervisionError.CANCEL_REASON_MISSING)
    current = _set_status(
        current,
        target,
        actor=user,
        reason=reason or evidence.strip(),
        extra=extra,
        expected_version=expected_version,
    )
    if target in (S.RETURNED, S.SIGNED_OFF):
        Review.objects.create(task=current, decision=ReviewDecision(target), reason=reason, by=user)
    recolour(current, actor=user, today=today)
    _notify_transition(current, target, reason)
    return current


def _first_approval(task: Task, user: User | None, reason: str) -> Task:
    n = Task.objects.filter(pk=task.pk, version=task.version).update(
        first_approved_by=user, version=F("version") + 1, updated_at=timezone.now()
    )
    if n == 0:
        raise Conflict("该任务已被他人修改,请刷新页面后重试。", code=SupervisionError.TASK_EDITED_ELSEWHERE)
    task.refresh_from_db()
    Review.objects.create(task=task, decision=ReviewDecision.FIRST_APPROVED, reason=reason, by=user)
    record(
        actor=user,
        action=SupervisionEvent.TASK_SIGN_OFF_FIRST_APPROVED,
        subject=task,
        before={"first_approved_by": None},
        after={"first_approved_by": user.pk if user else None},
        reason=reason or "初审同意,待复核",
    )
    return task


def _notify_transition(task: Task, target: str, reason: str) -> None:
    url = reverse("supervision:task_detail", args=[task.pk])
    if target in (S.RETURNED, S.SIGNED_OFF):
        unit_ids = list(Assignment.objects.filter(task=task, active=True).values_list("unit_id", flat=True))
        kind = NotificationKind.RETURNED if target == S.RETURNED else NotificationKind.SIGNED_OFF
        title = f"任务“{task.title[:40]}”" + ("申请销号被退回" if target == S.RETURNED else "已销号")
        notifications.notify(
            units=unit_ids,
            kind=kind,
            kind_label=kind.label,
            key=f"{kind}:{task.pk}:v{task.version}",
            title=title,
            body=reason,
            url=url,
            subject=task,
        )
    elif target == S.SIGN_OFF_REQUESTED:
        notifications.notify(
            users=access.office_admins_over(task.region).values_list("pk", flat=True),
            kind=NotificationKind.SIGN_OFF_REQUEST,
            kind_label=NotificationKind.SIGN_OFF_REQUEST.label,
            key=f"request:{task.pk}:v{task.version}",
            title=f"任务“{task.title[:40]}”申请销号,请审核",
            body=task.sign_off_evidence,
            url=url,
            subject=task,
        )


# Named entry points (what pages, the API and commands call).
def task_start(*, task: Task, user: User | None, **kw: Any) -> Task:
    return task_transition(task=task, to=S.IN_PROGRESS, user=user, **kw)


def task_request_sign_off(*, task: Task, user: User | None, evidence: str, **kw: Any) -> Task:
    return task_transition(task=task, to=S.SIGN_OFF_REQUESTED, user=user, evidence=evidence, **kw)


def task_sign_off(*, task: Task, user: User | None, reason: str = "", **kw: Any) -> Task:
    return task_transition(task=task, to=S.SIGNED_OFF, user=user, reason=reason, **kw)


def task_return(*, task: Task, user: User | None, reason: str, **kw: Any) -> Task:
    return task_transition(task=task, to=S.RETURNED, user=user, reason=reason, **kw)


def task_cancel(*, task: Task, user: User | None, reason: str, **kw: Any) -> Task:
    return task_transition(task=task, to=S.CANCELLED, user=user, reason=reason, **kw)


@transaction.atomic
def task_set_cycle(
    *, task: Task, user: User | None, cycle: str | None, expected_version: int | None = None
) -> Task:
    """Override the plan's reporting cycle for one task (None: back to the plan's)."""
    from luoshi.plans.models import ReportingCycle

    require_can_change(user)
    require_office(user, task, action="设置填报周期")
    if cycle is not None and cycle not in ReportingCycle.values:
        raise ValidationFailed(f"填报周期“{cycle}”无效,可选:每周、双周、每月、每季度。", code=SupervisionError.CYCLE_INVALID)
    new_cycle = cycle or task.plan.reporting_cycle
    version = expected_or_current(expected_version, task.version)
    before = {"reporting_cycle": task.reporting_cycle, "cycle_overridden": task.cycle_overridden}
    n = Task.objects.filter(pk=task.pk, version=version).update(
        reporting_cycle=new_cycle,
        cycle_overridden=cycle is not None,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if n == 0:
        raise Conflict("该任务已被他人修改,请刷新页面后重试。", code=SupervisionError.TASK_EDITED_ELSEWHERE)
    task.refresh_from_db()
    record(
        actor=user,
        action=SupervisionEvent.TASK_CYCLE_CHANGED,
        subject=task,
        before=before,
        after={"reporting_cycle": new_cycle, "cycle_overridden": cycle is not None},
    )
    return task


__all__ = [
    "TRANSITIONS",
    "allowed_next",
    "task_cancel",
    "task_request_sign_off",
    "task_return",
    "task_set_cycle",
    "task_sign_off",
    "task_start",
    "task_transition",
    "tasks_sync_from_plan",
]
