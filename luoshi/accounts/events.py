"""Audit event types of accounts (stored as their value, shown by their label)."""

from luoshi.core.events import Event


class AccountEvent(Event):
    API_TOKEN_CREATED = "api_token.created", "创建 API 令牌"
    USER_CREATED = "user.created", "新增用户"
