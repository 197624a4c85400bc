"""Who may see and act on an enterprise request. Selectors (reads) and services (writes) both use these, so pages,
the API, Open311, commands and jobs share one set of rules.

- 营商办管理员 (office): every request of their region subtree; reviews, routes, approves extensions, revisits.
- 部门工作人员 (unit staff): requests their unit leads or co-handles; only the lead unit signs, replies, completes.
- 领导 (leader): reads the region subtree; changes nothing; sees contacts masked.
- 企业用户 (enterprise): only its own firm's requests (contact unmasked: it is its own).
- 观察员 (observer): only the reports they filed.
- user None: the system (jobs, demo, commands).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from luoshi.accounts.access import region_contains, region_subtree, region_subtree_q
from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied, NotFound
from luoshi.orgs.models import Region
from luoshi.requests.errors import RequestError
from luoshi.requests.models import Request

__all__ = ["AccessDenied", "region_contains"]


# --- roles (compared only here) -----------------------------------------------------------------------------
def is_admin(user: User | None) -> bool:
    """An office administrator or a superuser (not the system)."""
    return user is not None and (user.is_superuser or user.role == Role.ADMIN)


def admins_q() -> Q:
    """`is_admin` as a filter on users (who the office's notifications go to)."""
    return Q(role=Role.ADMIN) | Q(is_superuser=True)


def is_government(user: User | None) -> bool:
    """Office, unit staff and leaders: the pages of lists, metrics and hotspots."""
    return user is not None and (user.is_superuser or user.role in (Role.ADMIN, Role.LEADER, Role.STAFF))


def is_leader(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role == Role.LEADER


def is_enterprise(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role == Role.ENTERPRISE


def is_observer(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role == Role.OBSERVER


def is_handling_staff(user: User | None) -> bool:
    """Staff whose views of unmasked contacts are logged (office and unit staff)."""
    return user is not None and (user.is_superuser or user.role in (Role.ADMIN, Role.STAFF))


def files_for_own_region_only(user: User | None) -> bool:
    return user is not None and not user.is_superuser and user.role in (Role.ADMIN, Role.OBSERVER)


def nav_flags(user: User | None) -> dict[str, bool]:
    return {"may_file": not is_leader(user), "gov": is_government(user), "office": is_admin(user)}


# --- regions (through the shared subtree helpers) -----------------------------------------------------------
def subtree_ids(region: Region) -> list[int]:
    return list(region_subtree(region).values_list("pk", flat=True))


def ancestor_ids(region: Region) -> list[int]:
    """The region and its ancestors, root first."""
    return [int(p) for p in region.path.split("/") if p.isdigit()] or [region.pk]


def is_office(user: User | None) -> bool:
    return user is None or user.is_superuser or user.role == Role.ADMIN


def request_scope_q(user: User | None) -> Q:
    if user is None or user.is_superuser:
        return Q()
    if user.role in (Role.ADMIN, Role.LEADER):
        return region_subtree_q(user, "region")
    if user.role == Role.STAFF and user.unit_id is not None:
        return Q(lead_unit_id=user.unit_id) | Q(co_units__id=user.unit_id)
    if user.role == Role.ENTERPRISE and user.enterprise_id is not None:
        return Q(enterprise_id=user.enterprise_id)
    if user.role == Role.OBSERVER:
        return Q(filed_by_id=user.pk)
    return Q(pk__in=[])


def visible_requests(user: User | None) -> QuerySet[Request]:
    qs = Request.objects.filter(request_scope_q(user))
    if user is not None and user.role == Role.STAFF:
        qs = qs.distinct()
    return qs


def can_see(user: User | None, req: Request) -> bool:
    if user is None or user.is_superuser:
        return True
    if user.role in (Role.ADMIN, Role.LEADER):
        return region_contains(user.region, req.region)
    if user.role == Role.STAFF and user.unit_id is not None:
        return req.lead_unit_id == user.unit_id or req.co_units.filter(pk=user.unit_id).exists()
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id is not None and req.enterprise_id == user.enterprise_id
    if user.role == Role.OBSERVER:
        return req.filed_by_id == user.pk
    return False


def require_see(user: User | None, req: Request) -> None:
    if not can_see(user, req):
        # the same answer as a missing request: do not reveal what exists elsewhere
        raise NotFound("未找到该诉求,或您无权查看。", code=RequestError.REQUEST_NOT_FOUND)


def require_office(user: User | None, req: Request | None = None, action: str = "执行此操作") -> None:
    if user is None or user.is_superuser:
        return
    if user.role != Role.ADMIN:
        raise AccessDenied(f"只有营商办管理员可以{action};您的角色为{user.get_role_display()}。", code=RequestError.OFFICE_ONLY)
    if req is not None and not region_contains(user.region, req.region):
        raise AccessDenied(f"该诉求不在您的管辖区域内,您不能{action}。", code=RequestError.OUTSIDE_REGION)


def require_lead_unit(user: User | None, req: Request, action: str) -> None:
    """Staff of the request's lead unit (主办单位)."""
    if user is None:
        return
    if user.role != Role.STAFF or user.unit_id is None:
        raise AccessDenied(f"只有主办单位的工作人员可以{action};您的角色为{user.get_role_display()}。", code=RequestError.HANDLING_UNIT_ONLY)
    if req.lead_unit_id != user.unit_id:
        raise AccessDenied(f"该诉求不是分办给本单位({user.unit})的,您不能{action}。", code=RequestError.NOT_YOUR_UNIT)


def is_co_unit(user: User | None, req: Request) -> bool:
    return (
        user is not None
        and user.role == Role.STAFF
        and user.unit_id is not None
        and req.co_units.filter(pk=user.unit_id).exists()
    )


def handles(user: User | None, req: Request) -> bool:
    """Those handling the request: the office of its region and staff of its lead unit."""
    if user is None or user.is_superuser:
        return True
    if user.role == Role.ADMIN:
        return region_contains(user.region, req.region)
    return user.role == Role.STAFF and user.unit_id is not None and req.lead_unit_id == user.unit_id


def owns(user: User | None, req: Request) -> bool:
    """The enterprise the request is about (or the observer who filed it)."""
    if user is None:
        return False
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id is not None and req.enterprise_id == user.enterprise_id
    if user.role == Role.OBSERVER:
        return req.filed_by_id == user.pk
    return False


def may_unmask_contact(user: User | None, req: Request) -> bool:
    return handles(user, req) or owns(user, req)


def require_unmask(user: User | None, req: Request) -> None:
    require_see(user, req)
    if not may_unmask_contact(user, req):
        raise AccessDenied("只有承办该诉求的人员可以查看完整联系方式。", code=RequestError.CONTACT_HANDLERS_ONLY)


def mask_phone(phone: str) -> str:
    """138****1234; short numbers keep only the first digit."""
    digits = phone or ""
    if len(digits) > 7:
        return digits[:3] + "****" + digits[-4:]
    return digits[:1] + "*" * (len(digits) - 1)


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
