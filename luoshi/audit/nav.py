"""audit's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.core.nav import NavItem


def _reader(user: object) -> bool:
    from luoshi.audit.selectors import may_read_trail

    return may_read_trail(user)


NAV = [NavItem("审计记录", "audit:index", 110, _reader)]
