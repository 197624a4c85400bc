"""Which home page a user's role opens (``luoshi.core.home`` asks every declared home module)."""

from __future__ import annotations

from luoshi.accounts.access import home_template_for as template_for

__all__ = ["template_for"]
