"""Major projects (重大项目): the project ledger, milestones 签约 → 开工 → 入库 → 竣工 → 投产, the time limits
between them, and the problem list (问题 → 责任单位 → 解决) of each project.

Colours are derived by the daily sweep (`services.projects_sweep`) and by each write; they are stored so
the ledger can filter and count by colour without recomputing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from luoshi.calendar.deadlines import Colour


class ProjectLevel(models.TextChoices):
    PROVINCE = "province", "省重点"
    CITY = "city", "市重点"
    PARK = "park", "园区重大"


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", "推进中"
    OPERATING = "operating", "已投产"
    SUSPENDED = "suspended", "已暂停"
    CANCELLED = "cancelled", "已终止"


class MilestoneKind(models.TextChoices):
    """In the order a project passes them; `MILESTONE_ORDER` gives the position."""

    SIGNED = "signed", "签约"
    STARTED = "started", "开工"
    REGISTERED = "registered", "入库"
    COMPLETED = "completed", "竣工"
    OPERATING = "operating", "投产"


MILESTONE_ORDER: tuple[str, ...] = tuple(MilestoneKind.values)


class LimitUnit(models.TextChoices):
    MONTHS = "months", "个月"
    WORKING_DAYS = "working_days", "个工作日"
    DAYS = "days", "天"


class Project(models.Model):
    region = models.ForeignKey(
        "orgs.Region", on_delete=models.PROTECT, related_name="projects", verbose_name="所属区域"
    )
    code = models.CharField("项目编码", max_length=64, unique=True)
    name = models.CharField("项目名称", max_length=200)
    level = models.CharField(
        "项目层级", max_length=16, choices=ProjectLevel.choices, default=ProjectLevel.CITY
    )
    investment = models.DecimalField("总投资(万元)", max_digits=14, decimal_places=2, default=0)
    owner_name = models.CharField("项目业主", max_length=200, blank=True)
    owner_enterprise = models.ForeignKey(
        "orgs.Enterprise",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
        verbose_name="业主企业",
    )
    industry = models.CharField("所属行业", max_length=100, blank=True)
    leader_name = models.CharField("包保领导", max_length=100, blank=True)
    leader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
        verbose_name="包保领导账号",
    )
    units = models.ManyToManyField("orgs.Unit", blank=True, related_name="projects", verbose_name="责任单位")
    status = models.CharField(
        "状态", max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    stage = models.CharField("当前节点", max_length=16, choices=MilestoneKind.choices, blank=True)
    colour = models.CharField("预警", max_length=8, choices=Colour.choices(), blank=True, default=Colour.NONE)
    colour_reason = models.CharField("预警原因", max_length=500, blank=True)
    colour_since = models.DateField("预警日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="optimistic-concurrency counter")

    class Meta:
        verbose_name = "重大项目"
        verbose_name_plural = "重大项目"
        ordering = ["region_id", "code"]
        indexes = [
            models.Index(fields=["region", "colour"]),
            models.Index(fields=["status", "colour"]),
            models.Index(fields=["level"]),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """One node of a project. `planned_from_rule` is True when the planned date was computed from a
    MilestoneRule (and so is recomputed when the earlier node moves); False when an administrator set it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField("节点", max_length=16, choices=MilestoneKind.choices)
    planned_date = models.DateField("计划日期", null=True, blank=True)
    planned_from_rule = models.BooleanField("按时限规则计算", default=False)
    actual_date = models.DateField("实际日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        constraints = [models.UniqueConstraint(fields=["project", "kind"], name="milestone_unique_kind")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"

    @property
    def position(self) -> int:
        return MILESTONE_ORDER.index(self.kind)


class MilestoneRule(models.Model):
    """A time limit between two nodes ("签约6个月内开工"). `region` null = the default for every region;
    a rule of a region applies to that region and below (the nearest one wins). One rule per target node
    and region: the target's planned date is computed from it."""

    region = models.ForeignKey(
        "orgs.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="milestone_rules",
        verbose_name="适用区域",
    )
    from_kind = models.CharField("起始节点", max_length=16, choices=MilestoneKind.choices)
    to_kind = models.CharField("目标节点", max_length=16, choices=MilestoneKind.choices)
    limit_value = models.PositiveIntegerField("时限")
    limit_unit = models.CharField(
        "时限单位", max_length=16, choices=LimitUnit.choices, default=LimitUnit.MONTHS
    )
    warn_working_days = models.PositiveIntegerField("提前预警(工作日)", default=15)
    source = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "节点时限规则"
        verbose_name_plural = "节点时限规则"
        constraints = [
            models.UniqueConstraint(fields=["region", "to_kind"], name="milestone_rule_unique"),
            models.UniqueConstraint(
                fields=["to_kind"], condition=Q(region__isnull=True), name="milestone_rule_unique_global"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_kind_display()}后{self.limit_value}{self.get_limit_unit_display()}内{self.get_to_kind_display()}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "待解决"
    RESOLVED = "resolved", "已解决"


class ProjectProblem(models.Model):
    """问题清单 → 责任清单 → 解决清单: a problem, the unit responsible for solving it, and its resolution."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    description = models.TextField("问题描述")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="project_problems", verbose_name="责任单位"
    )
    raised_at = models.DateTimeField("提出时间", default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField("解决时限")
    status = models.CharField(
        "状态", max_length=16, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    resolution = models.TextField("解决情况", blank=True)
    resolved_at = models.DateTimeField("解决时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overdue_notified = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "项目问题"
        verbose_name_plural = "项目问题"
        ordering = ["status", "due", "id"]
        indexes = [models.Index(fields=["status", "due"]), models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return self.description[:60]
