"""The hooks requests uses to reach other domains. `supervised_task_requested` (a hotspot cluster becomes a
supervised task) is declared in the kernel, ``luoshi.core.hooks``, so that requests and supervision never import
each other; this module names it for requests' callers."""

from __future__ import annotations

from luoshi.core.hooks import request_supervised_task, supervised_task_requested

__all__ = ["request_supervised_task", "supervised_task_requested"]
