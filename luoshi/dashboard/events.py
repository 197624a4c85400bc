"""Audit event types of the dashboard (stored as their value, shown by their label)."""

from luoshi.core.events import Event


class DashboardEvent(Event):
    INDICATOR_UPDATED = "dashboard.indicator_updated", "修改监测指标"
    INDICATOR_VALUE_REPORTED = "dashboard.indicator_value_reported", "报送指标数值"
    INDICATORS_IMPORTED = "dashboard.indicators_imported", "导入监测指标"
    WEIGHTS_SET = "dashboard.weights_set", "设置指标权重"
