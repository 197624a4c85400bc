"""Who may see which part of the monitoring dashboard.

- 领导 and 营商办管理员: every region in their region subtree, and every unit of those regions;
- 部门工作人员: their own unit's page only (no region cockpit, no other unit);
- 企业用户, 观察员: nothing;
- only 营商办管理员 change things here (indicator tree, weights, values of any unit, 督办);
  部门工作人员 report the values of indicators their unit leads.
- user None: the system (jobs, commands) sees everything.
"""

from __future__ import annotations

from luoshi.accounts.access import region_contains
from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.dashboard.errors import DashboardError
from luoshi.orgs.models import Region, Unit


def require_reader(user: User | None) -> None:
    if user is None or user.is_superuser or user.role in (Role.ADMIN, Role.LEADER, Role.STAFF):
        return
    raise AccessDenied(f"您的角色({user.get_role_display()})无权查看监测分析。", code=DashboardError.NO_ACCESS)


def is_region_reader(user: User | None) -> bool:
    return user is None or user.is_superuser or user.role in (Role.ADMIN, Role.LEADER)


def is_office(user: User | None) -> bool:
    return user is None or user.is_superuser or user.role == Role.ADMIN


def home_region(user: User | None) -> Region:
    if user is not None and not user.is_superuser and user.region is not None:
        return user.region
    root = Region.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise NotFound("尚未建立区域目录,请先导入组织机构。", code=DashboardError.NO_DIRECTORY)
    return root


def region_for(user: User | None, pk: int | None) -> Region:
    """The region a cockpit shows: the user's own by default; another only inside their subtree."""
    require_reader(user)
    if not is_region_reader(user):
        assert user is not None
        raise AccessDenied("部门工作人员只能查看本单位的监测数据。", code=DashboardError.OWN_UNIT_ONLY)
    if pk is None:
        return home_region(user)
    region = Region.objects.filter(pk=pk).first()
    if region is None:
        raise NotFound("未找到该区域。", code=DashboardError.REGION_NOT_FOUND)
    if user is not None and not user.is_superuser and not region_contains(user.region, region):
        raise AccessDenied(f"{region.name}不在您的管辖区域内,您不能查看它的监测数据。", code=DashboardError.OUTSIDE_JURISDICTION)
    return region


def unit_for(user: User | None, pk: int) -> Unit:
    require_reader(user)
    unit = Unit.objects.select_related("region").filter(pk=pk).first()
    if unit is None:
        raise NotFound("未找到该单位。", code=DashboardError.UNIT_NOT_FOUND)
    if user is None or user.is_superuser:
        return unit
    if user.role == Role.STAFF:
        if user.unit_id != unit.pk:
            raise AccessDenied("您只能查看本单位的监测数据。", code=DashboardError.OWN_UNIT_ONLY)
        return unit
    if not region_contains(user.region, unit.region):
        raise AccessDenied(f"{unit.name}不在您的管辖区域内,您不能查看它的监测数据。", code=DashboardError.OUTSIDE_JURISDICTION)
    return unit


def require_office(user: User | None, region: Region, action: str) -> None:
    if user is None or user.is_superuser:
        return
    if user.role != Role.ADMIN:
        raise AccessDenied(f"只有营商办管理员可以{action};您的角色为{user.get_role_display()}。", code=DashboardError.OFFICE_ONLY)
    if not region_contains(user.region, region):
        raise AccessDenied(f"{region.name}不在您的管辖区域内,您不能{action}。", code=DashboardError.OUTSIDE_JURISDICTION)


def can_report(user: User | None, region: Region, lead_unit_id: int | None) -> bool:
    """Office of the region (or above), or staff of the indicator's lead unit."""
    if user is None or user.is_superuser:
        return True
    if user.role == Role.ADMIN:
        return region_contains(user.region, region)
    return user.role == Role.STAFF and lead_unit_id is not None and user.unit_id == lead_unit_id
