"""Why a calendar page, API call or command refuses (the API returns the code; the message is the default text).
The pure engine's own ``CalendarError`` stays a ValueError: the engine imports nothing of the platform."""

from __future__ import annotations

from luoshi.core.errors import ErrorCodes


class CalendarErrorCode(ErrorCodes):
    CORRECTIONS_OFFICE_ONLY = "calendar.corrections_office_only", "只有营商办管理员可以查看节假日更正。"
    CORRECTION_DELETE_OFFICE_ONLY = "calendar.correction_delete_office_only", "只有营商办管理员可以删除节假日更正。"
    CORRECTION_NOT_FOUND = "calendar.correction_not_found", "该节假日更正不存在或已被删除。"
    REGION_NOT_FOUND = "calendar.region_not_found", "区域代码不存在。"
    CALCULATION_INVALID = "calendar.calculation_invalid", "日期或天数无效,请核对。"
    OFFICE_ONLY = "calendar.office_only", "只有营商办管理员可以维护节假日数据。"
    REGION_MISSING = "calendar.region_missing", "请选择区域。"
