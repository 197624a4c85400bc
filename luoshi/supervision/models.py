"""Supervision (督查督办): tasks made from published measures, one assignment per responsible unit, periodic
progress reports with evidence, missed reports, red/yellow/green colours, notifications, 督办 notices,
per-plan warning thresholds and the record of each daily sweep.

No logic here beyond labels: every write goes through luoshi.supervision.services.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from luoshi.calendar.deadlines import Colour
from luoshi.plans.models import ReportingCycle


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    SIGN_OFF_REQUESTED = "sign_off_requested", "申请销号"
    SIGNED_OFF = "signed_off", "已销号"
    RETURNED = "returned", "退回"
    CANCELLED = "cancelled", "已撤销"


# Statuses in which units still owe periodic reports and the sweep colours the task.
OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
LIVE_STATUSES = (*OPEN_STATUSES, TaskStatus.SIGN_OFF_REQUESTED)


class Task(models.Model):
    # plan and region are indexed as the leading columns of task_plan_seq_idx and task_ledger_idx: no
    # separate foreign-key indexes (every index is written again when the sweep recolours a task)
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.PROTECT, related_name="tasks", verbose_name="行动方案", db_index=False
    )
    measure = models.OneToOneField(
        "plans.Measure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="task",
        verbose_name="举措",
    )
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区域", db_index=False
    )
    seq = models.PositiveIntegerField("序号", default=0)
    path = models.JSONField("所属章节", default=list, blank=True)
    title = models.CharField("任务名称", max_length=300)
    text = models.TextField("任务内容", blank=True)
    lead_units_text = models.CharField("牵头单位", max_length=500, blank=True)
    co_units_text = models.CharField("责任单位", max_length=500, blank=True)
    start_date = models.DateField("起始日期")
    reports_from = models.DateField(
        "开始填报日期",
        null=True,
        blank=True,
        help_text="periods starting before this day owe no report (the publish date)",
    )
    deadline = models.DateField("完成时限", null=True, blank=True)
    ongoing = models.BooleanField("长期坚持", default=False)
    reporting_cycle = models.CharField("填报周期", max_length=20, choices=ReportingCycle.choices)
    cycle_overridden = models.BooleanField("单独设置填报周期", default=False)
    targets = models.JSONField("量化目标", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=24, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    percent = models.FloatField("完成进度", default=0)
    colour = models.CharField("预警", max_length=8, choices=Colour.choices(), default=Colour.NONE, blank=True)
    colour_changed_on = models.DateField("预警变更日期", null=True, blank=True)
    # The figures behind the colour (ADR 0095): which rules held (luoshi.calendar.deadlines.Reason bits), the
    # yellow window then in force and the day they were judged; the reason text is rendered from them and from
    # the working days of the day it is shown (luoshi.supervision.reasons), so no sweep rewrites a reason
    # because a day passed.
    colour_flags = models.PositiveSmallIntegerField("预警依据", default=0)
    colour_limit = models.PositiveSmallIntegerField("预警期(工作日)", default=15)
    colour_judged_on = models.DateField("预警研判日期", null=True, blank=True)
    missed_count = models.PositiveIntegerField("未按期报送次数", default=0)
    returns_count = models.PositiveIntegerField("退回次数", default=0)
    last_return_reason = models.TextField("最近退回原因", blank=True)
    sign_off_evidence = models.TextField("销号说明", blank=True)
    sign_off_requested_at = models.DateTimeField("申请销号时间", null=True, blank=True)
    # Who requested / approved / signed off: shown, never searched by; unindexed so the sweep's colour UPDATE
    # maintains fewer indexes (users are deactivated, not deleted, so PROTECT never scans for them).
    sign_off_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="初审人",
        db_index=False,
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="销号人",
        db_index=False,
    )
    signed_off_at = models.DateTimeField("销号时间", null=True, blank=True)
    signed_off_on = models.DateField("销号日期", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="optimistic-concurrency counter")

    class Meta:
        verbose_name = "督办任务"
        verbose_name_plural = "督办任务"
        ordering = ["plan_id", "seq", "id"]
        indexes = [
            # No index holds the colour columns: the sweep's recolouring then touches no index at all (on
            # PostgreSQL a heap-only update, helped by the table's fillfactor, migration 0006); colour filters
            # read the rows of one region and status, found by this index.
            models.Index(fields=["region", "status"], name="task_region_status_idx"),
            models.Index(fields=["plan", "seq"], name="task_plan_seq_idx"),
            models.Index(fields=["status", "deadline"], name="task_sweep_idx"),
            # the sweep's missed-report scan: the open tasks of one cycle, read from the index alone
            models.Index(
                fields=["reporting_cycle", "region", "status", "start_date", "reports_from"],
                name="task_cycle_idx",
            ),
            # the scoreboard joins 150k assignments to their task: read these columns from the index alone
            models.Index(
                fields=["id", "region", "status", "ongoing", "deadline", "signed_off_on"],
                name="task_score_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def colour_reason(self) -> str:
        """预警原因 as of today, rendered from the stored figures (read-only; luoshi.supervision.reasons)."""
        from luoshi.supervision import reasons

        return reasons.reason_of(self)

    def reason_on(self, day: dt.date) -> str:
        """预警原因 as of `day`."""
        from luoshi.supervision import reasons

        return reasons.reason_of(self, day)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        """逾期 is derived: past the deadline and not yet signed off (ongoing tasks never are)."""
        today = today or timezone.localdate()
        return (
            not self.ongoing
            and self.deadline is not None
            and self.deadline < today
            and self.status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
        )


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    DONE = "done", "已完成"


class Assignment(models.Model):
    """One unit's part of a task: the lead unit(s) and each co-unit report their own progress."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="assignments", verbose_name="单位"
    )
    is_lead = models.BooleanField("牵头", default=False)
    weight = models.FloatField("权重", default=1.0)
    percent = models.FloatField("本单位进度", default=0)
    status = models.CharField(
        "本单位状态", max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.NOT_STARTED
    )
    active = models.BooleanField("有效", default=True)
    last_reported_on = models.DateField("最近填报", null=True, blank=True)

    class Meta:
        verbose_name = "任务分工"
        verbose_name_plural = "任务分工"
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="assignment_unique_unit")]
        indexes = [
            models.Index(fields=["unit", "active"], name="assignment_unit_idx"),
            # the ledger's unit filter and 我的任务 read only current assignments of one unit: (unit, task) of the
            # active rows answers both from the index alone
            models.Index(fields=["unit", "task"], condition=models.Q(active=True), name="assignment_unit_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}·{self.unit_id}"


class ProgressReport(models.Model):
    """进展填报: one per assignment per reporting period."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    narrative = models.TextField("工作进展")
    percent = models.FloatField("完成进度")
    actuals = models.JSONField("指标完成值", default=list, blank=True)
    problems = models.TextField("需协调解决的问题", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", default=timezone.now)
    due_date = models.DateField("报送截止", null=True, blank=True)
    late = models.BooleanField("逾期报送", default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "进展填报"
        verbose_name_plural = "进展填报"
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period_start"], name="report_unique_period")
        ]
        indexes = [
            models.Index(fields=["task", "period_start"], name="report_task_idx"),
            models.Index(fields=["unit", "period_start"], name="report_unit_idx"),
            models.Index(fields=["due_date", "unit", "late"], name="report_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}~{self.period_end:%Y-%m-%d}"


class Attachment(models.Model):
    """Evidence for a report, stored under settings.FILES_DIR (never under a web root)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField("文件名", max_length=255)
    stored_name = models.CharField(max_length=255, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return self.original_name


class MissedReport(models.Model):
    """A report that was due and did not come: a recorded fact (resolved when a late report is filed).

    Rows are inserted only by the sweep's INSERT ... SELECT from the active assignments themselves, so their
    references exist by construction; the database keeps no foreign-key constraints on them (ADR 0125: the
    deferred per-row checks of a first sweep's 66,000 rows cost 1.2–2 s on PostgreSQL at commit). CASCADE and
    PROTECT are Django's (its collector), as for every delete through the ORM."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="missed", db_constraint=False
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="missed", db_constraint=False)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField("报送截止")
    detected_on = models.DateField("发现日期")
    resolved_at = models.DateTimeField("补报时间", null=True, blank=True)

    class Meta:
        verbose_name = "未按期报送"
        verbose_name_plural = "未按期报送"
        constraints = [
            models.UniqueConstraint(fields=["assignment", "period_start"], name="missed_unique_period")
        ]
        indexes = [
            models.Index(fields=["task", "resolved_at"], name="missed_task_idx"),
            models.Index(fields=["unit", "due_date"], name="missed_unit_idx"),
            # the open ones (a small part of all once reports are filed late): the sweep's count of open missed
            # reports per task reads this index alone, not the table (migration 0012)
            models.Index(
                fields=["task", "period_start"],
                condition=models.Q(resolved_at__isnull=True),
                name="missed_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}@{self.period_start}"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", "催办:即将到期"
    MISSED = "missed", "催办:未按期报送"
    COLOUR = "colour", "预警变化"
    NOTICE = "notice", "督办单"
    RETURNED = "returned", "销号退回"
    SIGNED_OFF = "signed_off", "已销号"
    SIGN_OFF_REQUEST = "sign_off_request", "申请销号待审核"
    ASSIGNED = "assigned", "任务分配"
    ESCALATED = "escalated", "督办到期仍未整改(通报)"
    INSTRUCTION = "instruction", "领导批示"
    PROPOSAL = "proposal", "建议督办"


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", "已下发"
    ANSWERED = "answered", "已回复"
    CLOSED = "closed", "已办结"


class SupervisionNotice(models.Model):
    """督办单: a formal notice from the office to a unit, with items and a reply deadline."""

    number = models.CharField("编号", max_length=60, unique=True)
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="notices", verbose_name="督办单位"
    )
    tasks = models.ManyToManyField(Task, related_name="notices", blank=True)
    items = models.JSONField("督办事项", default=list)
    requirement = models.TextField("督办要求", blank=True)
    reply_deadline = models.DateField("回复期限")
    status = models.CharField(max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED)
    answer = models.TextField("办理情况", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    escalated_on = models.DateField(
        "通报日期",
        null=True,
        blank=True,
        help_text="still red after the reply deadline: 通报 and the leader told",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "serial"], name="notice_unique_serial")
        ]
        indexes = [models.Index(fields=["unit", "status"], name="notice_unit_idx")]

    def __str__(self) -> str:
        return self.number


class WarningThresholds(models.Model):
    """Per-plan warning configuration (see luoshi.supervision.rules for what each number means)."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="warning_thresholds")
    yellow_window_workdays = models.PositiveIntegerField("黄灯预警期(工作日)", default=15)
    lag_tolerance = models.FloatField("允许落后序时进度(百分点)", default=0)
    yellow_missed_reports = models.PositiveIntegerField("黄灯:未按期报送次数", default=1)
    red_missed_reports = models.PositiveIntegerField("红灯:未按期报送次数", default=2)
    red_returns = models.PositiveIntegerField("红灯:退回次数", default=2)
    report_grace_workdays = models.PositiveIntegerField("周期结束后报送期限(工作日)", default=3)
    remind_before_workdays = models.PositiveIntegerField("提前催报(工作日)", default=2)
    require_second_signoff = models.BooleanField("销号需两人审核", default=False)
    # 督办 rules: the sweep proposes a 督办单 for a task red this many working days, or with this many missed
    # reports (0 = that rule is off); the office confirms each proposal
    notice_red_workdays = models.PositiveIntegerField("建议督办:持续红灯(工作日)", default=5)
    notice_missed_reports = models.PositiveIntegerField("建议督办:未按期报送次数", default=3)
    notice_reply_workdays = models.PositiveIntegerField("督办单回复期限(工作日)", default=5)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "预警阈值"
        verbose_name_plural = "预警阈值"

    def __str__(self) -> str:
        return f"thresholds of plan {self.plan_id}"


class SweepRun(models.Model):
    """One run of the daily sweep for a date (re-runs update the same row)."""

    date = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = "预警扫描"
        verbose_name_plural = "预警扫描"
        ordering = ["-date"]

    def __str__(self) -> str:
        return str(self.date)


class ReviewDecision(models.TextChoices):
    FIRST_APPROVED = "first_approved", "初审同意"
    SIGNED_OFF = "signed_off", "同意销号"
    RETURNED = "returned", "退回"


class Review(models.Model):
    """One decision of the office on a completion request (kept for the history and the scoreboards)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=16, choices=ReviewDecision.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "销号审核"
        verbose_name_plural = "销号审核"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["decision", "at"], name="review_decision_idx")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.decision}"


class ReportRevision(models.Model):
    """An earlier version of a progress report: a second report for the same period is a new version, and the
    one it replaced is kept here (shown on the task page), never silently overwritten."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField("版本")
    narrative = models.TextField("工作进展")
    percent = models.FloatField("完成进度")
    actuals = models.JSONField("指标完成值", default=list, blank=True)
    problems = models.TextField("需协调解决的问题", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        verbose_name = "填报历史版本"
        verbose_name_plural = "填报历史版本"
        ordering = ["report_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["report", "version"], name="report_revision_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.version}"


class Instruction(models.Model):
    """领导批示: a leader's instruction on a task, recorded on the task and sent to its units."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="instructions")
    text = models.TextField("批示内容")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.text[:20]}"


class ScoreStamp(models.Model):
    """One row: a counter that database triggers (migration 0010) raise on every change of what the scoreboard's
    task figures read — a task's status, deadline, 长期坚持 flag, sign-off date, region, plan; an assignment's
    unit, task, lead flag or activity — whatever writes it (service, admin, raw SQL). A snapshot taken at one
    value is exact while the counter keeps it. Progress, colours and reasons do not raise it."""

    n = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "排名数据版本"
        verbose_name_plural = "排名数据版本"

    def __str__(self) -> str:
        return str(self.n)


class ScoreSnapshot(models.Model):
    """The scoreboard's per-unit task figures (held, due, done on time, overdue) for one period, plan and
    reference day, grouped by unit and task region, as of one ScoreStamp value: the sweep takes the current
    month's after its writes; a page that finds none at the current stamp aggregates once and keeps it."""

    key = models.CharField(max_length=80, unique=True)
    stamp = models.BigIntegerField()
    rows = models.JSONField(default=list)  # [[unit_id, region_id, held, due, done, overdue], ...]
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "排名快照"
        verbose_name_plural = "排名快照"

    def __str__(self) -> str:
        return self.key


class ReportTally(models.Model):
    """The scoreboard's report figures per unit, month of the due date and shard: progress reports filed, filed on
    time, and missed reports still open. Kept by database triggers on both report tables (migration 0014; SQLite
    row triggers, PostgreSQL statement triggers over the transition tables), whatever writes them, so a page
    sums a few hundred rows instead of grouping a month of reports. The shard (the report's id mod SHARDS) spreads
    one unit's month over several rows, so concurrent writes of one unit rarely wait on the same counter row."""

    SHARDS = 4

    unit_id = models.BigIntegerField()
    month = models.DateField()  # the first day of the due date's month
    shard = models.SmallIntegerField()
    filed = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    missed = models.IntegerField(default=0)

    class Meta:
        verbose_name = "报送计数"
        verbose_name_plural = "报送计数"
        constraints = [
            models.UniqueConstraint(fields=["month", "unit_id", "shard"], name="report_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.month}:{self.shard}"

