"""Background jobs of the plans domain."""

from __future__ import annotations

import logging
from typing import Any

from luoshi.core.jobs import crontab, job, periodic_job

logger = logging.getLogger(__name__)

IMPORT_RETRIES = 2


@job(retries=IMPORT_RETRIES, retry_delay=30, context=True)
def plan_import_run(import_id: int, task: Any = None) -> None:
    """Parse one stored upload (large files); the upload page polls the import record for progress.

    An unexpected error is retried (twice, 30 s apart: a database restart, a full disk freed); only the last
    attempt marks the import failed. A worker killed mid-way never comes back to it: `reap_stale_imports` does."""
    from luoshi.plans.models import ImportStatus, PlanImport
    from luoshi.plans.services import plan_import_execute, plan_import_fail

    try:
        plan_import_execute(import_id)
    except Exception:
        logger.exception("plan import %s failed", import_id)
        if task is not None and getattr(task, "retries", 0) > 0:
            PlanImport.objects.filter(pk=import_id, status=ImportStatus.RUNNING).update(
                status=ImportStatus.PENDING, stage="解析出错,稍后自动重试"
            )
        else:
            # A bug, not a bad file (those are ParseError, handled by the service): mark the import failed so
            # the upload page stops waiting, then let huey log the traceback.
            plan_import_fail(
                import_id, "解析时发生内部错误,已记录日志。请稍后重试,或将文件另存为 .docx 后再导入。"
            )
        raise


@periodic_job(crontab(minute="*/10"), retries=2, retry_delay=60)
def reap_stale_imports() -> dict[str, int]:
    """Fail imports whose job was lost (no heartbeat for LUOSHI_IMPORT_STALE_MINUTES) and delete orphaned uploads."""
    from luoshi.plans.services import plan_imports_reap

    return plan_imports_reap()
