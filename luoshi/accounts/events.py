"""Audit event types of accounts (stored as their value, shown by their label)."""

from luoshi.core.events import Event


class AccountEvent(Event):
    API_TOKEN_CREATED = "api_token.created", "创建 API 令牌"
    USER_CREATED = "user.created", "新增用户"
    USER_DEACTIVATED = "user.deactivated", "停用账号"
    USER_REACTIVATED = "user.activated", "启用账号"
    USER_UNLOCKED = "user.unlocked", "解除登录锁定"
    USER_PASSWORD_RESET = "user.password_reset", "重置密码"
    USER_ROLE_CHANGED = "user.role_changed", "调整角色与单位"
