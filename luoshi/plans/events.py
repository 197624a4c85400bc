"""Audit event types of plans (stored as their value, shown by their label)."""

from luoshi.core.events import Event


class PlanEvent(Event):
    ARCHIVED = "plan.archived", "归档方案"
    IMPORTED = "plan.imported", "导入行动方案"
    MEASURE_CREATED = "plan.measure_created", "新增举措"
    MEASURE_DELETED = "plan.measure_deleted", "删除举措"
    MEASURE_MERGED = "plan.measure_merged", "合并举措"
    MEASURE_SPLIT = "plan.measure_split", "拆分举措"
    MEASURE_UNIT_ASSIGNED = "plan.measure_unit_assigned", "指定举措责任单位"
    MEASURE_UPDATED = "plan.measure_updated", "修改举措"
    PUBLISHED = "plan.published", "发布方案"
    DETAILS_UPDATED = "plan.details_updated", "修改方案信息"
    UNIT_CONFIRMED = "plan.unit_confirmed", "确认单位名称"
    UNITS_RESOLVED = "plan.units_resolved", "识别责任单位"
