"""Progress reports (进展填报): one per assignment per reporting period, with target actuals and evidence.

Filing rolls the unit's percent up to the task (weighted by assignment weights), moves a 未启动/退回 task
to 推进中, resolves a missed report for that period (a late report is still recorded as late), and
recolours the task.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from luoshi.accounts.access import require_can_change
from luoshi.accounts.models import User
from luoshi.audit.services import record, snapshot
from luoshi.core.errors import Conflict, InvalidTransition, ValidationFailed
from luoshi.supervision import periods
from luoshi.supervision.access import require_unit_of
from luoshi.supervision.events import SupervisionEvent
from luoshi.supervision.models import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Attachment,
    MissedReport,
    ProgressReport,
    Task,
    TaskStatus,
)
from luoshi.supervision.services.common import add_workdays, plan_thresholds, recolour

REPORT_FIELDS = ["narrative", "percent", "actuals", "problems", "late"]

# Evidence types: extension -> (content type, accepted leading bytes). Office files are zip (OOXML) or OLE.
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    "ofd": ("application/ofd", (b"PK\x03\x04",)),
    "zip": ("application/zip", (b"PK\x03\x04",)),
}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS_PER_REPORT = 10


def max_attachment_bytes() -> int:
    return min(MAX_ATTACHMENT_BYTES, int(getattr(settings, "LUOSHI_MAX_UPLOAD_BYTES", MAX_ATTACHMENT_BYTES)))


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
        raise ValidationFailed(f"指标“{unknown[0]}”不是该任务的量化目标,请核对指标名称。")
    for target in task.targets:
        metric = str(target.get("metric"))
        raw = actuals.get(metric)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            value = float(str(raw).replace(",", "").replace(",", "").strip())
        except ValueError as exc:
            raise ValidationFailed(f"指标“{metric}”的完成值“{raw}”不是数字,请填写数字(如 1800)。") from exc
        if value < 0:
            raise ValidationFailed(f"指标“{metric}”的完成值不能为负数。")
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
def _sniff_ok(ext: str, head: bytes) -> bool:
    return any(head.startswith(sig) for sig in ALLOWED_TYPES[ext][1])


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
        raise InvalidTransition("该任务已销号或已撤销,不能再补充佐证材料。")
    row: Attachment | None = None
    try:
        with transaction.atomic():
            ProgressReport.objects.select_for_update().filter(pk=report.pk).first()
            if Attachment.objects.filter(report=report).count() >= MAX_ATTACHMENTS_PER_REPORT:
                raise ValidationFailed(
                    f"每份进展最多 {MAX_ATTACHMENTS_PER_REPORT} 个附件,请删除多余附件后再上传。"
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
    """Check type (extension and content) and size, store under FILES_DIR/supervision, record the row
    (inside the caller's transaction and permission check)."""
    base = Path(name or "").name.strip() or "附件"
    ext = base.rsplit(".", 1)[-1].lower() if "." in base else ""
    if ext not in ALLOWED_TYPES:
        allowed = "、".join(sorted(ALLOWED_TYPES))
        raise ValidationFailed(f"附件“{base}”的类型不允许上传;请上传 {allowed} 格式的文件。")
    limit = max_attachment_bytes()
    declared = getattr(stream, "size", None)
    if declared is not None and declared > limit:
        raise ValidationFailed(f"附件“{base}”超过大小上限 {limit // (1024 * 1024)} MB,请压缩后再上传。")
    now = timezone.now()
    rel = Path("supervision") / f"{now:%Y}" / f"{now:%m}" / f"{uuid.uuid4().hex}.{ext}"
    target = Path(settings.FILES_DIR) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    chunks: Iterable[bytes] = (
        stream.chunks() if hasattr(stream, "chunks") else iter(lambda: stream.read(65536), b"")
    )
    try:
        with open(target, "xb") as fh:
            for chunk in chunks:
                if len(head) < 16:
                    head = (head + chunk)[:16]
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(
                        f"附件“{base}”超过大小上限 {limit // (1024 * 1024)} MB,请压缩后再上传。"
                    )
                digest.update(chunk)
                fh.write(chunk)
        if size == 0:
            raise ValidationFailed(f"附件“{base}”是空文件,请重新选择。")
        if not _sniff_ok(ext, head):
            raise ValidationFailed(f"附件“{base}”的内容与扩展名 .{ext} 不符,请上传真实的 {ext} 文件。")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    row = Attachment.objects.create(
        report=report,
        original_name=base[:255],
        stored_name=str(rel),
        content_type=ALLOWED_TYPES[ext][0],
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    record(
        actor=user,
        action=SupervisionEvent.ATTACHMENT_UPLOADED,
        subject=row,
        after={"report": report.pk, "name": base, "size": size, "sha256": row.sha256},
    )
    return row


def attachment_path(attachment: Attachment) -> Path:
    root = Path(settings.FILES_DIR).resolve()
    path = (root / attachment.stored_name).resolve()
    if not path.is_relative_to(root):
        raise ValidationFailed("附件路径无效。")
    return path


# --- filing ------------------------------------------------------------------------------------------------
def report_due_date(task: Task, period: periods.Period, grace: int | None = None) -> dt.date:
    if grace is None:
        grace = plan_thresholds(task.plan_id).report_grace_workdays
    return add_workdays(task.region, period.end, grace)


def periods_open_for(task: Task, today: dt.date) -> list[periods.Period]:
    """Periods a unit may file for now: from the task's start up to the current period, newest first."""
    current = periods.period_containing(task.reporting_cycle, today)
    first = periods.period_containing(task.reporting_cycle, task.start_date)
    out: list[periods.Period] = []
    period = current
    while period.start >= first.start and len(out) < 12:
        out.append(period)
        period = periods.previous_period(task.reporting_cycle, period)
    return out


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
    today = today or timezone.localdate()
    task = Task.objects.select_for_update().get(pk=assignment.task_id)
    if task.status not in OPEN_STATUSES:
        raise InvalidTransition(
            f"任务当前状态为“{task.get_status_display()}”,无需再填报进展。"
            + ("如需补充材料,请联系营商办。" if task.status == TaskStatus.SIGN_OFF_REQUESTED else "")
        )
    cycle = task.reporting_cycle
    if not periods.is_period_start(cycle, period_start):
        raise ValidationFailed(
            f"{period_start:%Y-%m-%d} 不是{task.get_reporting_cycle_display()}填报周期的开始日期,请从列表中选择填报周期。"
        )
    period = periods.period_containing(cycle, period_start)
    if period.start > today:
        raise ValidationFailed("不能为尚未开始的周期填报进展。")
    if period.end < periods.period_containing(cycle, task.start_date).start:
        raise ValidationFailed("该周期早于任务开始日期,无需填报。")
    narrative = (narrative or "").strip()
    if not narrative:
        raise ValidationFailed("请填写本周期的工作进展。")
    try:
        pct = float(percent)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed("完成进度须为 0 到 100 之间的数字。") from exc
    if not 0 <= pct <= 100:
        raise ValidationFailed("完成进度须为 0 到 100 之间的数字。")
    if len(files) > MAX_ATTACHMENTS_PER_REPORT:
        raise ValidationFailed(f"每次最多上传 {MAX_ATTACHMENTS_PER_REPORT} 个附件。")
    clean = _clean_actuals(task, actuals)
    due = report_due_date(task, period)
    late = today > due
    existing = (
        ProgressReport.objects.select_for_update()
        .filter(assignment=assignment, period_start=period.start)
        .first()
    )
    values = {
        "narrative": narrative,
        "percent": pct,
        "actuals": clean,
        "problems": (problems or "").strip(),
        "late": late,
    }
    if existing is None:
        report = ProgressReport.objects.create(
            assignment=assignment,
            task=task,
            unit_id=assignment.unit_id,
            period_start=period.start,
            period_end=period.end,
            submitted_by=user,
            due_date=due,
            **values,
        )
        record(
            actor=user,
            action=SupervisionEvent.REPORT_FILED,
            subject=report,
            after=snapshot(report, REPORT_FIELDS),
            reason=f"{task.title[:60]} · {period.label()}",
        )
    else:
        version = existing.version if expected_version is None else expected_version
        before = snapshot(existing, REPORT_FIELDS)
        values["late"] = existing.late  # a revision does not change when the report first came
        n = ProgressReport.objects.filter(pk=existing.pk, version=version).update(
            version=F("version") + 1, submitted_by=user, submitted_at=timezone.now(), **values
        )
        if n == 0:
            raise Conflict("该期进展已被他人修改,请刷新后重试。")
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
            stored.append(_store_file(report=report, name=name, stream=stream, user=user))
    except BaseException:
        for row in stored:  # the transaction rolls back: do not leave orphan files behind
            attachment_path(row).unlink(missing_ok=True)
        raise
    resolved = MissedReport.objects.filter(
        assignment=assignment, period_start=period.start, resolved_at__isnull=True
    ).update(resolved_at=timezone.now())
    _roll_up(task, assignment, user, resolved=bool(resolved))
    if recolour_task:
        task.refresh_from_db()
        recolour(task, actor=user, today=today)
    return report


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
            raise ValidationFailed("分工不属于该任务。")
        if w < 0 or w > 100:
            raise ValidationFailed("权重须在 0 到 100 之间。")
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
        raise ValidationFailed("至少一个单位的权重须大于 0。")
    total = agg["w"]
    pct = sum(a.percent * a.weight for a in Assignment.objects.filter(task=task, active=True)) / total
    Task.objects.filter(pk=task.pk).update(percent=round(pct, 2))
