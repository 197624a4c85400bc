"""Hooks between domains, declared in the kernel so that neither side imports the other.

`supervised_task_requested`: another domain asks for a supervised task (督办) — e.g. requests turning a hotspot
cluster into one. Whoever runs supervised tasks connects a receiver (supervision does, in its
``AppConfig.ready``) that creates it and returns a reference (``"supervision.task:42"``) or ``{"ref": …,
"url": …}`` (the task's page). Sent with plain values only: ``actor``, ``region``, ``title``, ``text``,
``unit_ids`` (lead unit first, then co-units), ``source`` (the asking row), ``items`` (``[{"number", "title",
"url"}]``) and ``period``.

(plans → supervision has its own hook, ``luoshi.plans.hooks.plan_published``: plans sits below supervision.)
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

from luoshi.core.errors import ValidationFailed

__all__ = ["request_supervised_task", "supervised_task_requested"]

supervised_task_requested = Signal()


def request_supervised_task(
    *,
    actor: Any,
    region: Any,
    title: str,
    text: str,
    unit_ids: list[int],
    source: Any,
    items: list[dict[str, str]] | None = None,
    period: str = "",
) -> tuple[str, str]:
    """Ask the receivers for a supervised task; the first answer wins: (reference, url or ""). Without a
    receiver the request is refused (nothing is half-written: the caller's transaction rolls back)."""
    for _receiver, ref in supervised_task_requested.send(
        sender=type(source),
        actor=actor,
        region=region,
        title=title,
        text=text,
        unit_ids=unit_ids,
        source=source,
        items=list(items or []),
        period=period,
    ):
        if isinstance(ref, dict) and ref.get("ref"):
            return str(ref["ref"]), str(ref.get("url") or "")
        if ref:
            return str(ref), ""
    raise ValidationFailed("当前没有可承接督办任务的模块,无法将热点转为督办任务。")
