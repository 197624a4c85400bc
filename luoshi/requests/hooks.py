"""Hooks this app offers to others, so arrows point inward: requests announces, downstream apps answer.

`supervised_task_requested`: a hotspot cluster should become a supervised task (督办). Whoever runs supervised
tasks connects a receiver (supervision does, in its ``AppConfig.ready``) that creates it and returns a reference
(``"supervision.task:42"``) or ``{"ref": …, "url": …}`` (the task's page, linked from the request pages). Sent with
plain values only: ``actor``, ``region``, ``title``, ``text``, ``unit_ids`` (lead unit first, then co-units, by
frequency in the cluster), ``items`` (``[{"number", "title", "url"}]`` of the requests) and ``period``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

from luoshi.core.errors import ValidationFailed

if TYPE_CHECKING:
    from luoshi.accounts.models import User
    from luoshi.orgs.models import Region

supervised_task_requested = Signal()


def request_supervised_task(
    *,
    actor: User | None,
    region: Region,
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
