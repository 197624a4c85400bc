"""Why an accounts page or command refuses (the API returns the code; the message is the default text)."""

from __future__ import annotations

from luoshi.core.errors import ErrorCodes


class AccountError(ErrorCodes):
    USER_NOT_FOUND = "accounts.user_not_found", "用户不存在。"
    REGION_NOT_FOUND = "accounts.region_not_found", "找不到该区域代码。"
    UNIT_NOT_FOUND = "accounts.unit_not_found", "单位不存在或有多个匹配,请用 --region 和全称指定。"
    ENTERPRISE_NOT_FOUND = "accounts.enterprise_not_found", "找不到该统一社会信用代码的企业。"
    ROLE_MISSING = "accounts.role_missing", "请选择角色(部门工作人员、营商办管理员、领导或观察员)。"
    UNIT_OUTSIDE_REGION = "accounts.unit_outside_region", "所选单位不在您的管辖区域内。"
    REGION_OUTSIDE_JURISDICTION = "accounts.region_outside_jurisdiction", "所选区域不在您的管辖区域内。"
    UNKNOWN_ACTION = "accounts.unknown_action", "未知的操作。"
