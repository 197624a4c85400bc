"""Holiday corrections and regional holidays an administrator keeps in the database.

The rules themselves live in `luoshi.calendar.engine` (no Django); these tables only feed it. Writes go
through `luoshi.calendar.services` (audited); `CalendarVersion` is bumped by every write so that all
processes rebuild their cached calendars.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class CorrectionKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "上班(调休)"


class CalendarNotice(models.Model):
    """A State Council notice (国务院办公厅放假通知) loaded from a file; its days become corrections."""

    title = models.CharField("通知标题", max_length=200)
    source = models.CharField("文号/出处", max_length=300, blank=True)
    covers_year = models.PositiveSmallIntegerField(
        "完整覆盖年份", null=True, blank=True, help_text="该通知是这一年的完整放假安排:该年不再是临时推算。"
    )
    file_name = models.CharField("文件名", max_length=200, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="导入人",
    )
    loaded_at = models.DateTimeField("导入时间", default=timezone.now)

    class Meta:
        verbose_name = "放假通知"
        verbose_name_plural = "放假通知"
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return self.title


class HolidayCorrection(models.Model):
    """One date declared a day off or a working day, overriding the package and shipped data."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=CorrectionKind.choices)
    name = models.CharField("名称", max_length=100)
    source = models.CharField("依据", max_length=300, blank=True)
    notice = models.ForeignKey(
        CalendarNotice,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrections",
        verbose_name="来自通知",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "节假日更正"
        verbose_name_plural = "节假日更正"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


class RegionalHoliday(models.Model):
    """An extra day off in one region (and the regions below it), e.g. a local festival."""

    region = models.ForeignKey(
        "orgs.Region", on_delete=models.CASCADE, related_name="regional_holidays", verbose_name="区域"
    )
    date = models.DateField("日期")
    name = models.CharField("名称", max_length=100)
    source = models.CharField("依据", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        verbose_name = "地方性假日"
        verbose_name_plural = "地方性假日"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["region", "date"], name="regional_holiday_unique_day")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class CalendarVersion(models.Model):
    """One row: a random token replaced on every calendar write, so every process knows when to rebuild."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "日历版本"
        verbose_name_plural = "日历版本"

    def __str__(self) -> str:
        return self.token
