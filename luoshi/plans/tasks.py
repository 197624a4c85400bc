"""Background jobs of the plans domain."""

from __future__ import annotations

import logging

from luoshi.core.jobs import job

logger = logging.getLogger(__name__)


@job(retries=0)
def plan_import_run(import_id: int) -> None:
    """Parse one stored upload (large files); the upload page polls the import record for progress."""
    from luoshi.plans.services import plan_import_execute, plan_import_fail

    try:
        plan_import_execute(import_id)
    except Exception:
        # A bug, not a bad file (those are ParseError, handled by the service): mark the import failed so the
        # upload page stops waiting, then let huey log the traceback.
        logger.exception("plan import %s failed", import_id)
        plan_import_fail(
            import_id, "解析时发生内部错误,已记录日志。请稍后重试,或将文件另存为 .docx 后再导入。"
        )
        raise
