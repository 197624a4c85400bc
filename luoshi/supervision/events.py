"""Audit event types of supervision (stored as their value, shown by their label)."""

from luoshi.core.events import Event


class SupervisionEvent(Event):
    ASSIGNMENT_CHANGED = "assignment.changed", "调整分工"
    ASSIGNMENT_CREATED = "assignment.created", "新增分工"
    ASSIGNMENT_REMOVED = "assignment.removed", "取消分工"
    ASSIGNMENT_WEIGHT_CHANGED = "assignment.weight_changed", "调整分工权重"
    ATTACHMENT_UPLOADED = "attachment.uploaded", "上传佐证材料"
    NOTICE_ANSWERED = "notice.answered", "回复督办单"
    NOTICE_CLOSED = "notice.closed", "办结督办单"
    NOTICE_ISSUED = "notice.issued", "下发督办单"
    REPORT_FILED = "report.filed", "报送进展"
    REPORT_REVISED = "report.revised", "修改进展报告"
    TASK_CARRIED_OVER = "task.carried_over", "修订版沿用任务"
    TASK_COLOUR_CHANGED = "task.colour_changed", "任务预警变化"
    TASK_CREATED = "task.created", "生成任务"
    TASK_CYCLE_CHANGED = "task.cycle_changed", "调整填报周期"
    TASK_REVISED = "task.revised", "修订任务"
    TASK_SIGN_OFF_FIRST_APPROVED = "task.sign_off_first_approved", "销号初审通过"
    TASK_SUPERVISED = "task.supervised", "下发督办"
    TASK_NOT_STARTED = "task.not_started", "任务恢复为未启动"
    TASK_IN_PROGRESS = "task.in_progress", "任务开始推进"
    TASK_SIGN_OFF_REQUESTED = "task.sign_off_requested", "申请销号"
    TASK_SIGNED_OFF = "task.signed_off", "任务销号"
    TASK_RETURNED = "task.returned", "销号申请退回"
    TASK_CANCELLED = "task.cancelled", "撤销任务"
