"""Every write of the supervision domain is one function here (re-exported from the modules below)."""

from luoshi.supervision.services.notices import notice_answer, notice_close, notice_docx, notice_issue
from luoshi.supervision.services.reports import (
    assignment_set_weights,
    report_file,
    report_file_for,
    store_attachment,
    target_achievement,
    task_target_progress,
)
from luoshi.supervision.services.sweep import SweepResult, sweep
from luoshi.supervision.services.tasks import (
    TRANSITIONS,
    allowed_next,
    task_cancel,
    task_request_sign_off,
    task_return,
    task_set_cycle,
    task_sign_off,
    task_start,
    task_transition,
    tasks_sync_from_plan,
)

__all__ = [
    "TRANSITIONS",
    "SweepResult",
    "allowed_next",
    "assignment_set_weights",
    "notice_answer",
    "notice_close",
    "notice_docx",
    "notice_issue",
    "report_file",
    "report_file_for",
    "store_attachment",
    "sweep",
    "target_achievement",
    "task_cancel",
    "task_request_sign_off",
    "task_return",
    "task_set_cycle",
    "task_sign_off",
    "task_start",
    "task_target_progress",
    "task_transition",
    "tasks_sync_from_plan",
]
