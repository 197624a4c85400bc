"""Audit event types of orgs (stored as their value, shown by their label)."""

from luoshi.core.events import Event


class OrgEvent(Event):
    REGION_CREATED = "region.created", "新建区域"
    REGION_UPDATED = "region.updated", "修改区域"
    UNIT_ALIAS_ADDED = "unit.alias_added", "添加单位别名"
    UNIT_ALIAS_REMOVED = "unit.alias_removed", "删除单位别名"
    UNIT_CHECKED = "unit.checked", "核对单位名称"
    UNIT_CREATED = "unit.created", "新增单位"
    UNIT_MERGED = "unit.merged", "合并单位"
    UNIT_MERGED_INTO = "unit.merged_into", "并入其他单位"
    UNIT_RENAMED = "unit.renamed", "单位更名"
    UNIT_UPDATED = "unit.updated", "修改单位"
    UNIT_VERIFIED = "unit.verified", "核实单位名称"
