"""orgs's entries in the navigation bar (luoshi.core.nav)."""

from __future__ import annotations

from luoshi.accounts.access import is_reader
from luoshi.core.nav import NavItem

NAV = [NavItem("组织机构", "orgs:index", 80, is_reader)]
