"""Notifications (通知): one message to one person on one channel, about any subject of any domain.

The subject is generic: a content type and object id (a task, a project, a request, a policy item ...) and a
label, or only a label and a url for things that are not rows. ``event_key`` is unique, so an event is never
sent twice. No logic here: writes go through ``luoshi.notifications.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    IN_APP = "in_app", "站内"
    EMAIL = "email", "邮件"
    SMS = "sms", "短信"


class Notification(models.Model):
    """One message to one person on one channel. `event_key` is unique: an event is never sent twice.

    `kind` is the sending domain's kind value (e.g. ``supervision.reminder``); `kind_label` is its Chinese
    label as shown in the list (stored, so the list needs no registry of every domain's kinds)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类别", max_length=40)
    kind_label = models.CharField("类别名称", max_length=40, blank=True)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    event_key = models.CharField(max_length=200, unique=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_label = models.CharField("事项", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.BooleanField("汇总发送", default=False)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "channel", "read_at"], name="notification_user_idx"),
            models.Index(fields=["channel", "sent_at"], name="notification_outbox_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """A person's channels. In-app is always on; without a row every channel the sender asks for is used."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField("邮件通知", default=True)
    sms = models.BooleanField("短信通知", default=True)
    daily_digest = models.BooleanField("邮件每日汇总一次", default=False)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user} 的通知设置"
