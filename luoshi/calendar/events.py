"""Audit event types of calendar (stored as their value, shown by their label)."""

from luoshi.core.events import Event


class CalendarEvent(Event):
    CORRECTION_ADDED = "calendar.correction_added", "新增节假日调整"
    CORRECTION_CHANGED = "calendar.correction_changed", "修改节假日调整"
    CORRECTION_REMOVED = "calendar.correction_removed", "删除节假日调整"
    NOTICE_LOADED = "calendar.notice_loaded", "导入放假通知"
    NOTICE_REMOVED = "calendar.notice_removed", "删除放假通知"
    REGIONAL_HOLIDAY_ADDED = "calendar.regional_holiday_added", "新增地方性假日"
    REGIONAL_HOLIDAY_REMOVED = "calendar.regional_holiday_removed", "删除地方性假日"
