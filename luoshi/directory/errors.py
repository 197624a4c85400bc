"""Why an org directory page, API call or command refuses (the API returns the code; the message is the default text)."""

from __future__ import annotations

from luoshi.core.errors import ErrorCodes


class DirectoryError(ErrorCodes):
    USER_NOT_FOUND = "directory.user_not_found", "没有该用户名的用户。"
    IMPORT_READ_ONLY = "directory.import_read_only", "您的角色为只读,无权导入组织机构目录(仅营商办管理员可以导入)。"
    ALIAS_NOT_FOUND = "directory.alias_not_found", "该别名已不存在,请刷新页面。"
    MERGE_TARGET_MISSING = "directory.merge_target_missing", "请填写要保留的单位编号。"
