"""Action plans (行动方案) and the measures (举措) extracted from them.

A plan is imported as a draft, its measures reviewed, then published: publishing turns each measure into
a supervised task (see luoshi.supervision). Re-importing a revised plan creates a new revision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PlanKind(models.TextChoices):
    PLAN = "plan", "行动方案"
    INTERPRETATION = "interpretation", "政策解读"
    NEWS = "news", "新闻报道"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "已发布"
    ARCHIVED = "archived", "已归档"


class ReportingCycle(models.TextChoices):
    WEEKLY = "weekly", "每周"
    BIWEEKLY = "biweekly", "双周"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"


class Plan(models.Model):
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="plans", verbose_name="区域"
    )
    title = models.CharField("方案名称", max_length=300)
    kind = models.CharField("文件类型", max_length=20, choices=PlanKind.choices, default=PlanKind.PLAN)
    status = models.CharField("状态", max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    year = models.PositiveIntegerField("方案年度", null=True, blank=True)
    issuer = models.CharField("发文单位", max_length=200, blank=True)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    reporting_cycle = models.CharField(
        "填报周期", max_length=20, choices=ReportingCycle.choices, default=ReportingCycle.MONTHLY
    )
    source_name = models.CharField("来源文件名", max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    source_text = models.TextField("原文", blank=True)
    summary = models.JSONField("文件概要", default=dict, blank=True)
    revision = models.PositiveIntegerField("版本", default=1)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        verbose_name="上一版本",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="optimistic-concurrency counter")

    class Meta:
        verbose_name = "行动方案"
        verbose_name_plural = "行动方案"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Measure(models.Model):
    """One measure of a plan as extracted and reviewed: the row of the ledger (任务清单)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="measures")
    seq = models.PositiveIntegerField("序号")
    path = models.JSONField("所属章节", default=list, blank=True)
    title = models.CharField("标题", max_length=300, blank=True)
    text = models.TextField("举措内容")
    lead_units_text = models.JSONField("牵头单位(原文)", default=list, blank=True)
    co_units_text = models.JSONField("责任单位(原文)", default=list, blank=True)
    lead_units = models.ManyToManyField("orgs.Unit", blank=True, related_name="led_measures")
    co_units = models.ManyToManyField("orgs.Unit", blank=True, related_name="co_measures")
    unresolved_units = models.JSONField("未识别单位", default=list, blank=True)
    suggested_units = models.JSONField("建议牵头单位", default=list, blank=True)
    deadline = models.DateField("完成时限", null=True, blank=True)
    deadline_phrase = models.CharField("时限原文", max_length=200, blank=True)
    ongoing = models.BooleanField("长期坚持", default=False)
    phases = models.JSONField("阶段时限", default=list, blank=True)
    targets = models.JSONField("量化目标", default=list, blank=True)
    span_start = models.PositiveIntegerField(null=True, blank=True)
    span_end = models.PositiveIntegerField(null=True, blank=True)
    unit_links = models.JSONField(
        "单位识别结果",
        default=list,
        blank=True,
        help_text="one entry per unit name as written: name, role (lead|co), status (resolved|ambiguous|unknown), "
        "unit (id), unit_name, candidates [{id, name}], picked (chosen by a reviewer)",
    )
    reasons = models.JSONField(
        "识别依据",
        default=list,
        blank=True,
        help_text="the parser's reason for each reading: field, value, rule, span, quote, check (what to verify)",
    )
    version = models.PositiveIntegerField(default=1, help_text="optimistic-concurrency counter")

    class Meta:
        verbose_name = "举措"
        verbose_name_plural = "举措"
        ordering = ["plan_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="measure_unique_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.title or self.text[:40]}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "解析中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class PlanImport(models.Model):
    """One uploaded document on its way to a draft plan. Large files are parsed by a background job; the
    upload page polls `progress` until the plan is ready or `error` says why it was refused."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    year = models.PositiveIntegerField("方案年度", null=True, blank=True)
    previous = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="修订的方案"
    )
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        verbose_name="导入结果",
    )
    source_name = models.CharField("文件名", max_length=255)
    source_sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("文件大小", default=0)
    stored_path = models.CharField(max_length=500, blank=True, help_text="relative to FILES_DIR")
    status = models.CharField(
        "状态", max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField("进度", default=0)
    stage = models.CharField("当前步骤", max_length=100, blank=True)
    error = models.TextField("错误", blank=True)
    error_details = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # the last sign of life of the job parsing it: a pending or running import without one for
    # LUOSHI_IMPORT_STALE_MINUTES was lost (worker killed) and is failed by the reaper (plan_imports_reap)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "方案导入"
        verbose_name_plural = "方案导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.source_name
