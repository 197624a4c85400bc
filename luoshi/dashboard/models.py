"""Monitoring (营商环境监测): the indicator tree of each region and the values reported, computed or imported
for it; the summary tables (figure snapshots) that the pages read instead of raw rows; the ranking weights
with their history; and the record of each summary refresh.

No logic here: every write goes through luoshi.dashboard.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from luoshi.calendar.deadlines import Colour


class Cycle(models.TextChoices):
    MONTH = "month", "月"
    QUARTER = "quarter", "季"
    YEAR = "year", "年"


class Direction(models.TextChoices):
    HIGHER = "higher", "越高越好"
    LOWER = "lower", "越低越好"


class IndicatorSourceKind(models.TextChoices):
    REPORTED = "reported", "单位填报"
    COMPUTED = "computed", "系统计算"
    IMPORTED = "imported", "外部导入"


class Indicator(models.Model):
    """One node of a region's indicator tree (一级/二级/三级指标)."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级指标",
    )
    code = models.CharField("编码", max_length=32)
    name = models.CharField("指标名称", max_length=200)
    weight = models.FloatField("权重", default=1.0)
    lead_unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="牵头单位",
    )
    cycle = models.CharField("填报周期", max_length=10, choices=Cycle.choices, default=Cycle.QUARTER)
    measure_unit = models.CharField("计量单位", max_length=20, blank=True)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    target = models.FloatField("目标值", null=True, blank=True)
    warning_value = models.FloatField("预警值", null=True, blank=True)
    advanced_value = models.FloatField("先进值", null=True, blank=True)
    source = models.CharField(
        "数据来源", max_length=10, choices=IndicatorSourceKind.choices, default=IndicatorSourceKind.REPORTED
    )
    source_key = models.CharField(
        "计算口径", max_length=80, blank=True, help_text="a figure key, computed only"
    )
    position = models.PositiveIntegerField("排序", default=0)
    note = models.CharField("说明", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "监测指标"
        verbose_name_plural = "监测指标"
        ordering = ["region_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="indicator_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorValue(models.Model):
    """The value of one indicator for one region and one cycle period, with its colour as judged."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束")
    value = models.FloatField("数值")
    source = models.CharField("来源", max_length=10, choices=IndicatorSourceKind.choices)
    colour = models.CharField("状态", max_length=8, blank=True, choices=Colour.choices())
    colour_reason = models.CharField("状态说明", max_length=300, blank=True)
    score = models.FloatField("得分", null=True, blank=True)
    evidence = models.TextField("佐证说明", blank=True)
    evidence_name = models.CharField("佐证材料", max_length=255, blank=True)
    evidence_stored = models.CharField(max_length=255, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="填报单位",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = "指标数值"
        ordering = ["-period_start", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period_start"], name="indicator_value_unique"
            )
        ]
        indexes = [models.Index(fields=["region", "period_start"], name="indicator_value_region_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.region_id} {self.period_start}"


class FigureSnapshot(models.Model):
    """Summary table: one figure (or one bucket of it) for one region subtree or one unit and one period.
    Written only by the refresh service; pages read these rows, never the domain tables."""

    key = models.CharField(max_length=80)
    bucket = models.CharField(max_length=120, blank=True)
    bucket_label = models.CharField(max_length=200, blank=True)
    region = models.ForeignKey(
        "orgs.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "orgs.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    period_kind = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    numerator = models.FloatField(default=0)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True)
    final = models.BooleanField(default=False, help_text="computed after the period ended: never recomputed")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "监测汇总"
        verbose_name_plural = "监测汇总"
        indexes = [
            models.Index(fields=["period_kind", "period_start", "region", "key"], name="snapshot_region_idx"),
            models.Index(fields=["period_kind", "period_start", "unit", "key"], name="snapshot_unit_idx"),
            models.Index(fields=["key", "period_kind", "region", "period_start"], name="snapshot_trend_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key}[{self.bucket}] {self.period_kind}:{self.period_start}"


class RefreshRun(models.Model):
    """One refresh of the summary tables."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    periods = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "汇总刷新"
        verbose_name_plural = "汇总刷新"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class RankingWeights(models.Model):
    """The composite-score weights, append-only: the newest row is in force, older rows are its history."""

    weights = models.JSONField("权重", default=dict)
    note = models.CharField("调整说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "排名权重"
        verbose_name_plural = "排名权重"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"weights {self.created_at:%Y-%m-%d %H:%M}"
