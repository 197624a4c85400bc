"""The audit trail: append-only. Nothing in the application updates or deletes a row; the migrations also
install database triggers that refuse UPDATE, DELETE, REPLACE (an insert over an existing id) and TRUNCATE on SQLite
and PostgreSQL, except the one-time sealing that fills in a row's chain hash (`audit/seal.py`, ADR 55), after which
the row cannot change at all; sealed rows are hash-chained in seal order (`luoshi audit verify`)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("审计记录只能追加,不能修改。")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("审计记录只能追加,不能删除。")


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    actor_label = models.CharField("操作人", max_length=150)
    interface = models.CharField("途径", max_length=16)
    action = models.CharField("事件", max_length=64)
    subject_type = models.CharField("对象类型", max_length=100)
    subject_id = models.CharField("对象", max_length=64)
    subject_label = models.CharField("对象名称", max_length=300, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("说明", blank=True)
    # Tamper evidence (see audit/chain.py, audit/seal.py): rows are inserted unsealed (all three NULL); the
    # sealer numbers committed rows in `seal_seq` order and sets each hash over the row's content and the
    # previous sealed row's hash. The triggers allow exactly that one change, from NULL to set, nothing else.
    prev_hash = models.CharField("上一条哈希", max_length=64, null=True, blank=True)  # noqa: DJ001 - added in place
    row_hash = models.CharField("哈希", max_length=64, null=True, blank=True)  # noqa: DJ001 - added in place
    seal_seq = models.BigIntegerField("封存序号", null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"]),
            # the sealer's work list: unsealed rows in id order (partial, so it stays tiny)
            models.Index(fields=["id"], condition=models.Q(seal_seq__isnull=True), name="audit_unsealed"),
        ]
        constraints = [
            # partial (WHERE NOT NULL) so SQLite adds it as an index instead of rebuilding the table
            models.UniqueConstraint(
                fields=["seal_seq"], condition=models.Q(seal_seq__isnull=False), name="audit_seal_seq_unique"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.subject_type}#{self.subject_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("审计记录只能追加,不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("审计记录只能追加,不能删除。")
