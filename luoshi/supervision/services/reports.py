"""Progress reports (进展填报): one per assignment per reporting period, with target actuals and evidence.

Filing rolls the unit's percent up to the task (weighted by assignment weights), moves a 未启动/退回 task
to 推进中, resolves a missed report for that period (a late report is still recorded as late), and
recolours the task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from luoshi.accounts.access import is_staff_role, own_unit, require_can_change
from luoshi.accounts.models import User
from luoshi.audit.services import record, snapshot
from luoshi.core import bulk, prepared
from luoshi.core.bounds import check_date, expected_or_current, parse_number
from luoshi.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from luoshi.core.evidence import discard, store_evidence, stored_path
from luoshi.core.limits import guard_text
from luoshi.core.prepared import Prepared, PreparedInsert, update_row
from luoshi.supervision import periods
from luoshi.supervision.access import require_unit_of
from luoshi.supervision.errors import SupervisionError
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Attachment,
    Colour,
    MissedReport,
    ProgressReport,
    ReportRevision,
    Task,
    TaskStatus,
    WarningThresholds,
)
from luoshi.supervision.services.common import (
    add_workdays,
    judge_task,
    judgement_fields,
    plan_thresholds,
    recolour,
)

REPORT_FIELDS = ["narrative", "percent", "actuals", "problems", "late"]

MAX_ATTACHMENTS_PER_REPORT = 10



# --- targets -----------------------------------------------------------------------------------------------
def target_achievement(target: Mapping[str, Any], actual: float | None) -> float | None:
    """Percent achieved of one numeric target: 1,800 of "新增返乡创业 ≥ 2500人" is 72%. For "≤" targets
    (compress to at most N) the target is met when the actual is at or under it."""
    try:
        goal = float(target.get("value"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if actual is None:
        return None
    op = str(target.get("op") or ">=")
    if op in ("<=", "<"):
        if actual <= goal:
            return 100.0
        return round(100.0 * goal / actual, 1) if actual > 0 else 100.0
    if goal <= 0:
        return 100.0 if actual >= goal else 0.0
    return round(100.0 * actual / goal, 1)


def _clean_actuals(task: Task, actuals: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    actuals = dict(actuals or {})
    known = {str(t.get("metric")) for t in task.targets}
    unknown = [k for k in actuals if k not in known]
    if unknown:
        raise ValidationFailed(f"指标“{unknown[0]}”不是该任务的量化目标,请核对指标名称。", code=SupervisionError.METRIC_UNKNOWN)
    for target in task.targets:
        metric = str(target.get("metric"))
        raw = actuals.get(metric)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        text = str(raw).replace(",", "").replace(",", "").strip()
        try:
            value = float(text)
        except (ValueError, OverflowError) as exc:
            raise ValidationFailed(f"指标“{metric}”的完成值“{str(raw)[:20]}”不是数字,请填写数字(如 1800)。", code=SupervisionError.METRIC_VALUE_INVALID) from exc
        if value < 0:
            raise ValidationFailed(f"指标“{metric}”的完成值不能为负数。", code=SupervisionError.METRIC_VALUE_INVALID)
        value = parse_number(value, label=f"指标“{metric}”的完成值", low=0)  # nan, inf, 1e308
        out.append(
            {
                "metric": metric,
                "value": value,
                "target": target.get("value"),
                "unit": target.get("unit", ""),
                "op": target.get("op", ">="),
                "achieved": target_achievement(target, value),
            }
        )
    return out


def task_target_progress(task: Task) -> list[dict[str, Any]]:
    """Each target with the sum of the latest actual reported by each assignment, and the share achieved."""
    latest: dict[int, list[dict[str, Any]]] = {}
    for row in (
        ProgressReport.objects.filter(task=task)
        .order_by("assignment_id", "-period_start")
        .values("assignment_id", "actuals")
    ):
        latest.setdefault(row["assignment_id"], row["actuals"] or [])
    out = []
    for target in task.targets:
        metric = str(target.get("metric"))
        values = [a["value"] for acts in latest.values() for a in acts if a.get("metric") == metric]
        actual = sum(values) if values else None
        out.append({**target, "actual": actual, "achieved": target_achievement(target, actual)})
    return out


# --- attachments ------------------------------------------------------------------------------------------
def store_attachment(
    *, report: ProgressReport, name: str, stream: IO[bytes] | Any, user: User | None
) -> Attachment:
    """Attach one evidence file to an existing report (pages and the API call this): only the staff of the
    report's unit, on an open task, within the per-report cap; checked, stored and audited in one
    transaction, and the file is removed again if the transaction rolls back."""
    from luoshi.supervision.access import require_see_task

    require_see_task(user, report.task)
    require_can_change(user)
    require_unit_of(user, report.assignment, action="上传佐证材料")
    if report.task.status not in LIVE_STATUSES:
        raise InvalidTransition("该任务已销号或已撤销,不能再补充佐证材料。", code=SupervisionError.TASK_CLOSED_FOR_EVIDENCE)
    row: Attachment | None = None
    try:
        with transaction.atomic():
            ProgressReport.objects.select_for_update().filter(pk=report.pk).first()
            if Attachment.objects.filter(report=report).count() >= MAX_ATTACHMENTS_PER_REPORT:
                raise ValidationFailed(
                    f"每份进展最多 {MAX_ATTACHMENTS_PER_REPORT} 个附件,请删除多余附件后再上传。",
                    code=SupervisionError.TOO_MANY_ATTACHMENTS,
                )
            row = _store_file(report=report, name=name, stream=stream, user=user)
    except BaseException:
        if row is not None:  # the row rolled back with the transaction: remove its file too
            attachment_path(row).unlink(missing_ok=True)
        raise
    return row


def _store_file(
    *, report: ProgressReport, name: str, stream: IO[bytes] | Any, user: User | None
) -> Attachment:
    """Check and store the file with the kernel's evidence rule, record the row (inside the caller's
    transaction and permission check)."""
    stored = store_evidence(area="supervision", name=name, stream=stream)
    try:
        row = Attachment.objects.create(
            report=report,
            original_name=stored.original_name,
            stored_name=stored.stored_name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by=user,
        )
        record(
            actor=user,
            action=SupervisionEvent.ATTACHMENT_UPLOADED,
            subject=row,
            after={"report": report.pk, "name": stored.original_name, "size": stored.size, "sha256": stored.sha256},
        )
    except BaseException:
        discard(stored)
        raise
    return row


def attachment_path(attachment: Attachment) -> Path:
    return stored_path(attachment.stored_name)


# --- filing ------------------------------------------------------------------------------------------------
def report_due_date(task: Task, period: periods.Period, grace: int | None = None) -> dt.date:
    if grace is None:
        grace = plan_thresholds(task.plan_id).report_grace_workdays
    return add_workdays(task.region, period.end, grace)


def periods_open_for(task: Task, today: dt.date) -> list[periods.Period]:
    """Periods a unit may file for now: from the period in which the task was published (none that ended
    before it) up to the current period, newest first."""
    current = periods.period_containing(task.reporting_cycle, today)
    first = periods.period_containing(
        task.reporting_cycle, max(task.start_date, task.reports_from or task.start_date)
    )
    out: list[periods.Period] = []
    period = current
    while period.start >= first.start and len(out) < 12:
        out.append(period)
        period = periods.previous_period(task.reporting_cycle, period)
    return out


@guard_text
@transaction.atomic
def report_file(
    *,
    assignment: Assignment,
    user: User | None,
    period_start: dt.date,
    narrative: str,
    percent: float,
    actuals: Mapping[str, Any] | None = None,
    problems: str = "",
    files: Sequence[tuple[str, Any]] = (),
    expected_version: int | None = None,
    today: dt.date | None = None,
    recolour_task: bool = True,
) -> ProgressReport:
    """File (or revise) the report of `assignment` for the period starting `period_start`.

    `files` is a list of (file name, stream). Only staff of the assignment's own unit may file. Revising an
    existing report needs its current version (`expected_version`); a stale version is refused (Conflict)."""
    require_can_change(user)
    require_unit_of(user, assignment)
    row = _locked_assignment(assignment.pk, period_start)
    if row is None:  # deleted meanwhile
        raise NotFound("未找到该分工,或它不属于您的单位。", code=SupervisionError.ASSIGNMENT_NOT_FOUND)
    return _file(
        row,
        user=user,
        period_start=period_start,
        narrative=narrative,
        percent=percent,
        actuals=actuals,
        problems=problems,
        files=files,
        expected_version=expected_version,
        today=today,
        recolour_task=recolour_task,
    )


@guard_text
@transaction.atomic
def report_file_for(
    *,
    user: User | None,
    task_id: int,
    assignment_id: int,
    period_start: dt.date,
    narrative: str,
    percent: float,
    actuals: Mapping[str, Any] | None = None,
    problems: str = "",
    files: Sequence[tuple[str, Any]] = (),
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> ProgressReport:
    """:func:`report_file` for a request naming a task and an assignment by id (the API, the pages, requests
    intake): the assignment, its unit, task (locked), region, thresholds and the calendar's version come in
    one statement; a unit filing its own assignment needs no further check. Every other case (another unit's
    assignment, a task the user may not see, an office or leader account) goes through the scoped selectors
    and gets the same refusal as before."""
    row = _locked_assignment(assignment_id, period_start)
    own = (
        row is not None
        and user is not None
        and is_staff_role(user)
        and own_unit(user, row)
        and row.active
        and row.task_id == task_id
    )
    if not own:
        from luoshi.supervision.selectors import assignment_get_for_filing, task_get

        task = task_get(user, task_id)
        found = assignment_get_for_filing(user, assignment_id)
        if found.task_id != task.pk:
            raise NotFound("未找到该分工,或它不属于您的单位。", code=SupervisionError.ASSIGNMENT_NOT_FOUND)
        require_can_change(user)
        require_unit_of(user, found)
        if row is None:  # pragma: no cover - found above, so it exists
            raise NotFound("未找到该分工,或它不属于您的单位。", code=SupervisionError.ASSIGNMENT_NOT_FOUND)
    return _file(
        row,  # type: ignore[arg-type]
        user=user,
        period_start=period_start,
        narrative=narrative,
        percent=percent,
        actuals=actuals,
        problems=problems,
        files=files,
        expected_version=expected_version,
        today=today,
        recolour_task=True,
    )


def _locked_assignment_query(assignment_id: int, period_start: dt.date) -> QuerySet[Assignment]:
    from luoshi.calendar.models import CalendarVersion

    return (
        Assignment.objects.select_related("unit", "task", "task__region", "task__plan__warning_thresholds")
        .defer("task__plan__source_text", "task__plan__summary")
        .select_for_update(of=("task",))
        .annotate(
            calendar_token=Subquery(CalendarVersion.objects.filter(pk=1).values("token")[:1]),
            missed_open=Exists(
                MissedReport.objects.filter(
                    assignment_id=OuterRef("pk"), period_start=period_start, resolved_at__isnull=True
                )
            ),
        )
        .filter(pk=assignment_id)
        .order_by()[:1]
    )


# the report's INSERT, compiled once per connection (ADR 0142). ON CONFLICT DO NOTHING on PostgreSQL; on SQLite
# INSERT OR IGNORE, which would also skip a NOT NULL or CHECK failure — every value is checked above, and a skip
# that no existing report explains is refused by `_revise` (Conflict), never stored half
_INSERT_REPORT = PreparedInsert(ProgressReport, ignore_conflicts=True)
# compiled once per connection: Django's compilation of this five-table SELECT was a third of a write's CPU
_LOCKED_ASSIGNMENT = Prepared(_locked_assignment_query, assignment_id=-7_654_321, period_start=dt.date(1901, 2, 3))


def _locked_assignment(assignment_id: int, period_start: dt.date) -> Assignment | None:
    """The assignment with its unit, its task locked (FOR UPDATE OF the task row: concurrent filings on one
    task run one after the other), the task's region and plan thresholds, the calendar's version token and
    whether a missed report of that period is open — one statement, compiled once (`core.prepared`)."""
    return _LOCKED_ASSIGNMENT.first(assignment_id=assignment_id, period_start=period_start)


def _file(
    row: Assignment,
    *,
    user: User | None,
    period_start: dt.date,
    narrative: str,
    percent: float,
    actuals: Mapping[str, Any] | None,
    problems: str,
    files: Sequence[tuple[str, Any]],
    expected_version: int | None,
    today: dt.date | None,
    recolour_task: bool,
) -> ProgressReport:
    """The filing itself, on a row from :func:`_locked_assignment` (its task locked). A new report costs five
    statements besides the audit (insert; the unit's percent and the siblings' sums in one UPDATE ... RETURNING;
    the task's percent, status and colour in one UPDATE), and the audit events come last, so the audit chain's
    lock is held only for the end of the transaction. A revision takes the general path."""
    from luoshi.calendar.services import calendar_for

    today = today or timezone.localdate()
    task = row.task
    if task.status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"任务当前状态为“{task.get_status_display()}”,无需再填报进展。"
            + ("如需补充材料,请联系营商办。" if task.status == TaskStatus.SIGN_OFF_REQUESTED else ""),
            code=SupervisionError.TASK_NOT_REPORTABLE,
        )
    check_date(period_start, label="填报周期开始日期")  # 9999-12-01 would overflow the period's end
    cycle = task.reporting_cycle
    if not periods.is_period_start(cycle, period_start):
        raise ValidationFailed(
            f"{period_start:%Y-%m-%d} 不是{task.get_reporting_cycle_display()}填报周期的开始日期,请从列表中选择填报周期。",
            code=SupervisionError.PERIOD_START_INVALID,
        )
    period = periods.period_containing(cycle, period_start)
    if period.start > today:
        raise ValidationFailed("不能为尚未开始的周期填报进展。", code=SupervisionError.PERIOD_NOT_STARTED)
    if period.end < periods.period_containing(cycle, task.start_date).start:
        raise ValidationFailed("该周期早于任务开始日期,无需填报。", code=SupervisionError.PERIOD_BEFORE_TASK)
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationFailed("请填写本周期的工作进展。", code=SupervisionError.PROGRESS_TEXT_MISSING)
    try:
        pct = float(percent)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("完成进度须为 0 到 100 之间的数字。", code=SupervisionError.PERCENT_INVALID) from exc
    if not 0 <= pct <= 100:
        raise ValidationFailed("完成进度须为 0 到 100 之间的数字。", code=SupervisionError.PERCENT_INVALID)
    if len(files) > MAX_ATTACHMENTS_PER_REPORT:
        raise ValidationFailed(f"每次最多上传 {MAX_ATTACHMENTS_PER_REPORT} 个附件。", code=SupervisionError.TOO_MANY_ATTACHMENTS)
    clean = _clean_actuals(task, actuals)
    thresholds_row = getattr(task.plan, "warning_thresholds", None)
    grace = (thresholds_row or WarningThresholds()).report_grace_workdays
    # (no version row yet reads as "", as current_token() does)
    calendar = calendar_for(task.region, token=row.calendar_token or "")  # type: ignore[attr-defined]
    due = calendar.add_workdays(period.end, grace).date
    problems = (problems or "").strip()
    now = timezone.now()
    late = today > due
    report = ProgressReport(
        assignment=row,
        task=task,
        unit=row.unit,
        period_start=period.start,
        period_end=period.end,
        narrative=narrative,
        percent=pct,
        actuals=clean,
        problems=problems,
        submitted_by=user,
        submitted_at=now,
        due_date=due,
        late=late,
        version=1,
    )
    # INSERT ... ON CONFLICT DO NOTHING RETURNING id, compiled once per connection (and prepared on PostgreSQL,
    # ADR 0142); no signals, as before (the tally is the database's trigger)
    if not _INSERT_REPORT.insert(report, save=False):  # this period has a report already: a revision
        return _revise(
            row,
            user=user,
            period=period,
            values={"narrative": narrative, "percent": pct, "actuals": clean, "problems": problems},
            files=files,
            expected_version=expected_version,
            today=today,
            recolour_task=recolour_task,
        )
    stored: list[Attachment] = []
    try:
        for name, stream in files:
            stored.append(_store_file(report=report, name=name, stream=stream, user=user))
    except BaseException:
        for a in stored:  # the transaction rolls back: do not leave orphan files behind
            attachment_path(a).unlink(missing_ok=True)
        raise
    # a new report has only the files stored just now: none (the API's case) needs no filtered queryset built
    attachments = Attachment.objects.filter(report=report) if stored else Attachment.objects.none()
    attachments._result_cache = stored  # type: ignore[attr-defined]
    attachments._prefetch_done = True  # type: ignore[attr-defined]
    report._prefetched_objects_cache = {"attachments": attachments}  # type: ignore[attr-defined]

    missed = task.missed_count
    if row.missed_open:  # type: ignore[attr-defined]
        MissedReport.objects.filter(
            assignment_id=row.pk, period_start=period.start, resolved_at__isnull=True
        ).update(resolved_at=now)
        missed = (
            MissedReport.objects.filter(task_id=task.pk, resolved_at__isnull=True)
            .values("period_start")
            .distinct()
            .count()
        )
    a_pct, weight, others_pw, others_w = _roll_up_assignment(row, today)
    own_w = max(weight, 0.0)
    total_w = others_w + own_w
    task_pct = round((others_pw + a_pct * own_w) / total_w if total_w else a_pct, 2)
    events: list[tuple[str, dict[str, Any] | None, dict[str, Any], str]] = [
        ("report.filed", None, snapshot(report, REPORT_FIELDS), f"{task.title[:60]} · {period.label()}")
    ]
    updates: dict[str, Any] = {"percent": task_pct, "missed_count": missed, "updated_at": now}
    if task.status in (TaskStatus.NOT_STARTED, TaskStatus.RETURNED):
        events.append(
            (
                "task.in_progress",
                {"status": task.status, "percent": task.percent},
                {"status": TaskStatus.IN_PROGRESS, "percent": task_pct},
                "责任单位报送进展,任务进入推进中",
            )
        )
        updates["status"] = TaskStatus.IN_PROGRESS
        updates["version"] = task.version + 1
    for name, value in updates.items():
        setattr(task, name, value)
    if recolour_task:
        verdict, limit = judge_task(
            task, today, thresholds_row=thresholds_row, calendar=calendar, unassigned=False
        )
        colour = Colour(verdict.colour.value)
        if colour != task.colour:
            events.append(
                ("task.colour_changed", {"colour": task.colour}, {"colour": str(colour)}, verdict.reason)
            )
            updates.update(colour=colour, colour_changed_on=today)
        updates.update(judgement_fields(task, verdict, limit, today))
        for name, value in updates.items():
            setattr(task, name, value)
    update_row(Task, task.pk, updates)  # the UPDATE compiled once per set of columns (core.prepared)
    for action, before, after, reason_text in events:
        subject: Any = report if action.startswith("report.") else task
        record(actor=user, action=action, subject=subject, before=before, after=after, reason=reason_text)
    return report


def _roll_up_assignment(row: Assignment, today: dt.date) -> tuple[float, float, float, float]:
    """The unit's percent becomes that of its latest report, in one UPDATE that also returns the unit's weight
    and the weighted sums of the task's other active assignments (read after the task's lock was taken, so a
    sibling's filing that just committed is counted)."""
    table = connection.ops.quote_name(Assignment._meta.db_table)
    reports = connection.ops.quote_name(ProgressReport._meta.db_table)
    latest = f"COALESCE((SELECT r.percent FROM {reports} r WHERE r.assignment_id = %s ORDER BY r.period_start DESC LIMIT 1), 0)"
    positive = "(CASE WHEN s.weight > 0 THEN s.weight ELSE 0 END)"
    others = f"FROM {table} s WHERE s.task_id = %s AND s.active = %s AND s.id <> %s"
    sql = (
        f"UPDATE {table} SET percent = {latest}, last_reported_on = %s, "
        f"status = CASE WHEN {latest} >= 100 THEN %s ELSE %s END WHERE id = %s "
        f"RETURNING percent, weight, "
        f"(SELECT COALESCE(SUM(s.percent * {positive}), 0) {others}), "
        f"(SELECT COALESCE(SUM({positive}), 0) {others})"
    )
    params = [
        row.pk,
        bulk.db_date(timezone.localdate()),
        row.pk,
        AssignmentStatus.DONE,
        AssignmentStatus.IN_PROGRESS,
        row.pk,
        row.task_id,
        True,
        row.pk,
        row.task_id,
        True,
        row.pk,
    ]
    with prepared.cursor() as cursor:  # parsed and planned once per connection on PostgreSQL (ADR 0142)
        cursor.execute(sql, params)
        a_pct, weight, others_pw, others_w = cursor.fetchone()
    row.percent = float(a_pct)
    return float(a_pct), float(weight), float(others_pw), float(others_w)


def _revise(
    row: Assignment,
    *,
    user: User | None,
    period: periods.Period,
    values: dict[str, Any],
    files: Sequence[tuple[str, Any]],
    expected_version: int | None,
    today: dt.date,
    recolour_task: bool,
) -> ProgressReport:
    """A new version of the report of an assignment for a period that has one (checked against `version`)."""
    task = row.task
    existing = (
        ProgressReport.objects.select_for_update().filter(assignment=row, period_start=period.start).first()
    )
    if existing is None:  # pragma: no cover - the insert just conflicted on it
        raise Conflict("该期进展已被他人修改,请刷新后重试。", code=SupervisionError.REPORT_EDITED_ELSEWHERE)
    version = expected_or_current(expected_version, existing.version)
    before = snapshot(existing, REPORT_FIELDS)
    # a second report for the same period is a new version: the one it replaces is kept and shown
    ReportRevision.objects.create(
        report=existing,
        version=existing.version,
        narrative=existing.narrative,
        percent=existing.percent,
        actuals=existing.actuals,
        problems=existing.problems,
        submitted_by_id=existing.submitted_by_id,
        submitted_at=existing.submitted_at,
    )
    values["late"] = existing.late  # a revision does not change when the report first came
    n = ProgressReport.objects.filter(pk=existing.pk, version=version).update(
        version=F("version") + 1, submitted_by=user, submitted_at=timezone.now(), **values
    )
    if n == 0:
        raise Conflict("该期进展已被他人修改,请刷新后重试。", code=SupervisionError.REPORT_EDITED_ELSEWHERE)
    report = ProgressReport.objects.get(pk=existing.pk)
    record(
        actor=user,
        action=SupervisionEvent.REPORT_REVISED,
        subject=report,
        before=before,
        after=snapshot(report, REPORT_FIELDS),
    )
    stored: list[Attachment] = []
    try:
        for name, stream in files:
            stored.append(store_attachment(report=report, name=name, stream=stream, user=user))
    except BaseException:
        for a in stored:  # the transaction rolls back: do not leave orphan files behind
            attachment_path(a).unlink(missing_ok=True)
        raise
    resolved = MissedReport.objects.filter(
        assignment=row, period_start=period.start, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())
    _roll_up(task, row, user, resolved=bool(resolved))
    if recolour_task:
        task.refresh_from_db()
        recolour(task, actor=user, today=today)
    return report


def due_period(task: Task, assignment: Assignment, today: dt.date) -> periods.Period | None:
    """The period whose report is due now: the latest ended period this unit has not reported (reports are
    due after a period ends), else the current one."""
    open_periods = periods_open_for(task, today)
    reported = set(
        ProgressReport.objects.filter(assignment=assignment).values_list("period_start", flat=True)
    )
    for p in open_periods:
        if p.end < today and p.start not in reported:
            return p
    return open_periods[0] if open_periods else None


def rollup_explanation(task: Task, assignments: Sequence[Assignment]) -> str:
    """How the task's percentage is rolled up, in words, with the figures."""
    active = [a for a in assignments if a.active]
    if task.status == TaskStatus.SIGNED_OFF:
        return "任务已销号,完成进度计为100%;各单位最后一次报送的进度保留在下方进展记录中。"
    if not active:
        return "尚未指定责任单位,暂无进度。"
    total_w = sum(max(a.weight, 0.0) for a in active)
    parts = "、".join(
        f"{'牵头' if a.is_lead else '配合'}单位{a.unit.name}{a.percent:.0f}%(权重{a.weight:g})"
        for a in active
    )
    head = (
        "完成进度 = 各责任单位最近一次报送进度的加权平均"
        f"(权重为0的单位不计入):{parts},合计 {task.percent:.0f}%。"
        if total_w
        else f"各单位权重均为0,完成进度取最近报送单位的进度:{parts}。"
    )
    if task.targets:
        head += "量化目标另按各单位报送的完成值合计,对照目标值计算完成率。"
    return head


def _roll_up(task: Task, assignment: Assignment, user: User | None, *, resolved: bool) -> None:
    latest = (
        ProgressReport.objects.filter(assignment=assignment)
        .order_by("-period_start")
        .values("percent", "period_start")
        .first()
    )
    a_pct = float(latest["percent"]) if latest else 0.0
    Assignment.objects.filter(pk=assignment.pk).update(
        percent=a_pct,
        last_reported_on=timezone.localdate(),
        status=AssignmentStatus.DONE if a_pct >= 100 else AssignmentStatus.IN_PROGRESS,
    )
    rows = list(Assignment.objects.filter(task=task, active=True).values_list("percent", "weight"))
    total_w = sum(max(w, 0.0) for _, w in rows) or 0.0
    pct = sum(p * max(w, 0.0) for p, w in rows) / total_w if total_w else a_pct
    missed = (
        MissedReport.objects.filter(task=task, resolved_at__isnull=True)
        .values("period_start")
        .distinct()
        .count()
    )
    updates: dict[str, Any] = {"percent": round(pct, 2), "missed_count": missed}
    before = {"status": task.status, "percent": task.percent}
    if task.status in (TaskStatus.NOT_STARTED, TaskStatus.RETURNED):
        updates["status"] = TaskStatus.IN_PROGRESS
        updates["version"] = F("version") + 1
    Task.objects.filter(pk=task.pk).update(updated_at=timezone.now(), **updates)
    if "status" in updates:
        record(
            actor=user,
            action=SupervisionEvent.TASK_IN_PROGRESS,
            subject=task,
            before=before,
            after={"status": TaskStatus.IN_PROGRESS, "percent": updates["percent"]},
            reason="责任单位报送进展,任务进入推进中",
        )


@transaction.atomic
def assignment_set_weights(*, task: Task, user: User | None, weights: Mapping[int, float]) -> None:
    """Office sets how much each unit's part counts in the task's progress (assignment id -> weight)."""
    from luoshi.supervision.access import require_office

    require_can_change(user)
    require_office(user, task, action="设置分工权重")
    rows = {a.pk: a for a in Assignment.objects.filter(task=task)}
    for aid, w in weights.items():
        if aid not in rows:
            raise ValidationFailed("分工不属于该任务。", code=SupervisionError.ASSIGNMENT_NOT_OF_TASK)
        if w < 0 or w > 100:
            raise ValidationFailed("权重须在 0 到 100 之间。", code=SupervisionError.WEIGHT_INVALID)
    for aid, w in weights.items():
        before = {"weight": rows[aid].weight}
        Assignment.objects.filter(pk=aid).update(weight=float(w))
        record(
            actor=user,
            action=SupervisionEvent.ASSIGNMENT_WEIGHT_CHANGED,
            subject=rows[aid],
            before=before,
            after={"weight": float(w)},
        )
    agg = Assignment.objects.filter(task=task, active=True).aggregate(w=Sum("weight"))
    if not agg["w"]:
        raise ValidationFailed("至少一个单位的权重须大于 0。", code=SupervisionError.WEIGHTS_ALL_ZERO)
    total = agg["w"]
    pct = sum(a.percent * a.weight for a in Assignment.objects.filter(task=task, active=True)) / total
    Task.objects.filter(pk=task.pk).update(percent=round(pct, 2))
