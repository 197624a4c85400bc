"""Who may see and change what. Selectors and services of every domain build on these helpers, so pages,
the API, commands and jobs all inherit the same scoping.

- 营商办管理员 (admin): everything in their region and the regions below it; may change.
- 部门工作人员 (staff): only their own unit's work.
- 领导 (leader): reads everything in their region subtree; changes nothing.
- 企业用户 (enterprise): only their own firm's requests and profile.
- 观察员 (observer): may file reports (observations); sees only what they filed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied
from luoshi.orgs.models import Region


def is_system(user: User | None) -> bool:
    """Jobs run as the system (user None) and see everything."""
    return user is None


def region_subtree(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=region.path)


def region_subtree_q(user: User, field: str = "region") -> Q:
    """A filter on `<field>` keeping rows in the user's region subtree (superusers: everything)."""
    if user.is_superuser:
        return Q()
    if user.region_id is None:
        return Q(pk__in=[])
    region = user.region
    assert region is not None
    return Q(**{f"{field}__path__startswith": region.path})


def require_role(user: User | None, *roles: Role, action: str = "执行此操作") -> None:
    if user is None or user.is_superuser:
        return
    if user.role not in roles:
        raise AccessDenied(f"您的角色({user.get_role_display()})无权{action}。")


def require_can_change(user: User | None) -> None:
    """Leaders and observers read; they never change domain objects."""
    if user is None or user.is_superuser:
        return
    if user.role in (Role.LEADER, Role.OBSERVER):
        raise AccessDenied(f"您的角色({user.get_role_display()})为只读,不能修改。")


def region_contains(ancestor: Region | None, region: Region) -> bool:
    return ancestor is not None and region.path.startswith(ancestor.path)


def require_region(user: User | None, region: Region, action: str = "访问该区域的数据") -> None:
    if user is None or user.is_superuser:
        return
    if not region_contains(user.region, region):
        raise AccessDenied(f"您无权{action}:不在您的管辖区域内。")
