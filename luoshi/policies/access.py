"""Who may do what with policies. The policy office (营商办管理员) manages the library and rules in its region;
a department (部门工作人员) sees and pays only the items it is the paying department of; an enterprise sees only its
own results, pushes and payments; leaders read."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from luoshi.accounts.access import region_contains
from luoshi.accounts.models import Role, User
from luoshi.core.errors import AccessDenied
from luoshi.orgs.models import Enterprise
from luoshi.policies.models import PayoutBatch, Policy, PolicyItem, Push


def is_office(user: User | None) -> bool:
    return user is None or user.is_superuser or user.role == Role.ADMIN


def require_office(user: User | None, action: str = "管理政策与规则") -> None:
    if not is_office(user):
        raise AccessDenied(f"只有营商办(政策办)管理员可以{action}。")


def require_policy_region(user: User | None, policy: Policy) -> None:
    if user is None or user.is_superuser:
        return
    if not region_contains(user.region, policy.region):
        raise AccessDenied("该政策不在您的管辖区域内。")


def policies_q(user: User) -> Q:
    if user.is_superuser:
        return Q()
    if user.role in (Role.ADMIN, Role.LEADER) and user.region is not None:
        return Q(region__path__startswith=user.region.path)
    if user.role == Role.STAFF and user.unit_id is not None:
        return Q(items__department_id=user.unit_id)
    if user.role == Role.ENTERPRISE:
        return Q(items__published_version__isnull=False)
    return Q(pk__in=[])


def items_q(user: User) -> Q:
    if user.is_superuser:
        return Q()
    if user.role in (Role.ADMIN, Role.LEADER) and user.region is not None:
        return Q(policy__region__path__startswith=user.region.path)
    if user.role == Role.STAFF and user.unit_id is not None:
        return Q(department_id=user.unit_id)
    if user.role == Role.ENTERPRISE:
        return Q(published_version__isnull=False)
    return Q(pk__in=[])


def require_item_department(user: User | None, item: PolicyItem, action: str = "处理该事项") -> None:
    """The paying department of the item, or the policy office of its region."""
    if user is None or user.is_superuser:
        return
    if user.role == Role.ADMIN and region_contains(user.region, item.policy.region):
        return
    if user.role == Role.STAFF and user.unit_id == item.department_id:
        return
    raise AccessDenied(f"您无权{action}:该事项由{item.department.name}兑现,您只能查看和兑现本部门的事项。")


def require_can_pay(user: User | None, item: PolicyItem) -> None:
    """Lists are checked, confirmed and paid by the paying department (or the office of the region)."""
    require_item_department(user, item, "确认或兑现该事项的清单")
    if user is not None and user.role in (Role.LEADER, Role.OBSERVER, Role.ENTERPRISE):
        raise AccessDenied("您的角色为只读,不能确认或兑现。")


def batches_q(user: User) -> Q:
    return Q(item__in=PolicyItem.objects.filter(items_q(user))) if user.role != Role.ENTERPRISE else Q(pk__in=[])


def own_enterprise(user: User | None) -> Enterprise:
    if user is None or user.role != Role.ENTERPRISE or user.enterprise is None:
        raise AccessDenied("只有企业用户可以查看“我的政策”。")
    return user.enterprise


def require_own_push(user: User | None, push: Push) -> None:
    enterprise = own_enterprise(user)
    if push.enterprise_id != enterprise.pk:
        raise AccessDenied("这不是贵企业的推送。")


def require_profile_access(user: User | None, enterprise: Enterprise) -> None:
    """An enterprise sees its own profile; the office sees firms of its region; departments see profiles (they
    supply data) in their region."""
    if user is None or user.is_superuser:
        return
    if user.role == Role.ENTERPRISE:
        if user.enterprise_id != enterprise.pk:
            raise AccessDenied("您只能查看本企业的画像与结果。")
        return
    if not region_contains(user.region, enterprise.region) and not (
        user.unit is not None and region_contains(user.unit.region, enterprise.region)
    ):
        raise AccessDenied("该企业不在您的管辖区域内。")


def scoped_batches(user: User) -> QuerySet[PayoutBatch]:
    return PayoutBatch.objects.filter(batches_q(user))
