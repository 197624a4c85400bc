"""Audit event types of projects (stored as their value, shown by their label)."""

from luoshi.core.events import Event, Labelled


class ProjectEvent(Event):
    COLOUR_CHANGED = "project.colour_changed", "项目预警变化"
    CREATED = "project.created", "新增重大项目"
    MILESTONE_PLANNED = "project.milestone_planned", "设置节点计划日期"
    MILESTONE_RECORDED = "project.milestone_recorded", "记录节点完成"
    PROBLEM_RAISED = "project.problem_raised", "提出项目问题"
    PROBLEM_RESOLVED = "project.problem_resolved", "解决项目问题"
    RULE_SET = "project.rule_set", "设置节点时限规则"
    UPDATED = "project.updated", "修改重大项目"


class ProjectNotification(Labelled):
    """Kinds of the notifications projects send (``luoshi.notifications``)."""

    RED = "project.red", "重大项目红色预警"
    PROBLEM_RAISED = "project.problem_raised", "重大项目问题待解决"
    PROBLEM_OVERDUE = "project.problem_overdue", "重大项目问题超期督办"
